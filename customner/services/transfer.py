"""Import and export of Azure project files.

Import is validated in full before the job is queued, and applied in one transaction,
so a project is never half-imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from customner import errors
from customner.formats import registry
from customner.formats.azure_project import (
    Assets,
    EntityCategory,
    EntityLabel,
    ProjectDocument,
    ProjectFile,
    ProjectMetadata,
    Region,
)
from customner.jobs import lifecycle
from customner.jobs.registry import job_function
from customner.ner.offsets import OffsetMapper, StringIndexType
from customner.ner.types import Span
from customner.services import authoring_jobs, exchange, projects
from customner.services.documents import DocumentRecord, ProjectAssets, load_assets, replace_assets
from customner.services.languages import check_language
from customner.services.models import get_model_or_raise, snapshot_assets
from customner.services.names import (
    MAX_DOCUMENT_CHARACTERS,
    MAX_ENTITY_TYPES,
    check_container_name,
    check_project_name,
    container_key,
    entity_name_problem,
    file_name_problem,
    text_problem,
)
from customner.store.tables import Project

if TYPE_CHECKING:
    from customner.context import AppContext

AZURE = registry.AZURE
IMPORT_KIND = "import"
EXPORT_KIND = "export"
MAX_REPORTED_PROBLEMS = 20


@dataclass
class ImportPlan:
    metadata: ProjectMetadata
    assets: ProjectAssets
    inline_texts: dict[str, str]


def plan_import(context: AppContext, project_name: str, project_file: ProjectFile) -> ImportPlan:
    """Read every text and check every label; raise one error that lists all problems found."""
    check_project_name(project_name)
    metadata = project_file.metadata.model_copy(update={"project_name": project_name})
    check_language(metadata.language)
    check_container_name(metadata.storage_input_container_name)
    problems: list[str] = []
    categories = [entity.category for entity in project_file.assets.entities]
    problems += [p for p in (entity_name_problem(c) for c in categories) if p]
    if len(set(categories)) != len(categories):
        repeated = sorted({c for c in categories if categories.count(c) > 1})
        problems.append("entity types are declared more than once: " + ", ".join(repeated))
    if len(categories) > MAX_ENTITY_TYPES:
        problems.append(f"a project may declare at most {MAX_ENTITY_TYPES} entity types; this file declares {len(categories)}")
    declared = set(categories)
    records: list[DocumentRecord] = []
    inline: dict[str, str] = {}
    seen: set[str] = set()
    for document in project_file.assets.documents:
        if document.location in seen:
            problems.append(f"document '{document.location}' is listed more than once")
            continue
        seen.add(document.location)
        try:
            text = _document_text(context, metadata.storage_input_container_name, document)
        except errors.ServiceError as error:
            problems.append(error.message)
            continue
        if document.text is not None:
            inline[document.location] = document.text
        record, document_problems = _convert_document(document, text, declared)
        problems += document_problems
        records.append(record)
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise errors.InvalidRequest(
            f"The project file is invalid: {shown[0]}{more}.", inner_code="InvalidDocument",
            inner_message="; ".join(shown) + more,
            details=[{"code": "InvalidDocument", "message": problem} for problem in shown],
        )
    return ImportPlan(metadata=metadata, assets=ProjectAssets(categories, records), inline_texts=inline)


def _document_text(context: AppContext, container: str, document: ProjectDocument) -> str:
    problem = file_name_problem(document.location)
    if problem:
        raise errors.InvalidRequest(f"document location: {problem}")
    if document.text is not None:
        return document.text
    key = container_key(container, document.location)
    if not context.blobs.exists(key):
        raise errors.InvalidRequest(
            f"document '{document.location}' has no text: no file '{document.location}' in storage container "
            f"'{container}' and no inline \"text\" field"
        )
    return context.blobs.read_text(key)


def _convert_document(document: ProjectDocument, text: str, declared: set[str]) -> tuple[DocumentRecord, list[str]]:
    problems: list[str] = []
    where = f"document '{document.location}'"
    if not text:
        problems.append(f"{where} is empty")
    invalid = text_problem(text)
    if invalid:
        return DocumentRecord(location=document.location, text=""), [f"{where} {invalid}"]
    mapper = OffsetMapper(text, StringIndexType.UTF16_CODE_UNIT)
    utf16_length = mapper.length()
    if len(text) > MAX_DOCUMENT_CHARACTERS:
        problems.append(f"{where} has {len(text)} characters; the limit is {MAX_DOCUMENT_CHARACTERS}")
    regions: list[tuple[int, int]] = []
    spans: list[Span] = []
    for region in document.entities:
        region_length = utf16_length - region.region_offset if region.region_length is None else region.region_length
        region_end = region.region_offset + region_length
        if region_end > utf16_length:
            problems.append(f"{where}: region {region.region_offset}+{region_length} ends after the document "
                            f"(length {utf16_length} UTF-16 code units)")
            continue
        try:
            regions.append((mapper.to_code_points(region.region_offset), mapper.to_code_points(region_end)))
        except ValueError as error:
            problems.append(f"{where}: region {region.region_offset}+{region_length}: {error}")
            continue
        for label in region.labels:
            name = f"{where}, label {label.category} at offset {label.offset} length {label.length}"
            if label.category not in declared:
                problems.append(f"{name}: entity type '{label.category}' is not declared in assets.entities")
                continue
            if label.offset + label.length > utf16_length:
                problems.append(f"{name}: falls outside the document (length {utf16_length} UTF-16 code units)")
                continue
            if not (region.region_offset <= label.offset and label.offset + label.length <= region_end):
                problems.append(f"{name}: falls outside its region {region.region_offset}+{region_length}")
                continue
            try:
                start, end = mapper.to_code_points(label.offset), mapper.to_code_points(label.offset + label.length)
            except ValueError as error:
                problems.append(f"{name}: {error}")
                continue
            spans.append(Span(start, end, label.category))
    if not document.entities:
        regions.append((0, len(text)))  # listed in the project file: labeled, with no entities
    spans.sort(key=lambda span: (span.start, span.end))
    for previous, current in zip(spans, spans[1:], strict=False):
        if current.start < previous.end:
            problems.append(f"{where}: label {current.category} at {current.start}-{current.end} overlaps label "
                            f"{previous.category} at {previous.start}-{previous.end} (code points)")
    record = DocumentRecord(location=document.location, text=text, language=document.language,
                            dataset=document.dataset, regions=regions, spans=spans)
    return record, problems


def submit_import(context: AppContext, project_name: str, project_file: ProjectFile) -> str:
    plan_import(context, project_name, project_file)
    return authoring_jobs.submit(context, IMPORT_KIND, project_name, {"project_file": project_file.to_wire()})


def submit_file_import(context: AppContext, project_name: str, format_name: str, data: bytes,
                       language: str | None = None) -> str:
    """Import a CoNLL, spaCy, Label Studio, doccano or JSONL file: converted first, then imported like Azure's."""
    corpus = exchange.read_corpus(format_name, data)
    return submit_import(context, project_name, exchange.to_project_file(context, project_name, corpus, language))


@job_function(IMPORT_KIND)
def run_import(context: AppContext, job_id: str) -> None:
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        project_name, wire = str(job.project_name), job.payload["project_file"]
    plan = plan_import(context, project_name, ProjectFile.model_validate(wire))
    for location, text in plan.inline_texts.items():
        context.blobs.write_text(container_key(plan.metadata.storage_input_container_name, location), text)
    replace_assets(context, project_name, plan.metadata, plan.assets)


def build_project_file(project: Project, assets: ProjectAssets, version: str) -> ProjectFile:
    """The Azure project file for these assets, offsets in UTF-16 code units."""
    documents = []
    for record in assets.documents:
        mapper = OffsetMapper(record.text, StringIndexType.UTF16_CODE_UNIT)
        regions = []
        for start, end, spans in record.region_spans():
            offset = mapper.from_code_points(start)
            regions.append(Region(
                regionOffset=offset, regionLength=mapper.from_code_points(end) - offset,
                labels=[EntityLabel(category=s.category, offset=mapper.from_code_points(s.start),
                                    length=mapper.from_code_points(s.end) - mapper.from_code_points(s.start))
                        for s in spans]))
        documents.append(ProjectDocument(location=record.location, language=record.language or project.language,
                                         dataset=record.dataset, entities=regions))
    return ProjectFile(
        project_file_version=version, string_index_type="Utf16CodeUnit",
        metadata=ProjectMetadata(
            project_kind="CustomEntityRecognition", storage_input_container_name=project.storage_container,
            project_name=project.name, multilingual=project.multilingual, description=project.description,
            language=project.language, settings=project.settings or {}),
        assets=Assets(project_kind="CustomEntityRecognition",
                      entities=[EntityCategory(category=c) for c in assets.categories], documents=documents),
    )


def submit_export(context: AppContext, project_name: str, *, version: str, model_label: str | None = None,
                  format_name: str = AZURE) -> str:
    """Queue an export; ``format_name`` is Azure's project file or one of the exchange formats."""
    format_name = exchange.format_name(format_name)
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        if model_label is not None:
            get_model_or_raise(session, project_name, model_label)
    return authoring_jobs.submit(context, EXPORT_KIND, project_name,
                                 {"version": version, "model_label": model_label, "format": format_name})


@job_function(EXPORT_KIND)
def run_export(context: AppContext, job_id: str) -> None:
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        project = projects.get_or_raise(session, str(job.project_name))
        label = job.payload.get("model_label")
        if label:
            assets = snapshot_assets(get_model_or_raise(session, project.name, label))
        else:
            assets = load_assets(session, context.blobs, project)
        format_name = job.payload.get("format") or AZURE
        project_file = build_project_file(project, assets, job.payload["version"]) if format_name == AZURE else None
    if project_file is not None:
        key = f"exports/{job_id}.json"
        context.blobs.write_text(key, project_file.model_dump_json(by_alias=True, exclude_none=True))
    else:
        key = f"exports/{job_id}{registry.export_format(format_name).extension}"
        context.blobs.write_bytes(key, exchange.write(format_name, assets))
    lifecycle.progress(context.db, job_id, result={"export_key": key, "format": format_name})


@dataclass
class ExportFile:
    format: str
    media_type: str
    extension: str
    data: bytes


def export_file(context: AppContext, project_name: str, job_id: str) -> ExportFile:
    """The exported file as bytes, with its format's media type and file extension."""
    job = lifecycle.load(context.db, job_id)
    if job is None or job.kind != EXPORT_KIND or job.project_name != project_name or "export_key" not in job.result:
        raise errors.NotFound(f"No export result for job '{job_id}' in project '{project_name}'.")
    key, format_name = job.result["export_key"], job.result.get("format") or AZURE
    if format_name == AZURE:
        return ExportFile(AZURE, "application/json", ".json", context.blobs.read_bytes(key))
    described = registry.export_format(format_name)
    return ExportFile(format_name, described.media_type, described.extension, context.blobs.read_bytes(key))


def export_result(context: AppContext, project_name: str, job_id: str) -> dict[str, Any]:
    """An Azure export's project file (a JSON object)."""
    exported = export_file(context, project_name, job_id)
    if exported.format != AZURE:
        raise errors.NotFound(f"Export job '{job_id}' wrote a {exported.format} file, not an Azure project file.")
    data: dict[str, Any] = json.loads(exported.data.decode("utf-8-sig"))
    return data


def sweep_exports(context: AppContext) -> list[str]:
    """Remove export files whose job expired (the row is swept first, so the file has no job left)."""
    names = context.blobs.list("exports")  # exports/<job id><format's extension>
    live = lifecycle.existing_ids(context.db, [name.split(".", 1)[0] for name in names])
    removed = [name for name in names if name.split(".", 1)[0] not in live]
    for name in removed:
        context.blobs.delete(f"exports/{name}")
    return removed

