"""Deployments page: deploy to a named slot, swap, delete, and the "Get prediction URL" panel."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from customner import errors
from customner.services import authoring_jobs, deployments, models
from customner.services.labeling import overview
from customner.studio.web import Studio, StudioRoute, flash, redirect, render
from customner.web import KEY_HEADER, base_url

router = APIRouter(route_class=StudioRoute)
GA_VERSION = "2023-04-01"
KEY = "<YOUR_KEY>"
DOCUMENT = "<YOUR_DOCUMENT_HERE>"


def _curl(method: str, url: str, body: Mapping[str, object] | None = None) -> str:
    lines = [f"curl -X {method} {shlex.quote(url)}", f"  -H {shlex.quote(f'{KEY_HEADER}: {KEY}')}"]
    if body is not None:
        lines += ["  -H 'Content-Type: application/json'", f"  -d {shlex.quote(json.dumps(body, indent=2))}"]
    return " \\\n".join(lines)


def prediction_requests(endpoint: str, project: str, deployment: str) -> dict[str, dict[str, str]]:
    """Submit and Retrieve requests for both runtime surfaces, as the Language Studio panel shows them."""
    v32 = f"{endpoint}/text/analytics/v3.2-preview.2/analyze"
    v32_body = {"displayName": "MyJobName", "analysisInput": {"documents": [{"id": "doc1", "text": DOCUMENT}]},
                "tasks": {"customEntityRecognitionTasks": [{"parameters": {
                    "project-name": project, "deployment-name": deployment, "stringIndexType": "TextElements_v8"}}]}}
    ga = f"{endpoint}/language/analyze-text/jobs?api-version={GA_VERSION}"
    ga_body = {"displayName": "MyJobName", "analysisInput": {"documents": [{"id": "doc1", "language": "en-us", "text": DOCUMENT}]},
               "tasks": [{"kind": "CustomEntityRecognition", "taskName": "MyTask", "parameters": {
                   "projectName": project, "deploymentName": deployment, "stringIndexType": "TextElements_v8"}}]}
    return {
        "v32": {"title": "v3.2-preview.2", "submit_url": v32, "submit": _curl("POST", v32, v32_body),
                "retrieve_url": f"{v32}/jobs/<OPERATION_ID>", "retrieve": _curl("GET", f"{v32}/jobs/<OPERATION_ID>")},
        "ga": {"title": f"GA ({GA_VERSION})", "submit_url": ga, "submit": _curl("POST", ga, ga_body),
               "retrieve_url": f"{endpoint}/language/analyze-text/jobs/<OPERATION_ID>?api-version={GA_VERSION}",
               "retrieve": _curl("GET", f"{endpoint}/language/analyze-text/jobs/<OPERATION_ID>?api-version={GA_VERSION}")},
    }


@router.get("/projects/{name}/deploy")
def page(request: Request, context: Studio, name: str, url: str | None = None) -> Response:
    slots, _ = deployments.list_deployments(context, name, 0, 100)
    trained, _ = models.list_models(context, name, 0, 100)
    chosen = next((slot for slot in slots if slot.name == url), None)
    requests = prediction_requests(base_url(request), name, chosen.name) if chosen else None
    return render(request, "deploy.html", project=overview.overview(context, name), slots=slots, models=trained,
                  chosen=chosen, requests=requests, tab="deploy")


def _finish(request: Request, context: Studio, job_id: str, done: str, name: str) -> Response:
    job = authoring_jobs.wait(context, job_id, timeout=120)
    problem = authoring_jobs.error_of(job)
    if problem:
        raise errors.InvalidRequest(problem)
    flash(request, done)
    return redirect(request, f"/studio/projects/{name}/deploy")


@router.post("/projects/{name}/deploy")
def deploy(request: Request, context: Studio, name: str, deployment: Annotated[str, Form()],
           model: Annotated[str, Form()]) -> Response:
    job_id = deployments.submit_deploy(context, name, deployment.strip(), model)
    return _finish(request, context, job_id, f"Model '{model}' deployed to '{deployment.strip()}'.", name)


@router.post("/projects/{name}/deploy/swap")
def swap(request: Request, context: Studio, name: str, first: Annotated[str, Form()],
         second: Annotated[str, Form()]) -> Response:
    job_id = deployments.submit_swap(context, name, first, second)
    return _finish(request, context, job_id, f"Swapped the models of '{first}' and '{second}'.", name)


@router.post("/projects/{name}/deploy/{deployment}/delete")
def delete(request: Request, context: Studio, name: str, deployment: str) -> Response:
    job_id = deployments.submit_delete(context, name, deployment)
    return _finish(request, context, job_id, f"Deployment '{deployment}' deleted.", name)
