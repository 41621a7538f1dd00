"""Several annotators per document without a browser: assignments, copies kept apart, review, agreement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from customner import errors
from customner.assembly import build_context
from customner.context import AppContext
from customner.services import annotators, audit, projects
from customner.services.labeling import documents, entity_types, label_store, overview
from customner.settings import Settings

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "agreement" / "hand_computed.json").read_text("utf-8"))


def spans(pairs: list[list[object]]) -> list[dict[str, object]]:
    return [{"start": s, "end": e, "category": c} for s, e, c in pairs]


@pytest.fixture
def context(tmp_path: Path) -> AppContext:
    context = build_context(Settings(data_dir=tmp_path, api_key="k"))
    projects.create_or_update(context, "P", projects.ProjectChanges(
        project_kind=projects.PROJECT_KIND, storage_container="p-docs", language="en-us"))
    for name in ("PER", "LOC"):
        entity_types.add_entity_type(context, "P", name)
    texts = [FIXTURE["two_annotators"]["text"]] + [f"document {i}" for i in range(1, 5)]
    documents.add_documents(context, "P", [documents.NewDocument(f"d{i}.txt", text.encode()) for i, text in enumerate(texts)],
                           "Train")
    return context


def ids(context: AppContext) -> list[int]:
    return [row.id for row in documents.list_documents(context, "P", documents.DocumentFilter())]


def test_assign_by_count_two_per_document_spreads_the_load(context: AppContext) -> None:
    made = annotators.assign(context, "P", ["alice", "bob", "carol"], per_document=2, count=3, actor="owner")
    assert made == 6
    load = {p.annotator: p.assigned for p in annotators.progress(context, "P")}
    assert load == {"alice": 2, "bob": 2, "carol": 2}
    first = ids(context)[0]
    assert first in annotators.assigned_ids(context, "P", "alice") and first in annotators.assigned_ids(context, "P", "bob")
    # Asking again assigns the next documents, never a document twice to the same person.
    assert annotators.assign(context, "P", ["alice", "bob", "carol"], per_document=2, count=10, actor="owner") == 4
    assert annotators.assign(context, "P", ["alice", "bob", "carol"], per_document=2, count=10, actor="owner") == 0
    with pytest.raises(errors.InvalidRequest, match="1 to 2"):
        annotators.assign(context, "P", ["alice", "bob"], per_document=3, actor="owner")


def test_assign_by_filter(context: AppContext) -> None:
    documents.set_dataset(context, "P", ids(context)[4], "Test")
    made = annotators.assign(context, "P", ["dan"], wanted=documents.DocumentFilter(dataset="Test"), actor="owner")
    assert made == 1 and annotators.assigned_ids(context, "P", "dan") == [ids(context)[4]]


def test_each_annotator_keeps_an_own_versioned_copy_and_review_settles_it(context: AppContext) -> None:
    first = ids(context)[0]
    annotators.assign(context, "P", ["A", "B"], per_document=2, count=1, actor="owner")
    case = FIXTURE["two_annotators"]["annotations"]
    label_store.save_labels(context, "P", first, spans(case["A"]), base_version=0, actor="A", annotator="A")
    label_store.save_labels(context, "P", first, spans(case["B"]), base_version=0, actor="B", annotator="B")
    with pytest.raises(label_store.StaleLabels):  # each copy has its own version
        label_store.save_labels(context, "P", first, [], base_version=0, actor="A", annotator="A")
    assert documents.get_document(context, "P", first, "A").labels == spans(case["A"])
    assert documents.get_document(context, "P", first).labels == []  # the project's labels are untouched
    assert not documents.get_document(context, "P", first).labeled  # so training does not use it yet
    with pytest.raises(errors.NotFound, match="not assigned"):
        documents.get_document(context, "P", first, "carol")

    view = annotators.review_view(context, "P", first)
    agreed = [c for c in view.candidates if c.by == ["A", "B"]]
    assert [(c.text, c.category) for c in agreed] == [("e", "LOC")]
    saved = annotators.settle(context, "P", first, base_version=0, actor="rev", accept="A")
    assert documents.get_document(context, "P", first).labels == spans(case["A"])
    with pytest.raises(errors.InvalidRequest, match="overlap"):
        annotators.settle(context, "P", first, base_version=saved.version, actor="rev",
                          keep=["0:3:PER", "0:1:PER"])
    merged = annotators.settle(context, "P", first, base_version=saved.version, actor="rev",
                               keep=["0:3:PER", "8:9:LOC", "18:19:PER"])
    document = documents.get_document(context, "P", first)
    assert document.labels == spans([[0, 3, "PER"], [8, 9, "LOC"], [18, 19, "PER"]]) and document.labeled
    assert merged.version == 2
    trail = audit.history(context, "P", first)
    assert [(c.action, c.actor, c.annotator) for c in trail] == [
        ("review", "rev", None), ("review", "rev", None), ("save", "B", "B"), ("save", "A", "A")]
    assert [r.reviewed_by for r in annotators.review_queue(context, "P")] == ["rev"]
    assert [(c.actor, c.annotator) for c in audit.history(context, "P", first, "A")] == [("A", "A")]  # B's stays B's


def test_project_agreement_matches_the_hand_computed_fixture(context: AppContext) -> None:
    first = ids(context)[0]
    annotators.assign(context, "P", ["A", "B"], per_document=2, count=1, actor="owner")
    case = FIXTURE["two_annotators"]
    for name in ("A", "B"):
        label_store.save_labels(context, "P", first, spans(case["annotations"][name]), base_version=0, actor=name,
                             annotator=name)
    report = annotators.project_agreement(context, "P")
    assert report.kappa_kind == "cohen" and report.documents == 1
    assert report.overall.kappa == pytest.approx(case["expected"]["overall"]["kappa"])
    assert report.by_type["LOC"].exact.f1 == pytest.approx(case["expected"]["LOC"]["exact_f1"])


def test_deleting_a_type_also_trashes_annotator_copies(context: AppContext) -> None:
    first = ids(context)[0]
    annotators.assign(context, "P", ["A"], count=1, actor="owner")
    label_store.save_labels(context, "P", first, spans([[0, 1, "PER"], [8, 9, "LOC"]]), base_version=0, actor="A",
                         annotator="A")
    assert {t.name: t.in_copies for t in overview.overview(context, "P").types} == {"PER": 1, "LOC": 1}  # what the page says
    assert entity_types.delete_entity_type(context, "P", "LOC", actor="owner") == 1
    assert documents.get_document(context, "P", first, "A").labels == spans([[0, 1, "PER"]])
    (trashed,) = entity_types.trash(context, "P")
    assert entity_types.restore_entity_type(context, "P", trashed.id, actor="owner") == (1, 0)
    assert documents.get_document(context, "P", first, "A").labels == spans([[0, 1, "PER"], [8, 9, "LOC"]])
