"""Helpers to read the hand-made fixtures under tests/fixtures/ner."""

from __future__ import annotations

import json
from pathlib import Path

from customner.ner.types import LabeledDocument, Span

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ner"


def load_fixture(lang: str) -> list[LabeledDocument]:
    docs = []
    for line in (FIXTURES / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        spans = [Span(e["offset"], e["offset"] + e["length"], e["category"]) for e in row["entities"]]
        docs.append(LabeledDocument(row["text"], spans, lang))
    return docs


def categories_of(docs: list[LabeledDocument]) -> list[str]:
    return sorted({s.category for d in docs for s in d.spans})
