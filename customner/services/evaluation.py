"""A model's evaluation on its test set: how the test set is chosen and the scores it got, plus honest extensions.

These are domain types; rows store their snake_case dump and ``api/`` renders Azure's shape. The extensions
beside Azure's fields: a bootstrap 95% interval for micro-F1, the calibration error, and warnings for types with
too few labels to trust.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict

from customner.ner.metrics import EvaluationResult

MIN_TRAIN_LABELS = 15
MIN_TEST_LABELS = 5


class _Domain(BaseModel):
    model_config = ConfigDict(frozen=True)


class EvaluationOptions(_Domain):
    """How the test set is chosen: the documents' own Train/Test datasets (``manual``) or a percentage split."""

    kind: str = "percentage"
    training_split_percentage: int = 80
    testing_split_percentage: int = 20


class Scores(_Domain):
    f1: float
    precision: float
    recall: float


class TypeScores(Scores):
    """One entity type's scores and the labels it had to learn from and be tested on."""

    true_positive_count: int
    false_positive_count: int
    false_negative_count: int
    train_label_count: int
    test_label_count: int


class ConfusionCell(_Domain):
    """How much of an expected type was predicted as another (fractional for partial overlaps), also as row percent."""

    count: float
    row_percent: float


class Interval(_Domain):
    lower: float
    upper: float


class SummaryWarning(_Domain):
    code: str
    category: str
    message: str


class EvaluationSummary(_Domain):
    """Scores of one model on its test set; ``confusion`` is keyed by expected then predicted type (or ``$none``)."""

    confusion: dict[str, dict[str, ConfusionCell]]
    entities: dict[str, TypeScores]
    micro: Scores
    macro: Scores
    micro_f1_ci95: Interval
    expected_calibration_error: float
    test_document_count: int
    warnings: list[SummaryWarning]
    options: EvaluationOptions


def summary(result: EvaluationResult, categories: list[str], train_counts: Counter[str], test_counts: Counter[str],
            options: EvaluationOptions) -> EvaluationSummary:
    entities = {}
    for category in categories:
        scores = result.per_type.get(category)
        entities[category] = TypeScores(
            f1=scores.f1 if scores else 0.0, precision=scores.precision if scores else 0.0,
            recall=scores.recall if scores else 0.0, true_positive_count=scores.tp if scores else 0,
            false_positive_count=scores.fp if scores else 0, false_negative_count=scores.fn if scores else 0,
            train_label_count=train_counts.get(category, 0), test_label_count=test_counts.get(category, 0))
    warnings = [
        SummaryWarning(
            code="TooFewLabels", category=category,
            message=f"'{category}' has {train_counts.get(category, 0)} training and {test_counts.get(category, 0)} "
                    f"test labels; scores for types with fewer than {MIN_TRAIN_LABELS} training or "
                    f"{MIN_TEST_LABELS} test labels are not reliable.")
        for category in categories
        if train_counts.get(category, 0) < MIN_TRAIN_LABELS or test_counts.get(category, 0) < MIN_TEST_LABELS
    ]
    low, high = result.micro_f1_ci95
    return EvaluationSummary(
        confusion=_confusion(result.confusion), entities=entities,
        micro=Scores(f1=result.micro.f1, precision=result.micro.precision, recall=result.micro.recall),
        macro=Scores(f1=result.macro.f1, precision=result.macro.precision, recall=result.macro.recall),
        micro_f1_ci95=Interval(lower=low, upper=high), expected_calibration_error=result.ece,
        test_document_count=result.documents, warnings=warnings, options=options)


def _confusion(raw: dict[str, dict[str, float]]) -> dict[str, dict[str, ConfusionCell]]:
    matrix: dict[str, dict[str, ConfusionCell]] = {}
    for gold, row in raw.items():
        total = sum(row.values()) or 1.0
        matrix[gold] = {predicted: ConfusionCell(count=value, row_percent=100.0 * value / total)
                        for predicted, value in row.items()}
    return matrix
