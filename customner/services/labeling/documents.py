"""Documents for labeling: upload or paste, list and filter, open one with its labels, assign train/test, forget."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from customner import errors
from customner.clock import utcnow
from customner.formats.sources import SourceMap
from customner.services import projects, sources
from customner.services.labeling import entity_types, label_store
from customner.services.names import MAX_DOCUMENT_CHARACTERS, check_file_name, container_key
from customner.store.tables import Annotation, Document

if TYPE_CHECKING:
    from customner.context import AppContext

DATASETS = ("Train", "Test")


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


def list_documents(context: AppContext, project_name: str, wanted: DocumentFilter) -> list[DocumentRow]:
    with context.db.session() as session:
        rows = []
        for document in label_store.project_documents(session, project_name):
            counts = dict(Counter(label.category for label in document.labels))
            labeled = label_store.is_labeled(document)
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
    types: list[entity_types.TypeInfo] = field(default_factory=list)


def get_document(context: AppContext, project_name: str, document_id: int, annotator: str | None = None) -> LabeledText:
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        document = label_store.find_document(session, project_name, document_id)
        ids = [row.id for row in project.documents]
        if annotator is not None:  # an annotator's previous/next are their own documents
            mine = set(session.scalars(select(Annotation.document_id).where(Annotation.annotator == annotator)))
            ids = [document_id for document_id in ids if document_id in mine or document_id == document.id]
        index = ids.index(document.id)
        text = context.blobs.read_text(container_key(project.storage_container, document.location))
        if annotator is None:
            spans, version, labeled = label_store.spans_of(document), document.labels_version, label_store.is_labeled(document)
        else:
            copy = label_store.annotation_of(session, document.id, annotator)
            spans = [(int(s), int(e), str(c)) for s, e, c in copy.labels or []]
            version, labeled = copy.version, copy.labels is not None
        return LabeledText(
            id=document.id, location=document.location, text=text, dataset=document.dataset, labeled=labeled,
            labels=[{"start": start, "end": end, "category": category} for start, end, category in spans],
            categories=[entity.name for entity in project.entity_types],
            previous_id=ids[index - 1] if index > 0 else None, next_id=ids[index + 1] if index + 1 < len(ids) else None,
            position=index + 1, total=len(ids), version=version, annotator=annotator, types=entity_types.type_infos(project))


def set_dataset(context: AppContext, project_name: str, document_id: int, dataset: str | None) -> None:
    _check_dataset(dataset)
    with context.db.session() as session:
        projects.get_or_raise(session, project_name).modified_at = utcnow()
        label_store.find_document(session, project_name, document_id).dataset = dataset


def set_dataset_many(context: AppContext, project_name: str, document_ids: list[int], dataset: str | None) -> int:
    """Assign several documents at once (the documents page's "apply to all shown")."""
    _check_dataset(dataset)
    with context.db.session() as session:
        wanted = set(document_ids)
        changed = 0
        for document in label_store.project_documents(session, project_name):
            if document.id in wanted:
                document.dataset = dataset
                changed += 1
        projects.get_or_raise(session, project_name).modified_at = utcnow()
        return changed


def delete_document(context: AppContext, project_name: str, document_id: int) -> None:
    """Forget the document in the project; its text stays in the storage container, as in Azure."""
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        project.documents.remove(label_store.find_document(session, project_name, document_id))
        project.modified_at = utcnow()
