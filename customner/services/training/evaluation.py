"""Scoring a trained model on the test set, with a predictor of its own.

Evaluation never goes through the serving cache (``context.models``): a training or a re-evaluation
must not evict a deployed model, and a model whose training is then cancelled must leave nothing behind.
"""

from __future__ import annotations

from collections import Counter

from customner.ner import metrics
from customner.ner.types import Predictor, Span
from customner.services import evaluation as summaries
from customner.services.documents import DocumentRecord
from customner.services.training.options import EvaluationOptions
from customner.store.tables import EvaluatedDocument


def evaluate_test_set(predictor: Predictor, model_id: str, categories: list[str], train: list[DocumentRecord],
                      test: list[DocumentRecord], language: str, options: EvaluationOptions
                      ) -> tuple[summaries.EvaluationSummary, list[EvaluatedDocument]]:
    """The evaluation summary and one row of expected and predicted spans per test document."""
    regions = [(record, start, end, spans) for record in test for start, end, spans in record.region_spans()]
    texts = [record.text[start:end] for record, start, end, _ in regions]
    predicted = predictor.predict(texts)
    gold = [[Span(s.start - start, s.end - start, s.category) for s in spans] for _, start, end, spans in regions]
    result = metrics.evaluate(gold, predicted, texts)
    train_counts = Counter(s.category for record in train for _, _, spans in record.region_spans() for s in spans)
    test_counts = Counter(s.category for _, _, _, spans in regions for s in spans)
    summary = summaries.summary(result, categories, train_counts, test_counts, options)
    by_location: dict[str, EvaluatedDocument] = {}
    for (record, start, end, _), expected, found in zip(regions, gold, predicted, strict=True):
        row = by_location.setdefault(record.location, EvaluatedDocument(
            model_id=model_id, location=record.location, language=record.language or language, regions=[]))
        row.regions = [*row.regions, {
            "start": start, "end": end,
            "expected": [{"category": s.category, "start": s.start + start, "end": s.end + start} for s in expected],
            "predicted": [{"category": e.category, "start": e.start + start, "end": e.end + start,
                           "confidence": e.confidence} for e in found]}]
    return summary, list(by_location.values())
