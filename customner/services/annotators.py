"""Several annotators per document: assignments, each annotator's own labels, review and agreement.

Annotators label their own copy of a document (``Annotation`` rows), apart from each other and from the
project's labels. A reviewer settles a document by accepting one copy or a merge of the candidates; that
becomes the project's labels, which training and export use. Annotators are named by the user-name string.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from customner import errors
from customner.clock import utcnow
from customner.ner.agreement import AgreementReport, AnnotatedDocument, agreement
from customner.ner.tokenize import tokenize
from customner.ner.types import Span
from customner.services import projects
from customner.services.labeling import documents, label_store
from customner.services.names import container_key
from customner.store.tables import Annotation, Document

if TYPE_CHECKING:
    from customner.context import AppContext

MAX_NAME = 100


def _names(annotators: list[str]) -> list[str]:
    names = list(dict.fromkeys(name.strip() for name in annotators if name.strip()))
    if not names:
        raise errors.InvalidRequest("Name at least one annotator.")
    too_long = [name for name in names if len(name) > MAX_NAME]
    if too_long:
        raise errors.InvalidRequest(f"Annotator names are at most {MAX_NAME} characters: {too_long[0][:20]}….")
    return names


def assign(context: AppContext, project_name: str, annotators: list[str], *, per_document: int = 1,
           count: int | None = None, wanted: documents.DocumentFilter | None = None, actor: str) -> int:
    """Give documents to annotators, ``per_document`` different annotators each, the least busy first.

    The documents are those matching ``wanted`` (all by default) that still lack annotators, in project
    order, at most ``count`` of them. Returns how many assignments were made.
    """
    names = _names(annotators)
    if not 1 <= per_document <= len(names):
        raise errors.InvalidRequest(f"Each document can go to 1 to {len(names)} of the annotators named, "
                                    f"not {per_document}.")
    if count is not None and count < 1:
        raise errors.InvalidRequest("Assign at least one document.")
    rows = documents.list_documents(context, project_name, wanted or documents.DocumentFilter())
    with context.db.session() as session:
        existing = _copies(session, project_name)
        load = Counter({name: 0 for name in names})
        load.update(copy.annotator for copy in existing if copy.annotator in load)
        holders: dict[int, set[str]] = {}
        for copy in existing:
            holders.setdefault(copy.document_id, set()).add(copy.annotator)
        made = given = 0
        for row in rows:
            have = holders.get(row.id, set())
            if len(have & set(names)) >= per_document:
                continue
            if count is not None and given >= count:
                break
            free = sorted((name for name in names if name not in have), key=lambda name: (load[name], names.index(name)))
            for name in free[:per_document - len(have & set(names))]:
                session.add(Annotation(document_id=row.id, annotator=name, labels=None, version=0,
                                       assigned_by=actor, assigned_at=utcnow()))
                load[name] += 1
                made += 1
            given += 1
        return made


def _copies(session: Session, project_name: str) -> list[Annotation]:
    return list(session.scalars(select(Annotation).join(Document, Annotation.document_id == Document.id)
                                .where(Document.project_name == project_name)
                                .order_by(Document.position, Document.id, Annotation.annotator)))


@dataclass
class Progress:
    annotator: str
    assigned: int
    labeled: int
    first_open: int | None  # the first assigned document not labeled yet


def progress(context: AppContext, project_name: str) -> list[Progress]:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        found: dict[str, Progress] = {}
        for copy in _copies(session, project_name):
            entry = found.setdefault(copy.annotator, Progress(copy.annotator, 0, 0, None))
            entry.assigned += 1
            if copy.labels is not None:
                entry.labeled += 1
            elif entry.first_open is None:
                entry.first_open = copy.document_id
        return sorted(found.values(), key=lambda p: p.annotator)


def assigned_ids(context: AppContext, project_name: str, annotator: str) -> list[int]:
    """An annotator's documents in project order."""
    with context.db.session() as session:
        return [copy.document_id for copy in _copies(session, project_name) if copy.annotator == annotator]


@dataclass
class ReviewRow:
    id: int
    location: str
    annotators: list[str]
    labeled_by: list[str]
    reviewed_by: str | None
    reviewed_at: datetime | None


def review_queue(context: AppContext, project_name: str) -> list[ReviewRow]:
    """Documents given to annotators, with who labeled them so far and whether they are reviewed."""
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        rows: dict[int, ReviewRow] = {}
        for copy in _copies(session, project_name):
            document = session.get(Document, copy.document_id)
            assert document is not None
            row = rows.setdefault(document.id, ReviewRow(document.id, document.location, [], [], document.reviewed_by,
                                                         document.reviewed_at))
            row.annotators.append(copy.annotator)
            if copy.labels is not None:
                row.labeled_by.append(copy.annotator)
        return list(rows.values())


@dataclass
class Candidate:
    """One distinct span some annotator labeled, with who did."""

    start: int
    end: int
    category: str
    text: str
    by: list[str]

    @property
    def key(self) -> str:
        return f"{self.start}:{self.end}:{self.category}"


@dataclass
class ReviewView:
    id: int
    location: str
    text: str
    copies: dict[str, list[Span] | None]  # None: not labeled yet
    current: list[Span]
    version: int
    candidates: list[Candidate]
    reviewed_by: str | None
    reviewed_at: datetime | None
    slots: dict[str, int]


def review_view(context: AppContext, project_name: str, document_id: int) -> ReviewView:
    document = documents.get_document(context, project_name, document_id)
    with context.db.session() as session:
        row = session.get(Document, document_id)
        assert row is not None
        copies = {copy.annotator: None if copy.labels is None else [Span(int(s), int(e), str(c)) for s, e, c in copy.labels]
                  for copy in session.scalars(select(Annotation).where(Annotation.document_id == document_id)
                                              .order_by(Annotation.annotator))}
        reviewed_by, reviewed_at = row.reviewed_by, row.reviewed_at
    if not copies:
        raise errors.NotFound(f"Document {document_id} is not assigned to any annotator.")
    who: dict[Span, list[str]] = {}
    for name, spans in copies.items():
        for span in spans or []:
            who.setdefault(span, []).append(name)
    candidates = [Candidate(s.start, s.end, s.category, document.text[s.start:s.end], names)
                  for s, names in sorted(who.items(), key=lambda item: (item[0].start, item[0].end, item[0].category))]
    return ReviewView(document.id, document.location, document.text, copies,
                      [Span(x["start"], x["end"], x["category"]) for x in document.labels], document.version, candidates,
                      reviewed_by, reviewed_at, {t.name: t.slot for t in document.types})


def settle(context: AppContext, project_name: str, document_id: int, *, base_version: int, actor: str,
           accept: str | None = None, keep: list[str] | None = None) -> label_store.Saved:
    """Make one annotator's copy (``accept``), or the chosen candidates (``keep``), the project's labels."""
    view = review_view(context, project_name, document_id)
    if accept is not None:
        if accept not in view.copies:
            raise errors.NotFound(f"Document {document_id} is not assigned to '{accept}'.")
        chosen = view.copies[accept]
        if chosen is None:
            raise errors.InvalidRequest(f"{accept} has not labeled this document yet.")
    else:
        by_key = {candidate.key: candidate for candidate in view.candidates}
        unknown = [key for key in keep or [] if key not in by_key]
        if unknown:
            raise errors.InvalidRequest(f"Not a span any annotator labeled: {unknown[0]}.")
        chosen = sorted((Span(c.start, c.end, c.category) for c in (by_key[key] for key in keep or [])),
                        key=lambda span: (span.start, span.end, span.category))
        for a, b in zip(chosen, chosen[1:], strict=False):
            if b.start < a.end:
                raise errors.InvalidRequest(
                    f"“{view.text[a.start:a.end]}” ({a.category}) and “{view.text[b.start:b.end]}” ({b.category}) "
                    "overlap; keep only one of them.")
    labels = [{"start": s.start, "end": s.end, "category": s.category} for s in chosen]
    return label_store.save_labels(context, project_name, document_id, labels, base_version=base_version, actor=actor,
                                action="review")


def project_agreement(context: AppContext, project_name: str) -> AgreementReport:
    """Agreement over every document that two or more annotators labeled (tokens as the models see them)."""
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        categories = [entity.name for entity in project.entity_types]
        container = project.storage_container
        grouped: dict[int, dict[str, list[Span]]] = {}
        locations: dict[int, str] = {}
        for copy in _copies(session, project_name):
            if copy.labels is not None:
                grouped.setdefault(copy.document_id, {})[copy.annotator] = [
                    Span(int(s), int(e), str(c)) for s, e, c in copy.labels]
        for document_id in grouped:
            row = session.get(Document, document_id)
            assert row is not None
            locations[document_id] = row.location
    annotated = []
    for document_id, copies in grouped.items():
        if len(copies) < 2:
            continue
        text = context.blobs.read_text(container_key(container, locations[document_id]))
        annotated.append(AnnotatedDocument([(w.start, w.end) for w in tokenize(text)], copies))
    return agreement(annotated, categories)
