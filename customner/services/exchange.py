"""Projects in and out of the exchange formats (CoNLL, spaCy, Label Studio, doccano, JSONL).

Import turns the file into an Azure project file with inline texts and hands it to
``transfer.submit_import``, so every rule of an Azure import (validation, one transaction,
nothing half-imported) holds for every format. Export reads the same assets as an Azure
export and writes them with the format's writer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from customner import errors
from customner.formats import registry
from customner.formats.azure_project import Assets, EntityCategory, EntityLabel, ProjectDocument, ProjectFile, ProjectMetadata, Region
from customner.formats.conll import ExportProblem
from customner.formats.corpus import Corpus, Entity, FormatError, Record, to_utf16
from customner.services.documents import ProjectAssets
from customner.services.names import file_name_problem
from customner.store.tables import Project

if TYPE_CHECKING:
    from customner.context import AppContext

PROJECT_FILE_VERSION = "2022-05-01"
DEFAULT_LANGUAGE = "en"
MAX_REPORTED_PROBLEMS = 20


def container_for(name: str) -> str:
    """A valid storage container name derived from the project name (lowercase, hyphens, 3-63)."""
    slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", name.lower())).strip("-")
    return (slug + "-docs")[:63].strip("-") if len(slug) < 3 else slug[:63].strip("-")


def format_name(value: str | None) -> str:
    """The canonical format name, or Azure's error envelope for an unknown one."""
    try:
        return registry.canonical(value)
    except ValueError as error:
        raise errors.InvalidParameterValue("Invalid parameter in request", inner_message=str(error)) from error


def read_corpus(format_name: str, data: bytes) -> Corpus:
    try:
        return registry.read(format_name, data)
    except FormatError as error:
        raise errors.InvalidRequest(f"The {format_name} file is invalid: {error}.", inner_code="InvalidDocument",
                                    inner_message=str(error)) from error


def to_project_file(context: AppContext, project_name: str, corpus: Corpus, language: str | None) -> ProjectFile:
    """An Azure project file with inline texts; an existing project keeps its container, language and settings."""
    with context.db.session() as session:
        project = session.get(Project, project_name)
        metadata = ProjectMetadata(
            projectKind="CustomEntityRecognition", projectName=project_name,
            storageInputContainerName=project.storage_container if project else container_for(project_name),
            language=language or (project.language if project else DEFAULT_LANGUAGE),
            multilingual=bool(project.multilingual) if project else False,
            description=project.description if project else None,
            settings=dict(project.settings or {}) if project else {})
    documents = [_document(record, location) for record, location in zip(corpus.records, _locations(corpus), strict=True)]
    assets = Assets(projectKind="CustomEntityRecognition",
                    entities=[EntityCategory(category=c) for c in corpus.all_categories()], documents=documents)
    return ProjectFile(projectFileVersion=PROJECT_FILE_VERSION, stringIndexType="Utf16CodeUnit", metadata=metadata, assets=assets)


def _locations(corpus: Corpus) -> list[str]:
    """Each record's id when it is a usable, unique file name; otherwise ``doc-0001.txt`` and so on."""
    taken = {r.id for r in corpus.records if r.id}
    used: set[str] = set()
    names = []
    for number, record in enumerate(corpus.records, start=1):
        name = record.id or ""
        if not name or file_name_problem(name) or name in used:
            name = f"doc-{number:04d}.txt"
            while name in taken or name in used:
                name = "x" + name
        used.add(name)
        names.append(name)
    return names


def _document(record: Record, location: str) -> ProjectDocument:
    labels = []
    for entity in record.entities:
        start, end = to_utf16(record.text, entity)
        labels.append(EntityLabel(category=entity.category, offset=start, length=end - start))
    length = len(record.text.encode("utf-16-le")) // 2
    return ProjectDocument(location=location, language=record.language, dataset=record.dataset, text=record.text,
                           entities=[Region(regionOffset=0, regionLength=length, labels=labels)])


def to_corpus(assets: ProjectAssets) -> Corpus:
    """A project's documents as a corpus; only labeled windows' labels, which are all of them."""
    records = [Record(text=d.text, id=d.location, dataset=d.dataset, language=d.language,
                      entities=[Entity(s.start, s.end, s.category) for s in d.spans])
               for d in assets.documents]
    return Corpus(records, categories=list(assets.categories))


def write(format_name: str, assets: ProjectAssets) -> bytes:
    """The assets in a non-Azure format; a CoNLL export that would move an entity fails and lists them all."""
    try:
        return registry.export_format(format_name).write(to_corpus(assets))
    except ExportProblem as problem:
        shown = problem.problems[:MAX_REPORTED_PROBLEMS]
        more = f" (and {len(problem.problems) - len(shown)} more)" if len(problem.problems) > len(shown) else ""
        raise errors.InvalidRequest(
            f"{len(problem.problems)} label(s) cannot be written as {format_name} without moving them: {shown[0]}{more}.",
            inner_code="InvalidDocument", inner_message="; ".join(shown) + more) from problem
    except FormatError as error:
        raise errors.InvalidRequest(f"The project cannot be written as {format_name}: {error}.") from error
