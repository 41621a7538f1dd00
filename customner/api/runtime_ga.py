"""The GA runtime: ``/language/analyze-text/jobs`` for api-versions 2022-05-01, 2023-04-01, 2024-11-01 and 2025-11-01."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from customner import errors
from customner.api import wire_models as wm
from customner.api.common import (
    CANCEL_AFTER_API_VERSIONS,
    INT32_MAX,
    Context,
    RuntimeVersion,
    accepted,
    authorize_projects,
    json_response,
)
from customner.api.runtime_render import DEFAULT_PAGE, ResultPage, has_more, poll_headers, render_ga
from customner.api.schemas import AnalysisInput, check_index_type, parse_bool
from customner.api.surfaces import RUNTIME_GA
from customner.ner.offsets import ALLOWED_INDEX_TYPES
from customner.services import analysis
from customner.web import base_url

PREFIX = "/language/analyze-text"
router = APIRouter(prefix=PREFIX, route_class=RUNTIME_GA.route_class, tags=["runtime GA"])
CUSTOM_KIND = "CustomEntityRecognition"


# Checked by hand in _task (after the kind), so only documented here.
_PARAMETERS_SCHEMA: dict[str, Any] = {
    "properties": {
        "projectName": {"type": "string"}, "deploymentName": {"type": "string"},
        "stringIndexType": {"type": "string", "enum": list(ALLOWED_INDEX_TYPES), "default": "TextElements_v8"},
        "loggingOptOut": {"type": "boolean", "default": False},
    },
    "required": ["projectName", "deploymentName"],
}


class GaTask(BaseModel):
    kind: str = Field(description="Only CustomEntityRecognition is served.")
    task_name: str | None = Field(None, alias="taskName")
    parameters: dict[str, Any] = Field(default_factory=dict, json_schema_extra=_PARAMETERS_SCHEMA)


class AnalyzeTextJobsInput(BaseModel):
    display_name: str | None = Field(None, alias="displayName")
    analysis_input: AnalysisInput = Field(alias="analysisInput")
    tasks: list[GaTask]
    default_language: str | None = Field(None, alias="defaultLanguage")
    cancel_after: float | None = Field(
        None, alias="cancelAfter", ge=0,
        description="2025-11-01 and later: seconds after submission at which the job is cancelled if not completed.")


def _task(task: GaTask, index: int) -> analysis.CustomEntityTask:
    pointer = f"#/tasks/{index}"
    if task.kind != CUSTOM_KIND:
        raise errors.InvalidParameterValue(
            "Invalid parameter in request", target=pointer,
            inner_message=f"Task kind '{task.kind}' is not supported by this service; use '{CUSTOM_KIND}'.")
    parameters = task.parameters
    missing = [name for name in ("projectName", "deploymentName") if not isinstance(parameters.get(name), str)]
    if missing:
        raise errors.InvalidParameterValue(
            "Invalid parameter in request", target=pointer,
            inner_message=f"Task '{task.task_name or index}' is missing the parameter(s) {', '.join(missing)}.")
    return analysis.CustomEntityTask(
        name=task.task_name if task.task_name is not None else str(index),
        project_name=parameters["projectName"], deployment_name=parameters["deploymentName"],
        string_index_type=check_index_type(parameters.get("stringIndexType")),
        logging_opt_out=parse_bool(str(parameters.get("loggingOptOut", False))))


def _job_url(request: Request, job_id: str, version: str) -> str:
    return f"{base_url(request)}{PREFIX}/jobs/{job_id}?api-version={version}"


@router.post("/jobs", status_code=202, response_class=Response, summary="Submit a custom NER job", responses=wm.ACCEPTED)
def submit(body: AnalyzeTextJobsInput, request: Request, context: Context, version: RuntimeVersion) -> Response:
    tasks = [_task(task, index) for index, task in enumerate(body.tasks)]
    authorize_projects(request, [task.project_name for task in tasks])
    documents = body.analysis_input.to_documents()
    for document in documents:
        document.language = document.language or body.default_language
    cancel_after = body.cancel_after if version in CANCEL_AFTER_API_VERSIONS else None  # unknown before: ignored
    job_id = analysis.submit(context, documents=documents, tasks=tasks, display_name=body.display_name,
                             cancel_after=cancel_after, submitted_via=RUNTIME_GA.name)
    return accepted(_job_url(request, job_id, version))


@router.get("/jobs/{job_id}", summary="Get a custom NER job's status and results", responses=wm.ok(wm.AnalyzeTextJobState))
def get_job(
    job_id: str, request: Request, context: Context, version: RuntimeVersion,
    show_stats: Annotated[str | None, Query(alias="showStats")] = None,
    top: Annotated[int, Query(ge=1, le=50)] = DEFAULT_PAGE,
    skip: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
) -> Response:
    job = analysis.get(context, job_id)
    authorize_projects(request, job.project_names)
    page = ResultPage(skip=skip, top=top, show_stats=parse_bool(show_stats))
    body = render_ga(job, page)
    if has_more(job, page):
        stats = "&showStats=True" if page.show_stats else ""
        body["nextLink"] = f"{_job_url(request, job_id, version)}&skip={skip + top}&top={top}{stats}"
    return json_response(body, poll_headers(job))


@router.post("/jobs/{job_id}:cancel", status_code=202, response_class=Response, summary="Cancel a custom NER job", responses=wm.ACCEPTED)
def cancel(job_id: str, request: Request, context: Context, version: RuntimeVersion) -> Response:
    authorize_projects(request, analysis.get(context, job_id).project_names)
    analysis.cancel(context, job_id)
    return accepted(_job_url(request, job_id, version))
