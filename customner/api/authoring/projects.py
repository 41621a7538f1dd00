"""Projects, import and export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from customner import errors
from customner.api import wire_models as wm
from customner.api.authoring.render import job_state, job_url, project
from customner.api.common import AuthoringVersion, Context, Paging, accepted, json_response, require_utf16
from customner.formats.azure_project import ProjectFile
from customner.jobs.lifecycle import JobStatus
from customner.services import authoring_jobs, projects, transfer

router = APIRouter(tags=["authoring: projects"])


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


# The body is validated by hand (to report every problem in Azure's envelope); document its real shape.
_PROJECT_FILE_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/ProjectFile"}}}}}


@router.post("/{project_name}/:import", status_code=202, response_class=Response, summary="Import a project file",
             responses=wm.ACCEPTED, openapi_extra=_PROJECT_FILE_BODY)
def import_project(
    project_name: str, request: Request, context: Context, version: AuthoringVersion,
    body: Annotated[dict[str, Any], Body()], format: Annotated[str | None, Query()] = None,
) -> Response:
    try:
        project_file = ProjectFile.model_validate(body)
    except ValidationError as error:
        problems = "; ".join(f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:20])
        raise errors.InvalidRequest("The project file is invalid.", inner_code="InvalidRequestBodyFormat",
                                    inner_message=problems) from error
    job_id = transfer.submit_import(context, project_name, project_file)
    return accepted(job_url(request, f"/{project_name}/import/jobs/{job_id}", version))


@router.get("/{project_name}/import/jobs/{job_id}", summary="Get an import job", responses=wm.ok(wm.JobState))
def import_job(project_name: str, job_id: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(job_state(authoring_jobs.get(context, job_id, (transfer.IMPORT_KIND,), project_name)))


@router.post("/{project_name}/:export", status_code=202, response_class=Response, summary="Export a project file", responses=wm.ACCEPTED)
def export_project(
    project_name: str, request: Request, context: Context, version: AuthoringVersion,
    string_index_type: Annotated[str, Query(alias="stringIndexType")] = "Utf16CodeUnit",
    asset_kind: Annotated[str | None, Query(alias="assetKind")] = None,
    trained_model_label: Annotated[str | None, Query(alias="trainedModelLabel", description="2023-04-01 and later")] = None,
) -> Response:
    require_utf16(string_index_type)
    # 2022-05-01 has no trainedModelLabel: like Azure, ignore the unknown parameter there.
    label = None if version == "2022-05-01" else trained_model_label
    job_id = transfer.submit_export(context, project_name, version=version, model_label=label)
    return accepted(job_url(request, f"/{project_name}/export/jobs/{job_id}", version))


@router.get("/{project_name}/export/jobs/{job_id}", summary="Get an export job", responses=wm.ok(wm.ExportJobState))
def export_job(project_name: str, job_id: str, request: Request, context: Context, version: AuthoringVersion) -> Response:
    job = authoring_jobs.get(context, job_id, (transfer.EXPORT_KIND,), project_name)
    extra = {}
    if job.status == JobStatus.SUCCEEDED:
        extra["resultUrl"] = job_url(request, f"/{project_name}/export/jobs/{job_id}/result", version)
    return json_response(job_state(job, extra))


@router.get("/{project_name}/export/jobs/{job_id}/result", summary="Download an exported project file",
             responses=wm.ok(ProjectFile, "The exported project file"))
def export_result(project_name: str, job_id: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(transfer.export_result(context, project_name, job_id))
