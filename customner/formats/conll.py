"""CoNLL-style token-per-line files with IOB1, IOB2 (BIO), BIOES or BILOU tags.

Each line is a token and its tag, separated by tabs or spaces, the tag in the last column (so
CoNLL-2003's four columns read as they are), or in whichever one column holds nothing but tags when
the last one does not (``token TAG lemma``); a blank line ends a document. When the file has
``-DOCSTART-`` lines, those end documents instead and a blank line ends a sentence (a line break
in the text). Lines starting with ``#`` are comments (``# id = …`` names the next document).

Reading rebuilds each text from its tokens: one space between tokens, none between two
characters of scripts written without spaces (CJK, Thai, ...), so the project tokenizer splits it
back into the same tokens. Writing uses the project's own tokenizer (customner.ner.tokenize); an
entity whose ends do not fall on token boundaries cannot be written without moving it, so
export refuses and lists every such entity instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from customner.formats.corpus import Corpus, Entity, FormatError, Record, decode, sorted_entities
from customner.ner.tokenize import is_no_space_script, tokenize

NAME = "conll"
MEDIA_TYPE = "text/plain; charset=utf-8"
EXTENSION = ".conll"
SCHEMES = ("iob2", "bioes")
_PREFIXES = {"B", "I", "E", "S", "L", "U"}


class ExportProblem(ValueError):
    """Entities that do not fall on the tokenizer's boundaries, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def sniff(data: bytes) -> bool:
    try:
        lines = [line for line in data.decode("utf-8-sig").splitlines()[:50] if line.strip() and not line.startswith("#")]
    except UnicodeDecodeError:
        return False
    rows = [line.split() for line in lines if line.split()[0] != "-DOCSTART-"]
    return bool(rows) and all(len(row) >= 2 for row in rows) and tag_column(rows) is not None


def tag_column(rows: list[list[str]]) -> int | None:
    """Which column holds the tags: the last when all of it is tags, else the only other column that is."""
    if all(_is_tag(row[-1]) for row in rows):
        return -1
    width = min(len(row) for row in rows)
    candidates = [index for index in range(1, width) if all(_is_tag(row[index]) for row in rows)]
    return candidates[0] if len(candidates) == 1 else None


def _is_tag(tag: str) -> bool:
    return tag == "O" or (len(tag) > 2 and tag[0] in _PREFIXES and tag[1] in "-_")


@dataclass
class _Builder:
    id: str | None = None
    parts: list[str] = field(default_factory=list)
    text_length: int = 0
    previous: str = ""
    entities: list[Entity] = field(default_factory=list)
    open: tuple[int, str] | None = None  # (start, category) of the entity being read
    open_end: int = 0
    first_line: int = 0

    def add(self, where: str, token: str, tag: str, new_line: bool) -> None:
        if new_line:
            self._close()
            separator = "\n" if self.parts else ""
        elif not self.parts:
            separator = ""
        else:
            separator = "" if is_no_space_script(self.previous) and is_no_space_script(token) else " "
        start = self.text_length + len(separator)
        self.parts += [separator, token]
        self.text_length = start + len(token)
        self.previous = token
        if tag == "O":
            self._close()
            return
        if not _is_tag(tag):
            raise FormatError(where, f"'{tag}' is not a tag: use O or B-, I-, E-, S- (or L-, U-) and a type")
        prefix, category = tag[0], tag[2:]
        continues = self.open is not None and self.open[1] == category
        if prefix in ("B", "S", "U") or not continues:
            self._close()
            self.open = (start, category)
        self.open_end = self.text_length
        if prefix in ("E", "L", "S", "U"):
            self._close()

    def _close(self) -> None:
        if self.open is not None:
            self.entities.append(Entity(self.open[0], self.open_end, self.open[1]))
            self.open = None

    def record(self) -> Record:
        self._close()
        return Record(text="".join(self.parts), entities=sorted_entities(f"document at line {self.first_line}", self.entities),
                      id=self.id)


def read(data: bytes) -> Corpus:
    lines = decode(data, "line 1").splitlines()
    by_docstart = any(line.split()[:1] == ["-DOCSTART-"] for line in lines)
    rows = [line.split() for line in lines
            if len(line.split()) >= 2 and not line.startswith("#") and line.split()[0] != "-DOCSTART-"]
    column = (tag_column(rows) if rows else -1) or -1
    records: list[Record] = []
    current = _Builder()
    pending_id: str | None = None
    new_line = False

    def finish() -> None:
        nonlocal current
        if current.parts:
            records.append(current.record())
        current = _Builder()

    for number, line in enumerate(lines, start=1):
        columns = line.split()
        if line.startswith("#"):
            comment = line[1:].strip()
            if comment.startswith("id =") or comment.startswith("id="):
                pending_id = comment.split("=", 1)[1].strip() or None
            continue
        if not columns:
            if by_docstart:
                new_line = bool(current.parts)
            else:
                finish()
            continue
        if columns[0] == "-DOCSTART-":
            finish()
            new_line = False
            continue
        if len(columns) < 2:
            raise FormatError(f"line {number}", f"expected a token and its tag separated by a tab or space, found {line!r}")
        if not current.parts:
            current.first_line = number
            current.id, pending_id = pending_id, None
        current.add(f"line {number}", columns[0], columns[column] if len(columns) > max(column, 0) else columns[-1],
                    new_line)
        new_line = False
    finish()
    return Corpus(records)


def write(corpus: Corpus, scheme: str = "iob2") -> bytes:
    """Tokens and tags of every document, a blank line between documents, in corpus order."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme '{scheme}'; use one of {', '.join(SCHEMES)}")
    blocks: list[str] = []
    problems: list[str] = []
    for number, record in enumerate(corpus.records, start=1):
        words = tokenize(record.text)
        starts = {word.start: index for index, word in enumerate(words)}
        ends = {word.end: index for index, word in enumerate(words)}
        tags = ["O"] * len(words)
        name = record.id or f"document {number}"
        for entity in record.entities:
            first, last = starts.get(entity.start), ends.get(entity.end)
            if first is None or last is None:
                problems.append(f"{name}: entity '{entity.category}' {record.text[entity.start:entity.end]!r} at "
                                f"{entity.start}-{entity.end} does not start and end on token boundaries")
                continue
            for index in range(first, last + 1):
                tags[index] = "I-" + entity.category
            tags[first] = "B-" + entity.category
            if scheme == "bioes":
                tags[last] = "E-" + entity.category
                tags[first] = ("S-" if first == last else "B-") + entity.category
        if not words:
            problems.append(f"{name}: the text has no tokens")
        blocks.append("".join(f"{word.text}\t{tag}\n" for word, tag in zip(words, tags, strict=True)))
    if problems:
        raise ExportProblem(problems)
    return "\n".join(blocks).encode("utf-8")
