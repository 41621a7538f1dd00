"""A document's saved labels, the project's copy or an annotator's, each with a version and an audit trail.

A document counts as *labeled* once someone saved its labels (its region then covers the whole
text), even with no entities: "nothing to label here" is an answer too. Uploaded documents start
with no region and no labels, which is how the Studio tells "not looked at yet" apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from customner import errors
from customner.clock import utcnow
from customner.services import audit, projects
from customner.services.names import container_key
from customner.store.tables import Annotation, Document, Label

if TYPE_CHECKING:
    from customner.context import AppContext

def is_labeled(document: Document) -> bool:
    return bool(document.regions) or bool(document.labels)


def project_documents(session: Session, project_name: str) -> list[Document]:
    """A project's documents in order, labels loaded in one extra query (not one per document)."""
    projects.get_or_raise(session, project_name)
    query = (select(Document).where(Document.project_name == project_name).order_by(Document.position, Document.id)
             .options(selectinload(Document.labels)))
    return list(session.scalars(query))


def annotation_of(session: Session, document_id: int, annotator: str) -> Annotation:
    copy = session.scalars(select(Annotation).where(Annotation.document_id == document_id,
                                                    Annotation.annotator == annotator)).first()
    if copy is None:
        raise errors.NotFound(f"Document {document_id} is not assigned to '{annotator}'.")
    return copy


def project_annotations(session: Session, project_name: str) -> list[Annotation]:
    return list(session.scalars(select(Annotation).join(Document, Annotation.document_id == Document.id)
                                .where(Document.project_name == project_name)))


def spans_of(document: Document) -> list[tuple[int, int, str]]:
    return sorted((label.start, label.end, label.category) for label in document.labels)


def _advance(session: Session, row: Document | Annotation, expected: int) -> int:
    """Move a copy's version from ``expected`` to the next, in one conditional UPDATE.

    That single statement decides which of two concurrent saves wins (the database serializes it), so a
    save that read the version just before another one committed is refused too, never applied on top.
    """
    table: type[Document] | type[Annotation] = type(row)
    column = "labels_version" if table is Document else "version"
    with session.no_autoflush:
        result = session.execute(update(table).where(table.id == row.id, getattr(table, column) == expected)
                                 .values({column: expected + 1}).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _stale_now(session, row)
    set_committed_value(row, column, expected + 1)
    return expected + 1


def _stale_now(session: Session, row: Document | Annotation) -> StaleLabels:
    """The refusal for a save that lost the race: with the labels and version that won."""
    with session.no_autoflush:
        if isinstance(row, Document):
            version = session.scalar(select(Document.labels_version).where(Document.id == row.id)) or 0
            current = sorted(session.execute(select(Label.start, Label.end, Label.category)
                                             .where(Label.document_id == row.id)).tuples())
            annotator, document_id = None, row.id
        else:
            version, labels = session.execute(select(Annotation.version, Annotation.labels)
                                              .where(Annotation.id == row.id)).one()
            current = sorted((int(s), int(e), str(c)) for s, e, c in labels or [])
            annotator, document_id = row.annotator, row.document_id
    last = audit.last_change(session, document_id, annotator)
    return StaleLabels(version, [{"start": s, "end": e, "category": c} for s, e, c in current],
                       last.actor if last else None, last.at if last else None)


def bump(session: Session, document: Document, before: list[tuple[int, int, str]], actor: str, action: str) -> int:
    """Record a change of the project's labels of ``document``: new version, audit event."""
    new = _advance(session, document, document.labels_version)
    session.flush()
    audit.record(session, document, actor=actor, action=action, before=before, after=spans_of(document),
                 from_version=new - 1, to_version=new)
    return new


def bump_annotation(session: Session, copy: Annotation, spans: list[tuple[int, int, str]], actor: str,
                     action: str) -> int:
    """Store an annotator's new labels with a new version and an audit event."""
    before = [(int(s), int(e), str(c)) for s, e, c in copy.labels or []]
    spans = [(int(s), int(e), str(c)) for s, e, c in spans]
    new = _advance(session, copy, copy.version)
    copy.labels = [list(span) for span in sorted(spans)]
    copy.updated_at = utcnow()
    document = session.get(Document, copy.document_id)
    assert document is not None
    audit.record(session, document, actor=actor, action=action, before=before, after=sorted(spans),
                 from_version=new - 1, to_version=new, annotator=copy.annotator)
    return new


def find_document(session: Session, project_name: str, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.project_name != project_name:
        raise errors.NotFound(f"Document {document_id} was not found in project '{project_name}'.")
    return document


@dataclass
class Saved:
    count: int
    version: int


class StaleLabels(errors.Conflict):
    """A save based on an older version than the stored one: refused, so it cannot erase someone's change."""

    def __init__(self, version: int, labels: list[dict[str, Any]], by: str | None, at: datetime | None) -> None:
        who = f" by {by}" if by else ""
        super().__init__(f"These labels changed since you opened the document (now version {version}, saved{who}). "
                         "Merge your changes or reload.")
        self.version, self.labels, self.by, self.at = version, labels, by, at


def save_labels(context: AppContext, project_name: str, document_id: int, labels: list[dict[str, Any]], *,
                base_version: int, actor: str, annotator: str | None = None, action: str = "save") -> Saved:
    """Replace one copy of a document's labels after checking them all, if nobody changed it since ``base_version``.

    The copy is the project's labels (``annotator`` None, what training uses; marks the document labeled)
    or one annotator's own. A save that changes nothing keeps the version, so it cannot cause conflicts.
    """
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        document = find_document(session, project_name, document_id)
        length = len(context.blobs.read_text(container_key(project.storage_container, document.location)))
        declared = {entity.name for entity in project.entity_types}
        spans = sorted(_check_label(label, length, declared) for label in labels)
        for (_, end, _), (start, _, category) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise errors.InvalidRequest(f"Labels overlap at {start}; the '{category}' label starts inside another one.")
        if annotator is not None:
            copy = annotation_of(session, document.id, annotator)
            current = [(int(s), int(e), str(c)) for s, e, c in copy.labels or []]
            _check_version(session, document.id, annotator, base_version, copy.version, current)
            if current == spans and copy.labels is not None:
                return Saved(len(spans), copy.version)
            return Saved(len(spans), bump_annotation(session, copy, spans, actor, action))
        before = spans_of(document)
        _check_version(session, document.id, None, base_version, document.labels_version, before)
        reviewed = action == "review"
        if before == spans and is_labeled(document) and not reviewed:
            return Saved(len(spans), document.labels_version)
        new = _advance(session, document, base_version)  # first write: a concurrent save cannot slip in
        document.labels.clear()
        session.flush()
        document.labels.extend(Label(start=start, end=end, category=category) for start, end, category in spans)
        document.regions = [[0, length]]
        if reviewed:
            document.reviewed_by, document.reviewed_at = actor, utcnow()
        project.modified_at = utcnow()
        session.flush()
        audit.record(session, document, actor=actor, action=action, before=before, after=spans,
                     from_version=base_version, to_version=new)
        return Saved(len(spans), new)


def _check_version(session: Session, document_id: int, annotator: str | None, base: int, stored: int,
                   current: list[tuple[int, int, str]]) -> None:
    if base == stored:
        return
    last = audit.last_change(session, document_id, annotator)
    raise StaleLabels(stored, [{"start": s, "end": e, "category": c} for s, e, c in current],
                      last.actor if last else None, last.at if last else None)


def _check_label(label: dict[str, Any], length: int, declared: set[str]) -> tuple[int, int, str]:
    try:
        start, end, category = int(label["start"]), int(label["end"]), str(label["category"])
    except (KeyError, TypeError, ValueError) as error:
        raise errors.InvalidRequest("Each label needs a start, an end and a category.") from error
    if not 0 <= start < end <= length:
        raise errors.InvalidRequest(f"The label {start}-{end} falls outside the document (length {length}).")
    if category not in declared:
        raise errors.InvalidRequest(f"The entity type '{category}' is not declared in this project.")
    return start, end, category
