"""The labeling service without a browser: documents in, labels checked, guidance rules, uncertainty."""

from __future__ import annotations

from pathlib import Path

import pytest

from customner import errors
from customner.assembly import build_context
from customner.context import AppContext
from customner.services import labeling, projects
from customner.services.evaluation import ConfusionCell, EvaluationOptions, EvaluationSummary, Interval, Scores, TypeScores
from customner.settings import Settings


@pytest.fixture
def context(tmp_path: Path) -> AppContext:
    context = build_context(Settings(data_dir=tmp_path, api_key="k"))
    projects.create_or_update(context, "P", projects.ProjectChanges(
        project_kind=projects.PROJECT_KIND, storage_container="p-docs", language="en-us"))
    labeling.add_entity_type(context, "P", "person")
    return context


def test_documents_labels_and_filters(context: AppContext) -> None:
    added = labeling.add_documents(context, "P", [labeling.NewDocument("a.txt", b"Ann met Bo."),
                                                  labeling.NewDocument("b.txt", "Zoë 😀 Ann".encode())], "Train")
    assert added == ["a.txt", "b.txt"]
    assert context.blobs.read_text("storage/p-docs/a.txt") == "Ann met Bo."
    rows = labeling.list_documents(context, "P", labeling.DocumentFilter(status="unlabeled"))
    assert [row.location for row in rows] == ["a.txt", "b.txt"]
    b = rows[1].id
    saved = labeling.save_labels(context, "P", b, [{"start": 6, "end": 9, "category": "person"}], base_version=0, actor="ann")
    assert (saved.count, saved.version) == (1, 1)  # code points
    assert labeling.get_document(context, "P", b).labels == [{"start": 6, "end": 9, "category": "person"}]
    labeling.save_labels(context, "P", rows[0].id, [], base_version=0, actor="ann")  # nothing to label: still labeled
    assert labeling.list_documents(context, "P", labeling.DocumentFilter(status="unlabeled")) == []
    assert [r.location for r in labeling.list_documents(context, "P", labeling.DocumentFilter(category="person"))] == ["b.txt"]
    labeling.set_dataset(context, "P", b, "Test")
    assert [r.location for r in labeling.list_documents(context, "P", labeling.DocumentFilter(dataset="Test"))] == ["b.txt"]
    overview = labeling.overview(context, "P")
    assert (overview.types[0].train, overview.types[0].test) == (0, 1)
    assert labeling.paste_document(context, "P", "Pasted\r\ntext", None, None) == "pasted-001.txt"


@pytest.mark.parametrize("labels, message", [
    ([{"start": 0, "end": 99, "category": "person"}], "outside"),
    ([{"start": 0, "end": 3, "category": "city"}], "not declared"),
    ([{"start": 0, "end": 3, "category": "person"}, {"start": 2, "end": 5, "category": "person"}], "overlap"),
    ([{"start": "x"}], "start, an end"),
])
def test_bad_labels_are_refused(context: AppContext, labels: list[dict[str, object]], message: str) -> None:
    labeling.add_documents(context, "P", [labeling.NewDocument("a.txt", b"Ann met Bo.")], None)
    document = labeling.list_documents(context, "P", labeling.DocumentFilter())[0]
    with pytest.raises(errors.InvalidRequest, match=message):
        labeling.save_labels(context, "P", document.id, labels, base_version=0, actor="ann")


def test_uploads_are_all_or_nothing(context: AppContext) -> None:
    with pytest.raises(errors.InvalidRequest, match="empty"):
        labeling.add_documents(context, "P", [labeling.NewDocument("ok.txt", b"fine"), labeling.NewDocument("e.txt", b"  ")], None)
    assert labeling.list_documents(context, "P", labeling.DocumentFilter()) == []


def test_uncertainty_prefers_confidence_near_one_half() -> None:
    assert labeling.uncertainty([0.5]) == 1.0
    assert labeling.uncertainty([0.99, 0.6]) == pytest.approx(0.8)
    assert labeling.uncertainty([]) == 0.5


def _entity(train: int, test: int, precision: float = 0.9, recall: float = 0.9) -> TypeScores:
    return TypeScores(f1=0.9, precision=precision, recall=recall, true_positive_count=0, false_positive_count=0,
                      false_negative_count=0, train_label_count=train, test_label_count=test)


def _summary(entities: dict[str, TypeScores], confusion: dict[str, dict[str, float]]) -> EvaluationSummary:
    zero = Scores(f1=0.0, precision=0.0, recall=0.0)
    return EvaluationSummary(
        confusion={gold: {predicted: ConfusionCell(count=count, row_percent=0.0) for predicted, count in row.items()}
                   for gold, row in confusion.items()},
        entities=entities, micro=zero, macro=zero, micro_f1_ci95=Interval(lower=0.0, upper=0.0),
        expected_calibration_error=0.0, test_document_count=0, warnings=[], options=EvaluationOptions())


def test_the_five_guidance_rules() -> None:
    summary = _summary({"big": _entity(400, 100), "small": _entity(20, 1, recall=0.2), "rare": _entity(3, 10)},
                       {"big": {"big": 80, "small": 20}, "$none": {"big": 50}})
    found = {g.rule: g.types for g in labeling.guidance(summary)}
    assert found["imbalance"] == ["small", "rare"]
    assert found["confusion"] == ["big", "small"]
    assert found["low-train"] == ["rare"]
    assert found["low-test"] == ["small"]
    assert found["test-underrepresented"] == ["small"]
    assert found["low-score"] == ["small"]
    healthy = _summary({"a": _entity(50, 12), "b": _entity(40, 10)}, {})
    assert labeling.guidance(healthy) == []
