"""Test model page: run text through the real runtime job path and show highlights and the API's JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from customner import errors
from customner.ner.offsets import OffsetMapper, StringIndexType
from customner.services import analysis, deployments
from customner.services.labeling import overview
from customner.studio.highlight import pieces, type_colors
from customner.studio.web import Studio, StudioRoute, render

router = APIRouter(route_class=StudioRoute)
TIMEOUT_SECONDS = 120

WireBody = Callable[[analysis.AnalysisJob], dict[str, Any]]
"""The GA API's body for a job. ``app.create_app`` supplies it as ``app.state.runtime_preview``: Studio shows
that JSON without speaking the wire format itself."""


def run(context: Studio, project: str, deployment: str, text: str, language: str) -> analysis.AnalysisJob:
    """Submit a one-document job (offsets in text elements, the API's default) and wait for it."""
    task = analysis.CustomEntityTask(name="studio-test", project_name=project, deployment_name=deployment)
    job_id = analysis.submit(context, documents=[analysis.AnalysisDocument(id="1", text=text, language=language)],
                             tasks=[task], display_name="Studio test")
    deadline = time.monotonic() + TIMEOUT_SECONDS
    job = analysis.get(context, job_id)
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.1)
        job = analysis.get(context, job_id)
    return job


def entity_spans(text: str, job: analysis.AnalysisJob) -> list[dict[str, Any]]:
    """The job's entities as code-point spans (the job counts text elements)."""
    mapper = OffsetMapper(text, StringIndexType.TEXT_ELEMENTS)
    return [{"start": mapper.to_code_points(entity.offset),
             "end": mapper.to_code_points(entity.offset + entity.length),
             "category": entity.category, "confidence": entity.confidence}
            for task in job.tasks for document in task.documents or [] for entity in document.entities]


def _page(request: Request, context: Studio, name: str, **values: Any) -> Response:
    slots, _ = deployments.list_deployments(context, name, 0, 100)
    project = overview.overview(context, name)
    values.setdefault("text", "")
    values.setdefault("deployment", slots[0].name if slots else "")
    return render(request, "test.html", project=project, slots=slots, tab="test",
                  colors=type_colors([t.name for t in project.types]), **values)


@router.get("/projects/{name}/test")
def page(request: Request, context: Studio, name: str) -> Response:
    return _page(request, context, name)


@router.post("/projects/{name}/test")
def test(request: Request, context: Studio, name: str, deployment: Annotated[str, Form()],
         text: Annotated[str, Form()] = "", file: Annotated[UploadFile | None, File()] = None) -> Response:
    # A plain def: waiting for the analysis job happens in the thread pool, never on the event loop.
    if file is not None and file.filename:
        try:
            text = file.file.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise errors.InvalidRequest(f"'{file.filename}' is not UTF-8 text.") from error
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise errors.InvalidRequest("Type or paste some text, or choose a .txt file, to test the model.")
    project = overview.overview(context, name)
    job = run(context, name, deployment, text, project.language)
    wire_body: WireBody = request.app.state.runtime_preview
    return _page(request, context, name, text=text, deployment=deployment, result=job,
                 result_json=json.dumps(wire_body(job), indent=2, ensure_ascii=False),
                 pieces=pieces(text, entity_spans(text, job)), problems=job.error_messages)
