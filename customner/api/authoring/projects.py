"""Projects, import and export."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from customner import errors
from customner.api import wire_models as wm
from customner.api.authoring.render import job_state, job_url, project
from customner.api.common import AuthoringVersion, Context, Paging, accepted, json_response, require_utf16
from customner.api.surfaces import AUTHORING
from customner.formats import registry
from customner.formats.azure_project import ProjectFile
from customner.jobs.status import JobStatus
from customner.services import authoring_jobs, exchange, projects, transfer

router = APIRouter(route_class=AUTHORING.route_class, tags=["authoring: projects"])


class ProjectPatch(BaseModel):
    """Merge-patch body; every field optional, but creation needs kind, container and language."""

    model_config = ConfigDict(extra="ignore")

    project_kind: str | None = Field(None, alias="projectKind")
    storage_input_container_name: str | None = Field(None, alias="storageInputContainerName")
    project_name: str | None = Field(None, alias="projectName")
    language: str | None = None
    multilingual: bool | None = None
    description: str | None = None
    settings: dict[str, Any] | None = None


@router.get("", summary="List projects", responses=wm.ok(wm.ProjectsPage))
def list_projects(request: Request, context: Context, version: AuthoringVersion, paging: Paging) -> Response:
    rows, total = projects.list_projects(context, paging.skip, paging.limit)
    return json_response(paging.body(request, [project(row) for row in rows], total))


@router.patch("/{project_name}", summary="Create or update a project (merge-patch)",
             responses={**wm.ok(wm.Project, "Updated"), 201: {"model": wm.Project, "description": "Created"}})
def create_or_update(project_name: str, body: ProjectPatch, context: Context, version: AuthoringVersion) -> Response:
    if body.project_name is not None and body.project_name != project_name:
        raise errors.InvalidParameterValue(
            "Invalid parameter in request",
            inner_message=f"projectName '{body.project_name}' in the body differs from '{project_name}' in the path.")
    row, created = projects.create_or_update(context, project_name, projects.ProjectChanges(
        project_kind=body.project_kind, storage_container=body.storage_input_container_name, language=body.language,
        multilingual=body.multilingual, description=body.description, settings=body.settings))
    return json_response(project(row), status_code=201 if created else 200)


@router.get("/{project_name}", summary="Get a project", responses=wm.ok(wm.Project))
def get_project(project_name: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(project(projects.get(context, project_name)))


@router.delete("/{project_name}", status_code=202, response_class=Response, summary="Delete a project", responses=wm.ACCEPTED)
def delete_project(project_name: str, request: Request, context: Context, version: AuthoringVersion) -> Response:
    job_id = projects.submit_delete(context, project_name)
    return accepted(job_url(request, f"/global/deletion-jobs/{job_id}", version))


# The body is read and validated by hand (to report every problem in Azure's envelope); document its real shapes.
_IMPORT_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/ProjectFile"}},
    "text/plain": {"schema": {"type": "string", "description": "CoNLL (format: conll)"}},
    "application/jsonl": {"schema": {"type": "string", "description": "doccano, spaCy or customner JSON Lines"}},
    "application/octet-stream": {"schema": {"type": "string", "format": "binary", "description": "spaCy DocBin"}}}}}
_FORMAT_HELP = ("File format. Absent (or json/azure) means Azure's project file, as in Azure's 2025-05-15-preview; customner also "
                "reads " + ", ".join(registry.IMPORT_NAMES[1:]) + ".")


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@router.post("/{project_name}/:import", status_code=202, response_class=Response, summary="Import a project file",
             responses=wm.ACCEPTED, openapi_extra=_IMPORT_BODY)
def import_project(
    project_name: str, request: Request, context: Context, version: AuthoringVersion,
    body: Annotated[bytes, Depends(_raw_body)],
    format_header: Annotated[str | None, Header(alias="format", description=_FORMAT_HELP)] = None,
    format_query: Annotated[str | None, Query(alias="format", include_in_schema=False)] = None,
    language: Annotated[str | None, Query(description="customner: the language of a project created from a non-Azure "
                                                      "file (default: the existing project's, else en)")] = None,
) -> Response:
    format_name = exchange.format_name(format_header or format_query)
    if format_name == registry.AZURE:
        job_id = transfer.submit_import(context, project_name, _project_file(body))
    else:
        job_id = transfer.submit_file_import(context, project_name, format_name, body, language)
    return accepted(job_url(request, f"/{project_name}/import/jobs/{job_id}", version))


def _project_file(body: bytes) -> ProjectFile:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise errors.InvalidRequest("Request body must be valid JSON.", inner_code="InvalidRequestBodyFormat",
                                    inner_message=f"body: {error}") from error
    try:
        return ProjectFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'/'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors()[:20])
        raise errors.InvalidRequest("The project file is invalid.", inner_code="InvalidRequestBodyFormat",
                                    inner_message=problems) from error


@router.get("/{project_name}/import/jobs/{job_id}", summary="Get an import job", responses=wm.ok(wm.JobState))
def import_job(project_name: str, job_id: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(job_state(authoring_jobs.get(context, job_id, (transfer.IMPORT_KIND,), project_name)))


@router.post("/{project_name}/:export", status_code=202, response_class=Response, summary="Export a project file", responses=wm.ACCEPTED)
def export_project(
    project_name: str, request: Request, context: Context, version: AuthoringVersion,
    string_index_type: Annotated[str, Query(alias="stringIndexType")] = "Utf16CodeUnit",
    asset_kind: Annotated[str | None, Query(alias="assetKind")] = None,
    trained_model_label: Annotated[str | None, Query(alias="trainedModelLabel", description="2023-04-01 and later")] = None,
    format_query: Annotated[str | None, Query(alias="format", description=(
        "customner: the file format to write (default azure): " + ", ".join(registry.EXPORT_NAMES)))] = None,
    format_header: Annotated[str | None, Header(alias="format", description="Same as the format query parameter.")] = None,
) -> Response:
    require_utf16(string_index_type)
    # 2022-05-01 has no trainedModelLabel: like Azure, ignore the unknown parameter there.
    label = None if version == "2022-05-01" else trained_model_label
    job_id = transfer.submit_export(context, project_name, version=version, model_label=label,
                                    format_name=exchange.format_name(format_query or format_header))
    return accepted(job_url(request, f"/{project_name}/export/jobs/{job_id}", version))


@router.get("/{project_name}/export/jobs/{job_id}", summary="Get an export job", responses=wm.ok(wm.ExportJobState))
def export_job(project_name: str, job_id: str, request: Request, context: Context, version: AuthoringVersion) -> Response:
    job = authoring_jobs.get(context, job_id, (transfer.EXPORT_KIND,), project_name)
    extra = {}
    if job.status == JobStatus.SUCCEEDED:
        extra["resultUrl"] = job_url(request, f"/{project_name}/export/jobs/{job_id}/result", version)
    return json_response(job_state(job, extra))


@router.get("/{project_name}/export/jobs/{job_id}/result", summary="Download an exported project file",
             responses=wm.ok(ProjectFile, "The exported project file (other formats: that format's file)"))
def export_result(project_name: str, job_id: str, context: Context, version: AuthoringVersion) -> Response:
    exported = transfer.export_file(context, project_name, job_id)
    if exported.format == registry.AZURE:
        return json_response(json.loads(exported.data.decode("utf-8-sig")))
    return Response(exported.data, media_type=exported.media_type, headers={
        "Content-Disposition": f'attachment; filename="{project_name}{exported.extension}"'})
