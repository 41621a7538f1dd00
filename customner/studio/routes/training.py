"""Training page: start a run, watch its progress (htmx polling), cancel it, see past runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from customner import ner
from customner.jobs.status import TERMINAL
from customner.services import training
from customner.services.labeling import overview
from customner.studio.web import Studio, StudioRoute, flash, redirect, render

router = APIRouter(route_class=StudioRoute)


@router.get("/projects/{name}/train")
def page(request: Request, context: Studio, name: str, job: str | None = None) -> Response:
    jobs = _history(context, name)
    current = next((row for row in jobs if row.record.id == job), None) or next(
        (row for row in jobs if row.record.status not in TERMINAL), None)
    return render(request, "train.html", project=overview.overview(context, name), jobs=jobs, current=current, project_name=name,
                  versions=ner.training_config_versions(), totals=overview.label_totals(context, name), tab="train",
                  terminal=TERMINAL)


def _history(context: Studio, name: str) -> list[training.TrainingJob]:
    jobs, _ = training.list_jobs(context, name, 0, 100)
    return sorted(jobs, key=lambda row: row.record.created_at, reverse=True)


@router.post("/projects/{name}/train")
def start(request: Request, context: Studio, name: str, model_label: Annotated[str, Form()],
          config_version: Annotated[str, Form()] = "latest", split: Annotated[str, Form()] = "percentage",
          train_percent: Annotated[int, Form()] = 80) -> Response:
    options = training.TrainingOptions(
        model_label=model_label.strip(), config_version=config_version,
        evaluation=training.EvaluationOptions(kind=split, training_split_percentage=train_percent,
                                              testing_split_percentage=100 - train_percent))
    job_id = training.submit(context, name, options)
    flash(request, f"Training of '{options.model_label}' started.")
    return redirect(request, f"/studio/projects/{name}/train?job={job_id}")


@router.get("/projects/{name}/train/jobs/{job_id}/progress")
def progress(request: Request, context: Studio, name: str, job_id: str) -> Response:
    job = training.get_job(context, name, job_id)
    values: dict[str, Any] = dict(project_name=name, job=job, terminal=TERMINAL)
    if job.record.status in TERMINAL:  # the history table is refreshed out of band once the run ends
        values.update(jobs=_history(context, name), refresh_history=True)
    return render(request, "partials/train_progress.html", **values)


@router.post("/projects/{name}/train/jobs/{job_id}/cancel")
def cancel(request: Request, context: Studio, name: str, job_id: str) -> Response:
    training.cancel(context, name, job_id)
    return progress(request, context, name, job_id)
