"""spaCy: binary ``.spacy`` files (``DocBin``) and spaCy JSON Lines with ``ents`` or ``spans``.

spaCy counts characters in code points (Python string indices), as customner does.
JSONL records are ``{"text", "ents": [{"start", "end", "label"}]}`` (``Doc.to_json()``) or Prodigy's
``{"text", "spans": [{"start", "end", "label"}]}``; ``spans`` may also be ``Doc.to_json()``'s span
groups (``{"sc": [...]}``). A DocBin's entities are read from ``doc.ents``, or from its span groups
when it has no entities. spaCy is an optional dependency (``pip install 'customner[formats]'``).
"""

from __future__ import annotations

import zlib
from typing import Any

from customner.formats.corpus import Corpus, FormatError, Record, check_entity, require_text, sorted_entities
from customner.formats.jsonl_lines import dump, looks_like_jsonl, records
from customner.ner.tokenize import tokenize

NAME = "spacy"
MEDIA_TYPE = "application/octet-stream"
EXTENSION = ".spacy"
JSONL_NAME = "spacy-jsonl"
JSONL_MEDIA_TYPE = "application/jsonl"


def _spacy() -> tuple[Any, Any, Any]:
    try:
        from spacy.tokens import Doc, DocBin  # optional and heavy: imported only when the format is used
        from spacy.vocab import Vocab
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise FormatError("the file", "reading or writing spaCy files needs spaCy: pip install 'customner[formats]'") from error
    return Doc, DocBin, Vocab


def sniff(data: bytes) -> bool:
    """A DocBin is zlib-compressed msgpack."""
    try:
        first = zlib.decompressobj().decompress(data, 1)
    except zlib.error:
        return False
    return len(first) == 1 and (0x80 <= first[0] <= 0x8F or first[0] == 0xDE)  # a msgpack map


def sniff_jsonl(data: bytes) -> bool:
    first = looks_like_jsonl(data)
    return first is not None and "text" in first and ("ents" in first or "spans" in first)


def read(data: bytes) -> Corpus:
    _, DocBin, Vocab = _spacy()
    try:
        docs = list(DocBin(store_user_data=True).from_bytes(data).get_docs(Vocab()))
    except Exception as error:  # spaCy raises many kinds for a damaged file
        raise FormatError("the file", f"not a spaCy DocBin (.spacy) file: {error}") from error
    result = []
    for number, doc in enumerate(docs, start=1):
        where = f"doc {number}"
        text = require_text(where, doc.text)
        spans = list(doc.ents) or [span for group in doc.spans.values() for span in group]
        entities = [check_entity(where, text, span.start_char, span.end_char, span.label_) for span in spans]
        identifier = doc.user_data.get("id") if isinstance(doc.user_data, dict) else None
        result.append(Record(text=text, entities=sorted_entities(where, entities), id=identifier))
    return Corpus(result)


def write(corpus: Corpus) -> bytes:
    """A DocBin whose tokens are the project tokenizer's words, split further at entity ends so no entity moves."""
    Doc, DocBin, Vocab = _spacy()
    vocab = Vocab()
    docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=True)
    for record in corpus.records:
        doc = _doc(Doc, vocab, record)
        if record.id is not None:
            doc.user_data["id"] = record.id
        docbin.add(doc)
    data: bytes = docbin.to_bytes()
    return data


def _doc(Doc: Any, vocab: Any, record: Record) -> Any:
    cuts = {0, len(record.text)}
    for word in tokenize(record.text):
        cuts |= {word.start, word.end}
    for entity in record.entities:
        cuts |= {entity.start, entity.end}
    points = sorted(cuts)
    pieces = [record.text[a:b] for a, b in zip(points, points[1:], strict=False)]
    words: list[str] = []
    spaces: list[bool] = []
    for piece in pieces:
        if piece.isspace():
            if words and not spaces[-1] and piece.startswith(" "):
                spaces[-1] = True
                piece = piece[1:]
            if piece:
                words.append(piece)
                spaces.append(False)
        else:
            words.append(piece)
            spaces.append(False)
    doc = Doc(vocab, words=words, spaces=spaces)
    assert doc.text == record.text, "spaCy tokens must rebuild the text exactly"
    doc.ents = [doc.char_span(e.start, e.end, label=e.category) for e in record.entities]
    return doc


def read_jsonl(data: bytes) -> Corpus:
    result = []
    for where, row in records(data):
        text = require_text(where, row.get("text"))
        items = row.get("ents")
        if items is None:
            spans = row.get("spans", [])
            items = [span for group in spans.values() for span in group] if isinstance(spans, dict) else spans
        if not isinstance(items, list):
            raise FormatError(where, "\"ents\"/\"spans\" must be a list of {start, end, label}")
        entities = []
        for index, item in enumerate(items):
            place = f"{where}, span {index + 1}"
            if not isinstance(item, dict):
                raise FormatError(place, "expected an object with start, end and label")
            entities.append(check_entity(place, text, item.get("start"), item.get("end"), item.get("label")))
        identifier = row.get("id", (row.get("meta") or {}).get("id") if isinstance(row.get("meta"), dict) else None)
        result.append(Record(text=text, entities=sorted_entities(where, entities),
                             id=None if identifier is None else str(identifier)))
    return Corpus(result)


def write_jsonl(corpus: Corpus) -> bytes:
    rows = []
    for record in corpus.records:
        row: dict[str, Any] = {"text": record.text,
                               "ents": [{"start": e.start, "end": e.end, "label": e.category} for e in record.entities]}
        if record.id is not None:
            row["meta"] = {"id": record.id}
        rows.append(row)
    return dump(rows)


