"""The labels' audit trail: one event per change of a document's labels, shown per document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from customner.clock import utcnow
from customner.store.tables import Document, LabelEvent

if TYPE_CHECKING:
    from customner.context import AppContext

SpanTuple = tuple[int, int, str]
MAX_SHOWN_EVENTS = 100


def record(session: Session, document: Document, *, actor: str, action: str, before: list[SpanTuple],
           after: list[SpanTuple], from_version: int, to_version: int, annotator: str | None = None) -> None:
    """Add one event to the trail, with the spans added and removed (code points)."""
    old, new = set(before), set(after)
    session.add(LabelEvent(
        project_name=document.project_name, document_id=document.id, actor=actor, at=utcnow(), action=action,
        annotator=annotator, from_version=from_version, to_version=to_version,
        added=[list(span) for span in sorted(new - old)], removed=[list(span) for span in sorted(old - new)]))


@dataclass
class Change:
    """One entry of a document's history."""

    actor: str
    at: datetime
    action: str
    annotator: str | None
    from_version: int
    to_version: int
    added: list[SpanTuple]
    removed: list[SpanTuple]


def history(context: AppContext, project_name: str, document_id: int, annotator: str | None = None) -> list[Change]:
    """A document's label changes, newest first; with ``annotator``, only that annotator's copy (so annotators
    do not see each other's labels)."""
    with context.db.session() as session:
        query = select(LabelEvent).where(LabelEvent.project_name == project_name, LabelEvent.document_id == document_id)
        if annotator is not None:
            query = query.where(LabelEvent.annotator == annotator)
        rows = session.scalars(query.order_by(LabelEvent.id.desc()).limit(MAX_SHOWN_EVENTS))
        return [Change(row.actor, row.at, row.action, row.annotator, row.from_version, row.to_version,
                       [(int(s), int(e), str(c)) for s, e, c in row.added],
                       [(int(s), int(e), str(c)) for s, e, c in row.removed]) for row in rows]


def last_change(session: Session, document_id: int, annotator: str | None) -> LabelEvent | None:
    """The newest event of one copy of a document's labels (who saved what the others now conflict with)."""
    query = select(LabelEvent).where(LabelEvent.document_id == document_id)
    query = query.where(LabelEvent.annotator.is_(None) if annotator is None else LabelEvent.annotator == annotator)
    return session.scalars(query.order_by(LabelEvent.id.desc()).limit(1)).first()
