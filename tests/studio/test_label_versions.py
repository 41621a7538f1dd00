"""Labels never lost, without a browser: versions (409 on a stale save), the audit trail, the entity-type trash."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from customner import errors
from customner.assembly import build_context
from customner.context import AppContext
from customner.services import audit, projects
from customner.services.labeling import documents, entity_types, label_store
from customner.settings import Settings

TEXT = "Alice flew from Paris to Oslo."
ALICE, PARIS, OSLO = (0, 5), (16, 21), (25, 29)


def span(where: tuple[int, int], category: str) -> dict[str, object]:
    return {"start": where[0], "end": where[1], "category": category}


@pytest.fixture
def context(tmp_path: Path) -> AppContext:
    context = build_context(Settings(data_dir=tmp_path, api_key="k"))
    projects.create_or_update(context, "P", projects.ProjectChanges(
        project_kind=projects.PROJECT_KIND, storage_container="p-docs", language="en-us"))
    for name in ("person", "city", "country"):
        entity_types.add_entity_type(context, "P", name)
    documents.add_documents(context, "P", [documents.NewDocument("a.txt", TEXT.encode())], "Train")
    return context


def only_document(context: AppContext) -> int:
    return documents.list_documents(context, "P", documents.DocumentFilter())[0].id


def test_a_stale_save_is_refused_and_names_the_newer_labels(context: AppContext) -> None:
    document = only_document(context)
    first = label_store.save_labels(context, "P", document, [span(ALICE, "person")], base_version=0, actor="ann")
    assert first.version == 1
    with pytest.raises(label_store.StaleLabels) as refused:  # a second page still on version 0
        label_store.save_labels(context, "P", document, [span(OSLO, "city")], base_version=0, actor="bob")
    assert refused.value.status_code == 409
    assert (refused.value.version, refused.value.by) == (1, "ann")
    assert refused.value.labels == [span(ALICE, "person")]
    assert documents.get_document(context, "P", document).labels == [span(ALICE, "person")]  # nothing erased
    merged = label_store.save_labels(context, "P", document, [span(ALICE, "person"), span(OSLO, "city")],
                                  base_version=1, actor="bob")
    assert merged.version == 2


def test_a_save_that_changes_nothing_keeps_the_version(context: AppContext) -> None:
    document = only_document(context)
    label_store.save_labels(context, "P", document, [span(ALICE, "person")], base_version=0, actor="ann")
    again = label_store.save_labels(context, "P", document, [span(ALICE, "person")], base_version=1, actor="ann")
    assert again.version == 1
    assert len(audit.history(context, "P", document)) == 1


def test_the_audit_trail_says_who_changed_what_from_which_version(context: AppContext) -> None:
    document = only_document(context)
    label_store.save_labels(context, "P", document, [span(ALICE, "person")], base_version=0, actor="ann")
    label_store.save_labels(context, "P", document, [span(PARIS, "city")], base_version=1, actor="bob")
    newest, oldest = audit.history(context, "P", document)
    assert (oldest.actor, oldest.action, oldest.from_version, oldest.to_version) == ("ann", "save", 0, 1)
    assert oldest.added == [(0, 5, "person")] and oldest.removed == []
    assert (newest.actor, newest.from_version, newest.to_version) == ("bob", 1, 2)
    assert newest.added == [(16, 21, "city")] and newest.removed == [(0, 5, "person")]


def test_deleting_a_type_counts_its_labels_keeps_other_slots_and_can_be_undone(context: AppContext) -> None:
    document = only_document(context)
    label_store.save_labels(context, "P", document, [span(ALICE, "person"), span(PARIS, "city")], base_version=0, actor="ann")
    assert entity_types.delete_entity_type(context, "P", "person", actor="owner") == 1
    slots = {t.name: t.slot for t in documents.get_document(context, "P", document).types}
    assert slots == {"city": 1, "country": 2}  # keys 2 and 3 and their colours stay; nothing renumbered
    assert documents.get_document(context, "P", document).labels == [span(PARIS, "city")]
    assert documents.get_document(context, "P", document).version == 2  # open pages get a 409, not a silent loss
    (trashed,) = entity_types.trash(context, "P")
    assert (trashed.name, trashed.labels, trashed.deleted_by) == ("person", 1, "owner")
    entity_types.add_entity_type(context, "P", "org")  # takes the free slot 0
    entity_types.delete_entity_type(context, "P", "org", actor="owner")
    (org, person) = entity_types.trash(context, "P")
    assert entity_types.restore_entity_type(context, "P", person.id, actor="owner") == (1, 0)
    document_now = documents.get_document(context, "P", document)
    assert document_now.labels == [span(ALICE, "person"), span(PARIS, "city")]
    assert {t.name: t.slot for t in document_now.types} == {"person": 0, "city": 1, "country": 2}
    assert [t.name for t in entity_types.trash(context, "P")] == ["org"]
    assert audit.history(context, "P", document)[0].action == "type-restored"


def test_restoring_a_type_skips_labels_that_now_overlap(context: AppContext) -> None:
    document = only_document(context)
    label_store.save_labels(context, "P", document, [span(PARIS, "city")], base_version=0, actor="ann")
    entity_types.delete_entity_type(context, "P", "city", actor="owner")
    label_store.save_labels(context, "P", document, [span(PARIS, "country")], base_version=2, actor="ann")
    (trashed,) = entity_types.trash(context, "P")
    assert entity_types.restore_entity_type(context, "P", trashed.id, actor="owner") == (0, 1)
    assert documents.get_document(context, "P", document).labels == [span(PARIS, "country")]
    with pytest.raises(errors.NotFound):
        entity_types.restore_entity_type(context, "P", trashed.id, actor="owner")


def test_a_type_added_after_a_deletion_takes_the_free_key_not_anothers(context: AppContext) -> None:
    entity_types.delete_entity_type(context, "P", "city", actor="owner")
    entity_types.add_entity_type(context, "P", "date")
    entity_types.add_entity_type(context, "P", "time")
    document = documents.get_document(context, "P", only_document(context))
    assert {t.name: t.slot for t in document.types} == {"person": 0, "country": 2, "date": 1, "time": 3}


def test_concurrent_saves_on_one_version_let_exactly_one_win(context: AppContext) -> None:
    """Eight saves based on version 0 at once (eight pages): one wins, the others are refused, none is lost silently."""
    document = only_document(context)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def save(number: int) -> None:
        barrier.wait()
        try:
            label_store.save_labels(context, "P", document, [span((number, number + 1), "person")], base_version=0,
                                 actor=f"user{number}")
            outcomes.append(f"won:{number}")
        except label_store.StaleLabels:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [outcome for outcome in outcomes if outcome.startswith("won")]
    assert len(winners) == 1 and outcomes.count("refused") == 7
    number = int(winners[0].split(":")[1])
    stored = documents.get_document(context, "P", document)
    assert (stored.version, stored.labels) == (1, [span((number, number + 1), "person")])
    assert [change.actor for change in audit.history(context, "P", document)] == [f"user{number}"]
