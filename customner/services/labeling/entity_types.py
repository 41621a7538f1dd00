"""A project's entity types as the Studio edits them: add, delete to the trash with their labels, restore."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from customner import errors
from customner.clock import utcnow
from customner.services import projects
from customner.services.labeling import label_store
from customner.services.names import MAX_ENTITY_TYPES, entity_name_problem
from customner.store.tables import Annotation, Document, EntityType, Label, Project, TrashedEntityType

if TYPE_CHECKING:
    from customner.context import AppContext

# How long a deleted entity type (with its labels) can be restored from the trash.
TRASH_DAYS = 30


def add_entity_type(context: AppContext, project_name: str, name: str) -> None:
    name = name.strip()
    problem = entity_name_problem(name)
    if problem:
        raise errors.InvalidRequest(problem[0].upper() + problem[1:] + ".")
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        names = [entity.name for entity in project.entity_types]
        if name in names:
            raise errors.Conflict(f"The entity type '{name}' already exists.")
        if len(names) >= MAX_ENTITY_TYPES:
            raise errors.QuotaExceeded(f"A project may have at most {MAX_ENTITY_TYPES} entity types.")
        position = max((entity.position for entity in project.entity_types), default=-1) + 1
        session.add(EntityType(project_name=project_name, name=name, position=position, slot=free_slot(project)))
        project.modified_at = utcnow()


def free_slot(project: Project, wanted: int | None = None) -> int:
    """``wanted`` if no type holds it, else the lowest slot no type holds: the others keep theirs."""
    taken = {entity.slot for entity in project.entity_types}
    if wanted is not None and wanted not in taken:
        return wanted
    return next(slot for slot in range(len(taken) + 1) if slot not in taken)


@dataclass
class TypeInfo:
    """An entity type as the labeling page needs it: keyboard key ``slot + 1``, colour ``slot % 10``."""

    name: str
    slot: int


def type_infos(project: Project) -> list[TypeInfo]:
    return [TypeInfo(entity.name, entity.slot if entity.slot is not None else entity.position)
            for entity in project.entity_types]


def delete_entity_type(context: AppContext, project_name: str, name: str, *, actor: str) -> int:
    """Move a type and its labels to the trash (restorable for TRASH_DAYS); returns how many labels went."""
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        entity = next((e for e in project.entity_types if e.name == name), None)
        if entity is None:
            raise errors.NotFound(f"The entity type '{name}' does not exist in project '{project_name}'.")
        kept: dict[str, list[list[int]]] = {"labels": [], "annotations": []}
        for document in label_store.project_documents(session, project_name):
            doomed = [label for label in document.labels if label.category == name]
            if doomed:
                before = label_store.spans_of(document)
                for label in doomed:
                    document.labels.remove(label)
                    kept["labels"].append([document.id, label.start, label.end])
                label_store.bump(session, document, before, actor, "type-deleted")
        for annotation in label_store.project_annotations(session, project_name):
            spans = annotation.labels or []
            gone = [span for span in spans if span[2] == name]
            if gone:
                kept["annotations"] += [[annotation.id, int(start), int(end)] for start, end, _ in gone]
                label_store.bump_annotation(session, annotation, [span for span in spans if span[2] != name], actor, "type-deleted")
        session.add(TrashedEntityType(project_name=project_name, name=name, slot=entity.slot, description=entity.description,
                                      deleted_by=actor, deleted_at=utcnow(), labels=kept))
        project.entity_types.remove(entity)
        project.modified_at = utcnow()
        return len(kept["labels"]) + len(kept["annotations"])


@dataclass
class TrashedType:
    id: int
    name: str
    labels: int
    deleted_by: str
    deleted_at: datetime


def trash(context: AppContext, project_name: str) -> list[TrashedType]:
    """Deleted types that can still be restored, newest first; older ones are dropped here."""
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        rows = session.scalars(select(TrashedEntityType).where(TrashedEntityType.project_name == project_name)
                               .order_by(TrashedEntityType.id.desc())).all()
        kept = []
        for row in rows:
            if row.deleted_at < utcnow() - timedelta(days=TRASH_DAYS):
                session.delete(row)
                continue
            count = len(row.labels.get("labels", [])) + len(row.labels.get("annotations", []))
            kept.append(TrashedType(row.id, row.name, count, row.deleted_by, row.deleted_at))
        return kept


def restore_entity_type(context: AppContext, project_name: str, trash_id: int, *, actor: str) -> tuple[int, int]:
    """Bring a deleted type back with its labels; returns (labels restored, labels skipped).

    A label is skipped when its document is gone or someone labeled an overlapping span since.
    """
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        row = session.get(TrashedEntityType, trash_id)
        if row is None or row.project_name != project_name:
            raise errors.NotFound(f"Nothing with id {trash_id} is in the trash of project '{project_name}'.")
        if any(entity.name == row.name for entity in project.entity_types):
            raise errors.Conflict(f"The project has an entity type '{row.name}' again; rename or delete it first.")
        if len(project.entity_types) >= MAX_ENTITY_TYPES:
            raise errors.QuotaExceeded(f"A project may have at most {MAX_ENTITY_TYPES} entity types.")
        position = max((entity.position for entity in project.entity_types), default=-1) + 1
        session.add(EntityType(project_name=project_name, name=row.name, description=row.description, position=position,
                               slot=free_slot(project, row.slot)))
        restored = skipped = 0
        by_document: dict[int, list[tuple[int, int]]] = {}
        for document_id, start, end in row.labels.get("labels", []):
            by_document.setdefault(int(document_id), []).append((int(start), int(end)))
        for document_id, wanted in by_document.items():
            document = session.get(Document, document_id)
            if document is None or document.project_name != project_name:
                skipped += len(wanted)
                continue
            before = label_store.spans_of(document)
            fitting = _without_overlaps(before, wanted)
            skipped += len(wanted) - len(fitting)
            if fitting:
                document.labels.extend(Label(start=start, end=end, category=row.name) for start, end in fitting)
                label_store.bump(session, document, before, actor, "type-restored")
                restored += len(fitting)
        by_annotation: dict[int, list[tuple[int, int]]] = {}
        for annotation_id, start, end in row.labels.get("annotations", []):
            by_annotation.setdefault(int(annotation_id), []).append((int(start), int(end)))
        for annotation_id, wanted in by_annotation.items():
            annotation = session.get(Annotation, annotation_id)
            if annotation is None:
                skipped += len(wanted)
                continue
            spans = [(int(s), int(e), str(c)) for s, e, c in annotation.labels or []]
            fitting = _without_overlaps(spans, wanted)
            skipped += len(wanted) - len(fitting)
            if fitting:
                label_store.bump_annotation(session, annotation, spans + [(s, e, row.name) for s, e in fitting], actor, "type-restored")
                restored += len(fitting)
        session.delete(row)
        project.modified_at = utcnow()
        return restored, skipped


def _without_overlaps(existing: list[tuple[int, int, str]], wanted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(start, end) for start, end in wanted if not any(start < e and s < end for s, e, _ in existing)]
