"""Create the ready-trained demo project on first start: import, train, deploy, through the services."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources

from sqlalchemy import select

from customner.context import AppContext
from customner.formats.azure_project import ProjectFile
from customner.jobs import lifecycle
from customner.jobs.lifecycle import JobRecord
from customner.jobs.status import JobStatus
from customner.services import deployments, training, transfer
from customner.store.tables import Deployment

PROJECT = "MyProject"
DEPLOYMENT = "MyDeploymentName"
MODEL = "demo-model"

Progress = Callable[[str, float], None]


def demo_project_file() -> ProjectFile:
    return ProjectFile.model_validate(json.loads(resources.files("customner.demo").joinpath("project.json").read_text("utf-8")))


def wait(context: AppContext, job_id: str, step: str, progress: Progress) -> JobRecord:
    # Jobs that report no progress of their own (import, deploy) still end their row when they succeed, so
    # each row's timer stops when its step ends instead of running until the whole demo is ready.
    job = lifecycle.wait(context.db, job_id, timeout=24 * 3600, interval=0.3,
                         on_poll=lambda row: progress(step, 1.0 if row.status == JobStatus.SUCCEEDED else row.progress))
    if job.status != JobStatus.SUCCEEDED:
        messages = "; ".join(str(error.get("message")) for error in job.errors)
        raise RuntimeError(f"demo {step} {job.status}: {messages}")
    return job


def ensure_demo(context: AppContext, progress: Progress) -> bool:
    """Returns False when the demo deployment already exists (nothing to do)."""
    with context.db.session() as session:
        exists = session.scalars(select(Deployment).where(
            Deployment.project_name == PROJECT, Deployment.name == DEPLOYMENT)).first()
    if exists is not None:
        return False
    wait(context, transfer.submit_import(context, PROJECT, demo_project_file()), "import", progress)
    options = training.TrainingOptions(model_label=MODEL, evaluation=training.EvaluationOptions(kind="manual"))
    wait(context, training.submit(context, PROJECT, options), "train", progress)
    wait(context, deployments.submit_deploy(context, PROJECT, DEPLOYMENT, MODEL), "deploy", progress)
    return True
