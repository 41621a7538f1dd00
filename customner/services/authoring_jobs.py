"""Authoring jobs (import, export, train, deploy, swap, deletion): ids, queueing, lookup by id and waiting."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from customner import errors
from customner.clock import utcnow
from customner.jobs import lifecycle
from customner.jobs.lifecycle import JobRecord
from customner.jobs.status import TERMINAL, JobStatus
from customner.store.tables import Job

if TYPE_CHECKING:
    from customner.context import AppContext


TRAIN_KIND = "train"


def running_training(session: Session, project_name: str) -> Job | None:
    """The project's unfinished training job, if any."""
    return lifecycle.find_active(session, TRAIN_KIND, project_name)


def refuse_while_training(session: Session, project_name: str) -> None:
    """Azure: "You can only have one training job running at a time, and you can't start other jobs in the
    same project." No status is documented; 409 Conflict in Azure's envelope says "try again later"."""
    running = running_training(session, project_name)
    if running is not None:
        raise errors.Conflict(
            f"A training job ('{running.id}') is running in project '{project_name}', and no other job can start in "
            "a project while it trains. Wait for it to finish or cancel it.", inner_code="TrainingJobRunning")


def new_id() -> str:
    """Azure's authoring job id: ``{uuid}_{.NET ticks of today's UTC midnight}``."""
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    ticks = int((midnight - midnight.replace(year=1, month=1, day=1)).total_seconds()) * 10_000_000
    return f"{uuid.uuid4()}_{ticks}"


def build(context: AppContext, kind: str, project_name: str, payload: dict[str, Any], scope: str | None = None) -> Job:
    """A new job row; the caller adds it, commits, then calls ``context.jobs.enqueue``."""
    return lifecycle.new(kind, job_id=new_id(), ttl=timedelta(days=context.settings.authoring_job_ttl_days),
                   project_name=project_name, scope=scope, payload=payload)


def submit(context: AppContext, kind: str, project_name: str, payload: dict[str, Any], scope: str | None = None) -> str:
    job = build(context, kind, project_name, payload, scope)
    with context.db.session() as session:
        refuse_while_training(session, project_name)  # in the same transaction that adds the job
        session.add(job)
    context.jobs.enqueue(job.id, kind)
    return job.id


def load(session: Session, job_id: str) -> Job:
    """The row of a job that is running (inside a job function), read in the caller's transaction."""
    job = lifecycle.load_in(session, job_id)
    assert job is not None and job.project_name is not None, f"job {job_id} vanished"
    return job


def project_of(job: Job | JobRecord) -> str:
    """The project of an authoring job: every authoring kind has one (``build`` sets it)."""
    if job.project_name is None:
        raise ValueError(f"job {job.id} belongs to no project")
    return job.project_name


def get(context: AppContext, job_id: str, kinds: tuple[str, ...], project_name: str | None = None,
        scope: str | None = None) -> JobRecord:
    job = lifecycle.load(context.db, job_id)
    if (job is None or job.kind not in kinds or job.expires_at < utcnow()
            or (project_name is not None and job.project_name != project_name)
            or (scope is not None and job.scope != scope)):
        raise errors.NotFound(f"The job '{job_id}' was not found or has expired.", inner_code="NotFound")
    return job


def find(context: AppContext, job_id: str) -> JobRecord:
    """Any job by id, for the Studio's own pages; 404 once it is gone."""
    job = lifecycle.load(context.db, job_id)
    if job is None:
        raise errors.NotFound(f"The job '{job_id}' was not found; it may have expired.")
    return job


def wait(context: AppContext, job_id: str, timeout: float = 30.0) -> JobRecord:
    """Wait for a short authoring job (import, deploy, delete) so the page can show its outcome."""
    find(context, job_id)
    return lifecycle.wait(context.db, job_id, timeout)


def error_of(job: JobRecord) -> str | None:
    """The readable reason a job did not succeed, or None."""
    if job.status == JobStatus.SUCCEEDED:
        return None
    if job.errors:
        return "; ".join(str(error.get("message", error)) for error in job.errors if error)
    return f"The job ended as '{job.status}'." if job.status in TERMINAL else "The job is still running."
