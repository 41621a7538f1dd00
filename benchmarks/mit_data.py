"""Loads the shared benchmark corpora's jsonl splits as LabeledDocuments (benchmarks only, never tests)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from customner.ner.types import LabeledDocument, Span

DATASETS = Path("/work/shared/datasets")
DATA = DATASETS / "mit_restaurant" / "jsonl"
MSRA = Path(__file__).resolve().parent / "work" / "msra"  # bash benchmarks/setup_msra.sh fetches it


def load_jsonl(path: Path, language: str) -> list[LabeledDocument]:
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        spans = [Span(e["offset"], e["offset"] + e["length"], e["category"]) for e in row["entities"]]
        docs.append(LabeledDocument(row["text"], spans, language))
    return docs


def load_split(split: str) -> list[LabeledDocument]:
    """MIT Restaurant: ``train`` or ``test``."""
    return load_jsonl(DATA / f"{split}.jsonl", "en-us")


def load_dutch(split: str) -> list[LabeledDocument]:
    """CoNLL-2002 Dutch: ``train`` (ned.train + ned.testa, as the issue measures) or ``test`` (ned.testb)."""
    folder = DATASETS / "conll2002_nl" / "jsonl"
    if split == "train":
        return load_jsonl(folder / "train.jsonl", "nl") + load_jsonl(folder / "dev.jsonl", "nl")
    return load_jsonl(folder / f"{split}.jsonl", "nl")


def load_msra(split: str) -> list[LabeledDocument]:
    """MSRA Chinese NER, ``train`` or ``test``: one document per sentence, its BMES character tags as spans."""
    docs = []
    for block in (MSRA / f"{split}.txt").read_text(encoding="utf-8").split("\n\n"):
        rows = [line.split() for line in block.splitlines() if line.strip()]
        if not rows:
            continue
        spans, start = [], 0
        for i, (_, tag) in enumerate(rows):
            if tag[:2] in ("B-", "S-"):
                start = i
            if tag[:2] in ("E-", "S-"):
                spans.append(Span(start, i + 1, tag[2:]))
        docs.append(LabeledDocument("".join(char for char, _ in rows), spans, "zh-hans"))
    return docs


def categories(docs: list[LabeledDocument]) -> list[str]:
    return sorted({s.category for d in docs for s in d.spans})


def whitespace_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of each whitespace-separated token: how the corpora and the CRF peers tokenize."""
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]


def bio_tags(doc: LabeledDocument) -> list[str]:
    """The document's gold spans as one BIO tag per whitespace token."""
    tags = []
    for start, end, _ in whitespace_tokens(doc.text):
        tag = "O"
        for span in doc.spans:
            if span.start <= start and end <= span.end:
                tag = ("B-" if start == span.start else "I-") + span.category
        tags.append(tag)
    return tags
