"""Test model page: run text through the real runtime job path and show highlights and the exact JSON."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from customner import errors
from customner.api.runtime_render import DEFAULT_PAGE, ResultPage, render_ga
from customner.jobs.lifecycle import TERMINAL
from customner.ner.offsets import OffsetMapper, StringIndexType
from customner.services import analysis, deployments
from customner.services.labeling import overview
from customner.studio.highlight import pieces, type_colors
from customner.studio.web import Studio, StudioRoute, render

router = APIRouter(route_class=StudioRoute)
TIMEOUT_SECONDS = 120


def run(context: Studio, project: str, deployment: str, text: str, language: str) -> dict[str, Any]:
    """Submit a one-document GA job, wait for it, and render it exactly as ``GET …/jobs/{id}`` does."""
    task = analysis.CustomEntityTask(name="studio-test", project_name=project, deployment_name=deployment)
    job_id = analysis.submit(context, documents=[analysis.AnalysisDocument(id="1", text=text, language=language)],
                             tasks=[task], display_name="Studio test", surface="ga")
    deadline = time.monotonic() + TIMEOUT_SECONDS
    job = analysis.get(context, job_id)
    while job.status not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.1)
        job = analysis.get(context, job_id)
    return render_ga(job, ResultPage(skip=0, top=DEFAULT_PAGE, show_stats=False))


def entity_spans(text: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The response's entities as code-point spans (the response counts text elements)."""
    mapper = OffsetMapper(text, StringIndexType.TEXT_ELEMENTS)
    spans = []
    for item in body.get("tasks", {}).get("items", []):
        for document in item.get("results", {}).get("documents", []):
            for entity in document["entities"]:
                start = mapper.to_code_points(entity["offset"])
                spans.append({"start": start, "end": mapper.to_code_points(entity["offset"] + entity["length"]),
                              "category": entity["category"], "confidence": entity["confidenceScore"]})
    return spans


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
    body = run(context, name, deployment, text, project.language)
    problems = [str(error.get("message")) for error in body.get("errors", [])]
    return _page(request, context, name, text=text, deployment=deployment, result=body,
                 result_json=json.dumps(body, indent=2, ensure_ascii=False),
                 pieces=pieces(text, entity_spans(text, body)), problems=problems)
