"""Loads the MIT Restaurant jsonl splits as LabeledDocuments (benchmarks only, never tests)."""

from __future__ import annotations

import json
from pathlib import Path

from customner.ner.types import LabeledDocument, Span

DATA = Path("/work/shared/datasets/mit_restaurant/jsonl")


def load_split(split: str) -> list[LabeledDocument]:
    docs = []
    for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        spans = [
            Span(e["offset"], e["offset"] + e["length"], e["category"]) for e in row["entities"]
        ]
        docs.append(LabeledDocument(row["text"], spans, "en-us"))
    return docs


def categories(docs: list[LabeledDocument]) -> list[str]:
    return sorted({s.category for d in docs for s in d.spans})
