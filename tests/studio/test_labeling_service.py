"""The labeling service without a browser: documents in, labels checked, guidance rules, uncertainty."""

from __future__ import annotations

from pathlib import Path

import pytest

from customner import errors
from customner.assembly import build_context
from customner.context import AppContext
from customner.services import labeling, projects
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


def _entity(train: int, test: int, precision: float = 0.9, recall: float = 0.9) -> dict[str, float]:
    return {"trainLabelCount": train, "testLabelCount": test, "precision": precision, "recall": recall}


def test_the_five_guidance_rules() -> None:
    summary = {"customEntityRecognitionEvaluation": {
        "entities": {"big": _entity(400, 100), "small": _entity(20, 1, recall=0.2), "rare": _entity(3, 10)},
        "confusionMatrix": {"big": {"big": {"rawValue": 80}, "small": {"rawValue": 20}}, "$none": {"big": {"rawValue": 50}}},
    }}
    found = {g.rule: g.types for g in labeling.guidance(summary)}
    assert found["imbalance"] == ["small", "rare"]
    assert found["confusion"] == ["big", "small"]
    assert found["low-train"] == ["rare"]
    assert found["low-test"] == ["small"]
    assert found["test-underrepresented"] == ["small"]
    assert found["low-score"] == ["small"]
    healthy = {"customEntityRecognitionEvaluation": {"entities": {"a": _entity(50, 12), "b": _entity(40, 10)}, "confusionMatrix": {}}}
    assert labeling.guidance(healthy) == []
