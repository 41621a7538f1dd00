"""Labeling for the Studio: documents in, labels saved, model suggestions, active learning, guidance.

A document counts as *labeled* once someone saved its labels (its region then covers the whole
text), even with no entities: "nothing to label here" is an answer too. Uploaded documents start
with no region and no labels, which is how the Studio tells "not looked at yet" apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from customner import errors
from customner.clock import utcnow
from customner.formats.sources import SourceMap
from customner.jobs import lifecycle
from customner.jobs.lifecycle import TERMINAL, JobRecord, JobStatus
from customner.services import audit, projects, sources
from customner.services.evaluation import MIN_TEST_LABELS, MIN_TRAIN_LABELS, ConfusionCell, EvaluationSummary
from customner.services.names import MAX_DOCUMENT_CHARACTERS, MAX_ENTITY_TYPES, check_file_name, container_key, entity_name_problem
from customner.store.tables import (
    Annotation,
    Document,
    EntityType,
    Label,
    Project,
    RejectedSuggestion,
    TrainedModel,
    TrashedEntityType,
)

if TYPE_CHECKING:
    from customner.context import AppContext

DATASETS = ("Train", "Test")
# How long a deleted entity type (with its labels) can be restored from the trash.
TRASH_DAYS = 30
# Documents scored per "next most useful" request; keeps the button fast on big projects.
MAX_SCORED_DOCUMENTS = 200


# ---------------------------------------------------------------- jobs


def wait_job(context: AppContext, job_id: str, timeout: float = 30.0) -> JobRecord:
    """Wait for a short authoring job (import, deploy, delete) so the page can show its outcome."""
    get_job(context, job_id)
    return lifecycle.wait(context.db, job_id, timeout)


def get_job(context: AppContext, job_id: str) -> JobRecord:
    job = lifecycle.load(context.db, job_id)
    if job is None:
        raise errors.NotFound(f"The job '{job_id}' was not found; it may have expired.")
    return job


def job_error(job: JobRecord) -> str | None:
    """The readable reason a job did not succeed, or None."""
    if job.status == JobStatus.SUCCEEDED:
        return None
    if job.errors:
        return "; ".join(str(error.get("message", error)) for error in job.errors if error)
    return f"The job ended as '{job.status}'." if job.status in TERMINAL else "The job is still running."


# ---------------------------------------------------------------- entity types


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
        for document in _documents(session, project_name):
            doomed = [label for label in document.labels if label.category == name]
            if doomed:
                before = _spans(document)
                for label in doomed:
                    document.labels.remove(label)
                    kept["labels"].append([document.id, label.start, label.end])
                _bump(session, document, before, actor, "type-deleted")
        for annotation in _annotations(session, project_name):
            spans = annotation.labels or []
            gone = [span for span in spans if span[2] == name]
            if gone:
                kept["annotations"] += [[annotation.id, int(start), int(end)] for start, end, _ in gone]
                _bump_annotation(session, annotation, [span for span in spans if span[2] != name], actor, "type-deleted")
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
            before = _spans(document)
            fitting = _without_overlaps(before, wanted)
            skipped += len(wanted) - len(fitting)
            if fitting:
                document.labels.extend(Label(start=start, end=end, category=row.name) for start, end in fitting)
                _bump(session, document, before, actor, "type-restored")
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
                _bump_annotation(session, annotation, spans + [(s, e, row.name) for s, e in fitting], actor, "type-restored")
                restored += len(fitting)
        session.delete(row)
        project.modified_at = utcnow()
        return restored, skipped


def _without_overlaps(existing: list[tuple[int, int, str]], wanted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(start, end) for start, end in wanted if not any(start < e and s < end for s, e, _ in existing)]


# ---------------------------------------------------------------- overview


@dataclass
class TypeCount:
    name: str
    train: int = 0
    test: int = 0
    slot: int = 0
    in_copies: int = 0  # labels in annotators' own copies


@dataclass
class ProjectOverview:
    name: str
    language: str
    description: str | None
    storage_container: str
    documents: int
    labeled: int
    types: list[TypeCount]
    trained_at: Any
    deployed_at: Any


def overview(context: AppContext, project_name: str) -> ProjectOverview:
    with context.db.session() as session:
        return _overview(session, projects.get_or_raise(session, project_name))


def overviews(context: AppContext) -> list[ProjectOverview]:
    with context.db.session() as session:
        rows = session.scalars(select(Project).order_by(Project.created_at, Project.name)).all()
        return [_overview(session, project) for project in rows]


def _overview(session: Session, project: Project) -> ProjectOverview:
    """Counts by SQL aggregation, so the projects list stays quick on big projects."""
    counts = {info.name: TypeCount(info.name, slot=info.slot) for info in type_infos(project)}
    grouped = session.execute(
        select(Label.category, Document.dataset, func.count()).join(Document, Label.document_id == Document.id)
        .where(Document.project_name == project.name).group_by(Label.category, Document.dataset))
    for category, dataset, number in grouped:
        count = counts.setdefault(category, TypeCount(category))
        if dataset == "Test":
            count.test += number
        else:
            count.train += number
    with_labels = set(session.scalars(select(Label.document_id).join(Document, Label.document_id == Document.id)
                                      .where(Document.project_name == project.name).distinct()))
    rows = session.execute(select(Document.id, Document.regions).where(Document.project_name == project.name)).all()
    labeled = sum(1 for document_id, regions in rows if regions or document_id in with_labels)
    for copy in _annotations(session, project.name):
        for _, _, category in copy.labels or []:
            if category in counts:
                counts[category].in_copies += 1
    return ProjectOverview(
        name=project.name, language=project.language, description=project.description,
        storage_container=project.storage_container, documents=len(rows), labeled=labeled,
        types=list(counts.values()), trained_at=project.trained_at, deployed_at=project.deployed_at)


def is_labeled(document: Document) -> bool:
    return bool(document.regions) or bool(document.labels)


# ---------------------------------------------------------------- documents


@dataclass
class NewDocument:
    name: str
    data: bytes


def add_documents(context: AppContext, project_name: str, files: list[NewDocument], dataset: str | None) -> list[str]:
    """Store texts in the project's container and list them as unlabeled documents; all or nothing."""
    if not files:
        raise errors.InvalidRequest("Choose at least one .txt, .pdf or .docx file, or paste some text.")
    _check_dataset(dataset)
    texts: dict[str, str] = {}
    maps: dict[str, SourceMap] = {}
    problems = []
    for upload in files:
        name = upload.name.strip()
        try:
            check_file_name(name)
            if sources.is_source_file(name):  # PDF or .docx: its text, extracted once, with its page map
                extracted = sources.read_source(name, upload.data)
                texts[name], maps[name] = extracted.text, extracted.source
            else:
                texts[name] = _decode(name, upload.data)
        except errors.ServiceError as error:
            problems.append(error.message)
    if len(texts) + len(problems) != len(files):
        problems.append("the same file name was given more than once")
    if problems:
        raise errors.InvalidRequest("Nothing was added: " + "; ".join(problems) + ".")
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        taken = sorted(set(texts) & {document.location for document in project.documents})
        if taken:
            raise errors.Conflict(f"Nothing was added: the project already has {', '.join(taken)}. Rename the file(s).")
        position = max((document.position for document in project.documents), default=-1) + 1
        container = project.storage_container
        for offset, (name, text) in enumerate(texts.items()):
            context.blobs.write_text(container_key(container, name), text)
            sources.save_map(context.blobs, container, name, maps.get(name))
            session.add(Document(project_name=project_name, location=name, dataset=dataset, position=position + offset,
                                 regions=[], language=None))
        project.modified_at = utcnow()
    return list(texts)


def paste_document(context: AppContext, project_name: str, text: str, name: str | None, dataset: str | None) -> str:
    """Pasted text becomes a ``.txt`` document; a free name is picked when none is given."""
    if not name:
        with context.db.session() as session:
            taken = {document.location for document in projects.get_or_raise(session, project_name).documents}
        number = 1
        while f"pasted-{number:03d}.txt" in taken:
            number += 1
        name = f"pasted-{number:03d}.txt"
    elif not name.endswith(".txt"):
        name += ".txt"
    add_documents(context, project_name, [NewDocument(name, text.replace("\r\n", "\n").encode("utf-8"))], dataset)
    return name


def _decode(name: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise errors.InvalidRequest(f"'{name}' is not UTF-8 text") from error
    if not text.strip():
        raise errors.InvalidRequest(f"'{name}' is empty")
    if len(text) > MAX_DOCUMENT_CHARACTERS:
        raise errors.InvalidRequest(f"'{name}' has {len(text)} characters; the limit is {MAX_DOCUMENT_CHARACTERS}")
    return text


def _check_dataset(dataset: str | None) -> None:
    if dataset is not None and dataset not in DATASETS:
        raise errors.InvalidRequest(f"The dataset must be Train or Test, not '{dataset}'.")


@dataclass
class DocumentFilter:
    status: str = "all"  # all | unlabeled | labeled
    category: str | None = None
    dataset: str | None = None  # Train | Test | none


@dataclass
class DocumentRow:
    id: int
    location: str
    dataset: str | None
    labeled: bool
    counts: dict[str, int]


def _documents(session: Session, project_name: str) -> list[Document]:
    """A project's documents in order, labels loaded in one extra query (not one per document)."""
    projects.get_or_raise(session, project_name)
    query = (select(Document).where(Document.project_name == project_name).order_by(Document.position, Document.id)
             .options(selectinload(Document.labels)))
    return list(session.scalars(query))


def list_documents(context: AppContext, project_name: str, wanted: DocumentFilter) -> list[DocumentRow]:
    with context.db.session() as session:
        rows = []
        for document in _documents(session, project_name):
            counts = dict(Counter(label.category for label in document.labels))
            labeled = is_labeled(document)
            if wanted.status == "unlabeled" and labeled or wanted.status == "labeled" and not labeled:
                continue
            if wanted.category and wanted.category not in counts:
                continue
            if wanted.dataset == "none" and document.dataset is not None:
                continue
            if wanted.dataset in DATASETS and document.dataset != wanted.dataset:
                continue
            rows.append(DocumentRow(document.id, document.location, document.dataset, labeled, counts))
        return rows


@dataclass
class LabeledText:
    """One document as the labeling page needs it; offsets in code points.

    ``annotator`` names whose copy of the labels this is (None: the project's labels, which training uses);
    ``version`` is what a save must name so it cannot erase a change it has not seen.
    """

    id: int
    location: str
    text: str
    dataset: str | None
    labeled: bool
    labels: list[dict[str, Any]]
    categories: list[str]
    previous_id: int | None
    next_id: int | None
    position: int
    total: int
    version: int = 0
    annotator: str | None = None
    types: list[TypeInfo] = field(default_factory=list)


def get_document(context: AppContext, project_name: str, document_id: int, annotator: str | None = None) -> LabeledText:
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        document = _document(session, project_name, document_id)
        ids = [row.id for row in project.documents]
        if annotator is not None:  # an annotator's previous/next are their own documents
            mine = set(session.scalars(select(Annotation.document_id).where(Annotation.annotator == annotator)))
            ids = [document_id for document_id in ids if document_id in mine or document_id == document.id]
        index = ids.index(document.id)
        text = context.blobs.read_text(container_key(project.storage_container, document.location))
        if annotator is None:
            spans, version, labeled = _spans(document), document.labels_version, is_labeled(document)
        else:
            copy = annotation_of(session, document.id, annotator)
            spans = [(int(s), int(e), str(c)) for s, e, c in copy.labels or []]
            version, labeled = copy.version, copy.labels is not None
        return LabeledText(
            id=document.id, location=document.location, text=text, dataset=document.dataset, labeled=labeled,
            labels=[{"start": start, "end": end, "category": category} for start, end, category in spans],
            categories=[entity.name for entity in project.entity_types],
            previous_id=ids[index - 1] if index > 0 else None, next_id=ids[index + 1] if index + 1 < len(ids) else None,
            position=index + 1, total=len(ids), version=version, annotator=annotator, types=type_infos(project))


def annotation_of(session: Session, document_id: int, annotator: str) -> Annotation:
    copy = session.scalars(select(Annotation).where(Annotation.document_id == document_id,
                                                    Annotation.annotator == annotator)).first()
    if copy is None:
        raise errors.NotFound(f"Document {document_id} is not assigned to '{annotator}'.")
    return copy


def _annotations(session: Session, project_name: str) -> list[Annotation]:
    return list(session.scalars(select(Annotation).join(Document, Annotation.document_id == Document.id)
                                .where(Document.project_name == project_name)))


def _spans(document: Document) -> list[tuple[int, int, str]]:
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


def _bump(session: Session, document: Document, before: list[tuple[int, int, str]], actor: str, action: str) -> int:
    """Record a change of the project's labels of ``document``: new version, audit event."""
    new = _advance(session, document, document.labels_version)
    session.flush()
    audit.record(session, document, actor=actor, action=action, before=before, after=_spans(document),
                 from_version=new - 1, to_version=new)
    return new


def _bump_annotation(session: Session, copy: Annotation, spans: list[tuple[int, int, str]], actor: str,
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


def _document(session: Session, project_name: str, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.project_name != project_name:
        raise errors.NotFound(f"Document {document_id} was not found in project '{project_name}'.")
    return document


def set_dataset(context: AppContext, project_name: str, document_id: int, dataset: str | None) -> None:
    _check_dataset(dataset)
    with context.db.session() as session:
        projects.get_or_raise(session, project_name).modified_at = utcnow()
        _document(session, project_name, document_id).dataset = dataset


def set_dataset_many(context: AppContext, project_name: str, document_ids: list[int], dataset: str | None) -> int:
    """Assign several documents at once (the documents page's "apply to all shown")."""
    _check_dataset(dataset)
    with context.db.session() as session:
        wanted = set(document_ids)
        changed = 0
        for document in _documents(session, project_name):
            if document.id in wanted:
                document.dataset = dataset
                changed += 1
        projects.get_or_raise(session, project_name).modified_at = utcnow()
        return changed


def delete_document(context: AppContext, project_name: str, document_id: int) -> None:
    """Forget the document in the project; its text stays in the storage container, as in Azure."""
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        project.documents.remove(_document(session, project_name, document_id))
        project.modified_at = utcnow()


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
        document = _document(session, project_name, document_id)
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
            return Saved(len(spans), _bump_annotation(session, copy, spans, actor, action))
        before = _spans(document)
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


# ---------------------------------------------------------------- model assistance


def latest_model(context: AppContext, project_name: str) -> TrainedModel | None:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        return session.scalars(select(TrainedModel).where(TrainedModel.project_name == project_name)
                               .order_by(TrainedModel.trained_at.desc())).first()


def suggestions(context: AppContext, project_name: str, document_id: int,
                annotator: str | None = None) -> tuple[str | None, list[dict[str, Any]]]:
    """The latest model's id and its entities that overlap no saved label and were not rejected (code points)."""
    model = latest_model(context, project_name)
    if model is None:
        return None, []
    document = get_document(context, project_name, document_id, annotator)
    with context.db.session() as session:
        rejected = {(row.start, row.end, row.category) for row in session.scalars(select(RejectedSuggestion).where(
            RejectedSuggestion.document_id == document_id, RejectedSuggestion.model_id == model.id))}
    predictor = context.models.get(model.id, model.artifact_path)
    taken = [(label["start"], label["end"]) for label in document.labels]
    found = predictor.predict([document.text])[0]
    return model.id, [
        {"start": e.start, "end": e.end, "category": e.category, "confidence": round(float(e.confidence), 4)}
        for e in found
        if e.category in document.categories and (e.start, e.end, e.category) not in rejected
        and not any(e.start < end and start < e.end for start, end in taken)
    ]


def reject_suggestions(context: AppContext, project_name: str, document_id: int, model_id: str,
                       spans: list[dict[str, Any]], *, actor: str, undo: bool = False) -> int:
    """Remember (or, with ``undo``, forget) rejected suggestions of one model on one document."""
    with context.db.session() as session:
        _document(session, project_name, document_id)
        model = session.get(TrainedModel, model_id)
        if model is None or model.project_name != project_name:
            raise errors.NotFound(f"The model '{model_id}' does not exist in project '{project_name}'.")
        wanted = set()
        for span in spans:
            try:
                wanted.add((int(span["start"]), int(span["end"]), str(span["category"])))
            except (KeyError, TypeError, ValueError) as error:
                raise errors.InvalidRequest("Each suggestion needs a start, an end and a category.") from error
        stored = {(row.start, row.end, row.category): row for row in session.scalars(select(RejectedSuggestion).where(
            RejectedSuggestion.document_id == document_id, RejectedSuggestion.model_id == model_id))}
        if undo:
            for key in wanted & set(stored):
                session.delete(stored[key])
        else:
            session.add_all(RejectedSuggestion(document_id=document_id, model_id=model_id, start=start, end=end,
                                               category=category, actor=actor, at=utcnow())
                            for start, end, category in sorted(wanted - set(stored)))
        return len(wanted)


def uncertainty(confidences: list[float]) -> float:
    """1 at confidence 0.5, 0 at 0 or 1 (Prodigy's ``prefer_uncertain``); no entity at all counts as 0.5."""
    if not confidences:
        return 0.5
    return max(1.0 - 2.0 * abs(c - 0.5) for c in confidences)


def most_useful(context: AppContext, project_name: str, exclude: int | None = None) -> list[tuple[int, float]]:
    """Unlabeled documents, most uncertain first; in project order when no model exists yet."""
    with context.db.session() as session:
        container = projects.get_or_raise(session, project_name).storage_container
        pending = [(d.id, d.location) for d in _documents(session, project_name) if not is_labeled(d) and d.id != exclude]
    model = latest_model(context, project_name)
    if model is None or not pending:
        return [(document_id, 0.0) for document_id, _ in pending]
    scored = pending[:MAX_SCORED_DOCUMENTS]
    texts = [context.blobs.read_text(container_key(container, location)) for _, location in scored]
    predictions = context.models.get(model.id, model.artifact_path).predict(texts)
    ranked = [(document_id, uncertainty([e.confidence for e in found]))
              for (document_id, _), found in zip(scored, predictions, strict=True)]
    ranked.sort(key=lambda item: -item[1])
    return ranked + [(document_id, 0.0) for document_id, _ in pending[MAX_SCORED_DOCUMENTS:]]


# ---------------------------------------------------------------- guidance


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
            if gold != predicted and "$none" not in (gold, predicted) and cell.count / total >= CONFUSION_SHARE:
                pairs.append((gold, predicted))
    return pairs


def label_totals(context: AppContext, project_name: str) -> dict[str, int]:
    """Labeled and unlabeled document counts, for the training page's warning."""
    summary = overview(context, project_name)
    return {"documents": summary.documents, "labeled": summary.labeled, "unlabeled": summary.documents - summary.labeled}
