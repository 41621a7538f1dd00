"""Which labeled documents a model learns from and which it is tested on."""

from __future__ import annotations

import hashlib

from customner import errors
from customner.ner.types import LabeledDocument, Span
from customner.services.documents import DocumentRecord
from customner.services.training.options import EvaluationOptions


def split(documents: list[DocumentRecord], options: EvaluationOptions) -> tuple[list[DocumentRecord], list[DocumentRecord]]:
    """Manual: the documents' own dataset. Percentage: a stable hash of the location, so reruns agree."""
    if options.kind == "manual":
        return ([d for d in documents if d.dataset != "Test"], [d for d in documents if d.dataset == "Test"])
    ranked = sorted(documents, key=lambda d: hashlib.sha256(d.location.encode()).hexdigest())
    test_size = max(1, round(len(ranked) * options.testing_split_percentage / 100)) if len(ranked) > 1 else 0
    test = {d.location for d in ranked[:test_size]}
    return [d for d in documents if d.location not in test], [d for d in documents if d.location in test]


def as_examples(records: list[DocumentRecord], default_language: str) -> list[LabeledDocument]:
    """One example per labeled region, with spans shifted to the region's start."""
    examples = []
    for record in records:
        for start, end, spans in record.region_spans():
            examples.append(LabeledDocument(
                text=record.text[start:end], language=record.language or default_language,
                spans=[Span(s.start - start, s.end - start, s.category) for s in spans]))
    return examples


def check_data(train: list[DocumentRecord], test: list[DocumentRecord], options: EvaluationOptions) -> None:
    """Fail the job, not the model: no entity to learn or no document to test on."""
    if not any(record.spans for record in train):
        raise errors.JobFailure("The training set has no labeled entities; label some documents before training.",
                                code="InvalidRequest")
    if not test:
        hint = ("assign some documents to the Test set" if options.kind == "manual"
                else "add more documents")
        raise errors.JobFailure(f"The test set is empty, so the model cannot be evaluated; {hint}.",
                                code="InvalidRequest")
