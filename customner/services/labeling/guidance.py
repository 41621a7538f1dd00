"""Azure's "improve model" guidance, computed from a trained model's evaluation summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from customner.ner.metrics import NONE
from customner.services.evaluation import MIN_TEST_LABELS, MIN_TRAIN_LABELS, ConfusionCell, EvaluationSummary


@dataclass
class Guidance:
    """One of Azure's "improve model" findings, with the types it concerns."""

    rule: str
    title: str
    message: str
    types: list[str] = field(default_factory=list)


IMBALANCE_RATIO = 10.0
CONFUSION_SHARE = 0.10
TEST_SHARE_FACTOR = 0.5
LOW_SCORE = 0.5


def guidance(summary: EvaluationSummary) -> list[Guidance]:
    """Azure's five guidance rules, computed from a model's evaluation summary."""
    entities = summary.entities
    found: list[Guidance] = []
    train = {name: e.train_label_count for name, e in entities.items()}
    test = {name: e.test_label_count for name, e in entities.items()}
    present = [count for count in train.values() if count]
    if len(present) > 1 and max(present) > IMBALANCE_RATIO * min(present):
        rare = [name for name, count in train.items() if 0 < count * IMBALANCE_RATIO < max(present)]
        found.append(Guidance("imbalance", "Data imbalance",
                              f"Some types have over {IMBALANCE_RATIO:.0f}x fewer training labels than the most frequent "
                              "type; label more examples of them so the model does not ignore them.", rare))
    confused = _confused_pairs(summary.confusion)
    if confused:
        found.append(Guidance("confusion", "Unclear distinction between entity types",
                              "The model often predicts one type where another was expected: "
                              + ", ".join(f"'{a}' read as '{b}'" for a, b in confused)
                              + ". Make the types' definitions distinct and label consistently.",
                              sorted({name for pair in confused for name in pair})))
    few_train = [name for name, count in train.items() if count < MIN_TRAIN_LABELS]
    if few_train:
        found.append(Guidance("low-train", "Low count of training labels",
                              f"These types have fewer than {MIN_TRAIN_LABELS} training labels; add more examples.", few_train))
    few_test = [name for name, count in test.items() if count < MIN_TEST_LABELS]
    if few_test:
        found.append(Guidance("low-test", "Low count of test labels",
                              f"These types have fewer than {MIN_TEST_LABELS} test labels, so their scores are not reliable.",
                              few_test))
    total_train, total_test = sum(train.values()), sum(test.values())
    if total_train and total_test:
        overall = total_test / total_train
        under = [name for name in entities if train[name] and test[name] / train[name] < TEST_SHARE_FACTOR * overall]
        if under:
            found.append(Guidance("test-underrepresented", "Under-represented in the test set",
                                  "These types are much rarer in the test set than in the training set; move or add "
                                  "test documents that contain them so the test set resembles real data.", under))
    weak = [name for name, e in entities.items() if (train[name] or test[name])
            and min(e.precision, e.recall) < LOW_SCORE]
    if weak:
        found.append(Guidance("low-score", "Low precision or recall",
                              f"Precision or recall is below {LOW_SCORE:.0%} for these types: low precision means "
                              "false alarms (review labels of similar text), low recall means misses (label more "
                              "varied examples).", weak))
    return found


def _confused_pairs(matrix: dict[str, dict[str, ConfusionCell]]) -> list[tuple[str, str]]:
    pairs = []
    for gold, row in matrix.items():
        total = sum(cell.count for cell in row.values()) or 1
        for predicted, cell in row.items():
            if gold != predicted and NONE not in (gold, predicted) and cell.count / total >= CONFUSION_SHARE:
                pairs.append((gold, predicted))
    return pairs
