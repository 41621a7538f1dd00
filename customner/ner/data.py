"""Tokenized documents and the deterministic train/dev split used for early stopping."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from customner.ner.labels import TagScheme
from customner.ner.tokenize import Word, tokenize
from customner.ner.types import LabeledDocument, Span


@dataclass
class Doc:
    text: str
    words: list[Word]


@dataclass
class Example(Doc):
    tags: list[int] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def make_doc(text: str) -> Doc:
    return Doc(text, tokenize(text))


def prepare(documents: Sequence[LabeledDocument], scheme: TagScheme) -> list[Example]:
    out = []
    for d in documents:
        words = tokenize(d.text)
        spans = [s for s in d.spans if s.category in scheme.categories]
        out.append(Example(d.text, words, scheme.encode(words, spans), spans))
    return out


def split_dev(
    examples: Sequence[Example], seed: int, fraction: float = 0.1, max_dev: int = 800
) -> tuple[list[Example], list[Example]]:
    """Hold out a seeded slice for early stopping and calibration (empty below 10 docs)."""
    n = len(examples)
    n_dev = 0 if n < 10 else max(1, min(max_dev, round(n * fraction)))
    order = list(range(n))
    random.Random(seed).shuffle(order)
    dev_idx = set(order[:n_dev])
    train = [e for i, e in enumerate(examples) if i not in dev_idx]
    dev = [e for i, e in enumerate(examples) if i in dev_idx]
    return train, dev
