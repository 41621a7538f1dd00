"""Loads the shared benchmark corpora's jsonl splits as LabeledDocuments (benchmarks only, never tests)."""

from __future__ import annotations

import json
from pathlib import Path

from customner.ner.types import LabeledDocument, Span

DATASETS = Path("/work/shared/datasets")
DATA = DATASETS / "mit_restaurant" / "jsonl"


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


def categories(docs: list[LabeledDocument]) -> list[str]:
    return sorted({s.category for d in docs for s in d.spans})
