"""The v3.2-preview.2 runtime: ``POST /text/analytics/v3.2-preview.2/analyze`` and its job GET.

Only ``customEntityRecognitionTasks`` are served; other task groups must be empty.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from customner import errors
from customner.api import wire_models as wm
from customner.api.common import (
    INT32_MAX,
    Context,
    accepted,
    authorize_projects,
    json_response,
)
from customner.api.runtime_render import DEFAULT_PAGE, ResultPage, has_more, poll_headers, render_v32
from customner.api.schemas import AnalysisInput, check_index_type, parse_bool
from customner.api.surfaces import RUNTIME_V32
from customner.services import analysis
from customner.web import base_url

PREFIX = "/text/analytics/v3.2-preview.2"
router = APIRouter(prefix=PREFIX, route_class=RUNTIME_V32.route_class, tags=["runtime v3.2-preview.2"])


class CustomEntitiesParameters(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    project_name: str = Field(alias="project-name")
    deployment_name: str = Field(alias="deployment-name")
    string_index_type: str | None = Field(None, alias="stringIndexType")
    logging_opt_out: bool = Field(False, alias="loggingOptOut")


class CustomEntitiesTask(BaseModel):
    parameters: CustomEntitiesParameters
    task_name: str | None = Field(None, alias="taskName")


class JobTasks(BaseModel):
    model_config = ConfigDict(extra="allow")

    custom_entity_recognition_tasks: list[CustomEntitiesTask] = Field(
        default_factory=list, alias="customEntityRecognitionTasks")


class AnalyzeBatchInput(BaseModel):
    display_name: str | None = Field(None, alias="displayName")
    analysis_input: AnalysisInput = Field(alias="analysisInput")
    tasks: JobTasks


@router.post("/analyze", status_code=202, response_class=Response, summary="Submit a custom NER job", responses=wm.ACCEPTED)
def submit(body: AnalyzeBatchInput, request: Request, context: Context) -> Response:
    other = [name for name, value in (body.tasks.model_extra or {}).items() if value]
    if other:
        raise errors.InvalidParameterValue(
            "Invalid parameter in request",
            inner_message=f"Task type(s) {', '.join(other)} are not served here; only customEntityRecognitionTasks.")
    tasks = [
        analysis.CustomEntityTask(
            name=task.task_name if task.task_name is not None else str(index),
            project_name=task.parameters.project_name, deployment_name=task.parameters.deployment_name,
            string_index_type=check_index_type(task.parameters.string_index_type),
            logging_opt_out=task.parameters.logging_opt_out)
        for index, task in enumerate(body.tasks.custom_entity_recognition_tasks)
    ]
    authorize_projects(request, [task.project_name for task in tasks])
    job_id = analysis.submit(context, documents=body.analysis_input.to_documents(), tasks=tasks,
                             display_name=body.display_name, submitted_via=RUNTIME_V32.name)
    return accepted(f"{base_url(request)}{PREFIX}/analyze/jobs/{job_id}")


@router.get("/analyze/jobs/{job_id}", summary="Get a custom NER job's status and results", responses=wm.ok(wm.AnalyzeJobState))
def get_job(
    job_id: str, request: Request, context: Context,
    show_stats: Annotated[str | None, Query(alias="showStats")] = None,
    top: Annotated[int, Query(alias="$top", ge=1, le=50)] = DEFAULT_PAGE,
    skip: Annotated[int, Query(alias="$skip", ge=0, le=INT32_MAX)] = 0,
) -> Response:
    job = analysis.get(context, job_id)
    authorize_projects(request, job.project_names)
    page = ResultPage(skip=skip, top=top, show_stats=parse_bool(show_stats))
    body = render_v32(job, page)
    if has_more(job, page):
        query = f"$skip={skip + top}&$top={top}" + ("&showStats=True" if page.show_stats else "")
        body["@nextLink"] = f"{base_url(request)}{PREFIX}/analyze/jobs/{job_id}?{query}"
    return json_response(body, poll_headers(job))
