"""Labeling for the Studio: documents in, labels saved, model suggestions, active learning, guidance.

A document counts as *labeled* once someone saved its labels (its region then covers the whole
text), even with no entities: "nothing to label here" is an answer too. Uploaded documents start
with no region and no labels, which is how the Studio tells "not looked at yet" apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from customner import errors
from customner.clock import utcnow
from customner.formats.sources import SourceMap
from customner.jobs import lifecycle
from customner.jobs.lifecycle import TERMINAL, JobStatus
from customner.services import projects, sources
from customner.services.evaluation import MIN_TEST_LABELS, MIN_TRAIN_LABELS
from customner.services.names import MAX_DOCUMENT_CHARACTERS, MAX_ENTITY_TYPES, check_file_name, container_key, entity_name_problem
from customner.store.tables import Document, EntityType, Job, Label, Project, TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext

DATASETS = ("Train", "Test")
# Documents scored per "next most useful" request; keeps the button fast on big projects.
MAX_SCORED_DOCUMENTS = 200


# ---------------------------------------------------------------- jobs


def wait_job(context: AppContext, job_id: str, timeout: float = 30.0) -> Job:
    """Wait for a short authoring job (import, deploy, delete) so the page can show its outcome."""
    get_job(context, job_id)
    return lifecycle.wait(context.db, job_id, timeout)


def get_job(context: AppContext, job_id: str) -> Job:
    job = lifecycle.load(context.db, job_id)
    if job is None:
        raise errors.NotFound(f"The job '{job_id}' was not found; it may have expired.")
    return job


def job_error(job: Job) -> str | None:
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
        session.add(EntityType(project_name=project_name, name=name, position=position))
        project.modified_at = utcnow()


def delete_entity_type(context: AppContext, project_name: str, name: str) -> int:
    """Remove a type and its labels; returns how many labels went with it."""
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        entity = next((e for e in project.entity_types if e.name == name), None)
        if entity is None:
            raise errors.NotFound(f"The entity type '{name}' does not exist in project '{project_name}'.")
        removed = 0
        for document in project.documents:
            doomed = [label for label in document.labels if label.category == name]
            for label in doomed:
                document.labels.remove(label)
            removed += len(doomed)
        project.entity_types.remove(entity)
        project.modified_at = utcnow()
        return removed


# ---------------------------------------------------------------- overview


@dataclass
class TypeCount:
    name: str
    train: int = 0
    test: int = 0


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
    counts = {entity.name: TypeCount(entity.name) for entity in project.entity_types}
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
    """One document as the labeling page needs it; offsets in code points."""

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


def get_document(context: AppContext, project_name: str, document_id: int) -> LabeledText:
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        document = _document(session, project_name, document_id)
        ids = [row.id for row in project.documents]
        index = ids.index(document.id)
        text = context.blobs.read_text(container_key(project.storage_container, document.location))
        return LabeledText(
            id=document.id, location=document.location, text=text, dataset=document.dataset,
            labeled=is_labeled(document),
            labels=[{"start": label.start, "end": label.end, "category": label.category} for label in document.labels],
            categories=[entity.name for entity in project.entity_types],
            previous_id=ids[index - 1] if index > 0 else None, next_id=ids[index + 1] if index + 1 < len(ids) else None,
            position=index + 1, total=len(ids))


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


def save_labels(context: AppContext, project_name: str, document_id: int, labels: list[dict[str, Any]]) -> int:
    """Replace a document's labels after checking them all; marks the document labeled. Returns the count."""
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        document = _document(session, project_name, document_id)
        length = len(context.blobs.read_text(container_key(project.storage_container, document.location)))
        declared = {entity.name for entity in project.entity_types}
        spans = sorted(_check_label(label, length, declared) for label in labels)
        for (_, end, _), (start, _, category) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise errors.InvalidRequest(f"Labels overlap at {start}; the '{category}' label starts inside another one.")
        document.labels.clear()
        session.flush()
        document.labels.extend(Label(start=start, end=end, category=category) for start, end, category in spans)
        document.regions = [[0, length]]
        project.modified_at = utcnow()
        return len(spans)


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


def suggestions(context: AppContext, project_name: str, document_id: int) -> list[dict[str, Any]]:
    """The latest model's entities that do not overlap a saved label (code points)."""
    model = latest_model(context, project_name)
    if model is None:
        return []
    document = get_document(context, project_name, document_id)
    predictor = context.models.get(model.id, model.artifact_path)
    taken = [(label["start"], label["end"]) for label in document.labels]
    found = predictor.predict([document.text])[0]
    return [
        {"start": e.start, "end": e.end, "category": e.category, "confidence": round(float(e.confidence), 4)}
        for e in found
        if e.category in document.categories and not any(e.start < end and start < e.end for start, end in taken)
    ]


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


def guidance(summary: dict[str, Any]) -> list[Guidance]:
    """Azure's five guidance rules, computed from a model's evaluation summary."""
    evaluation = summary.get("customEntityRecognitionEvaluation", {})
    entities: dict[str, dict[str, Any]] = evaluation.get("entities", {})
    found: list[Guidance] = []
    train = {name: int(e.get("trainLabelCount", 0)) for name, e in entities.items()}
    test = {name: int(e.get("testLabelCount", 0)) for name, e in entities.items()}
    present = [count for count in train.values() if count]
    if len(present) > 1 and max(present) > IMBALANCE_RATIO * min(present):
        rare = [name for name, count in train.items() if 0 < count * IMBALANCE_RATIO < max(present)]
        found.append(Guidance("imbalance", "Data imbalance",
                              f"Some types have over {IMBALANCE_RATIO:.0f}x fewer training labels than the most frequent "
                              "type; label more examples of them so the model does not ignore them.", rare))
    confused = _confused_pairs(evaluation.get("confusionMatrix", {}))
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
            and min(float(e.get("precision", 0)), float(e.get("recall", 0))) < LOW_SCORE]
    if weak:
        found.append(Guidance("low-score", "Low precision or recall",
                              f"Precision or recall is below {LOW_SCORE:.0%} for these types: low precision means "
                              "false alarms (review labels of similar text), low recall means misses (label more "
                              "varied examples).", weak))
    return found


def _confused_pairs(matrix: dict[str, dict[str, dict[str, float]]]) -> list[tuple[str, str]]:
    pairs = []
    for gold, row in matrix.items():
        total = sum(cell.get("rawValue", 0) for cell in row.values()) or 1
        for predicted, cell in row.items():
            if gold != predicted and "$none" not in (gold, predicted) and cell.get("rawValue", 0) / total >= CONFUSION_SHARE:
                pairs.append((gold, predicted))
    return pairs


def label_totals(context: AppContext, project_name: str) -> dict[str, int]:
    """Labeled and unlabeled document counts, for the training page's warning."""
    summary = overview(context, project_name)
    return {"documents": summary.documents, "labeled": summary.labeled, "unlabeled": summary.documents - summary.labeled}
