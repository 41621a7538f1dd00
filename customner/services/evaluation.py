"""Turn metric results into Azure's evaluation summary, plus honest extensions.

Extensions sit beside Azure's fields (clients ignore unknown keys): a bootstrap 95% interval
for micro-F1, the calibration error, and warnings for types with too few labels to trust.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from customner.ner.metrics import EvaluationResult

MIN_TRAIN_LABELS = 15
MIN_TEST_LABELS = 5


def summary(
    result: EvaluationResult, categories: list[str], train_counts: Counter[str], test_counts: Counter[str],
    evaluation_options: dict[str, Any],
) -> dict[str, Any]:
    entities = {}
    for category in categories:
        scores = result.per_type.get(category)
        entities[category] = {
            "f1": scores.f1 if scores else 0.0, "precision": scores.precision if scores else 0.0,
            "recall": scores.recall if scores else 0.0, "truePositiveCount": scores.tp if scores else 0,
            "trueNegativeCount": 0, "falsePositiveCount": scores.fp if scores else 0,
            "falseNegativeCount": scores.fn if scores else 0,
            "trainLabelCount": train_counts.get(category, 0), "testLabelCount": test_counts.get(category, 0),
        }
    warnings = [
        {"code": "TooFewLabels", "category": category,
         "message": f"'{category}' has {train_counts.get(category, 0)} training and {test_counts.get(category, 0)} "
                    f"test labels; scores for types with fewer than {MIN_TRAIN_LABELS} training or "
                    f"{MIN_TEST_LABELS} test labels are not reliable."}
        for category in categories
        if train_counts.get(category, 0) < MIN_TRAIN_LABELS or test_counts.get(category, 0) < MIN_TEST_LABELS
    ]
    low, high = result.micro_f1_ci95
    return {
        "projectKind": "CustomEntityRecognition",
        "customEntityRecognitionEvaluation": {
            "confusionMatrix": _confusion(result.confusion),
            "entities": entities,
            "microF1": result.micro.f1, "microPrecision": result.micro.precision, "microRecall": result.micro.recall,
            "macroF1": result.macro.f1, "macroPrecision": result.macro.precision, "macroRecall": result.macro.recall,
            "microF1ConfidenceInterval95": {"lower": low, "upper": high},
            "expectedCalibrationError": result.ece,
            "testDocumentCount": result.documents,
            "warnings": warnings,
        },
        "evaluationOptions": evaluation_options,
    }


def _confusion(raw: dict[str, dict[str, float]]) -> dict[str, dict[str, dict[str, float]]]:
    """Azure's shape: rawValue counts and normalizedValue as percent of the row."""
    matrix: dict[str, dict[str, dict[str, float]]] = {}
    for gold, row in raw.items():
        total = sum(row.values()) or 1.0
        matrix[gold] = {
            predicted: {"normalizedValue": 100.0 * value / total, "rawValue": value}
            for predicted, value in row.items()
        }
    return matrix
