"""The job lifecycle: the only functions that read or change a job row (``JobStatus`` is in ``jobs.status``).

Services, job functions and engines call these; no other module queries ``Job`` or writes a status.
Every change is one short transaction, so any process (API, worker, reaper) may call any of them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from customner.clock import utcnow
from customner.jobs.status import ACTIVE, TERMINAL, JobStatus
from customner.observability import request_id
from customner.store.database import Database
from customner.store.tables import Job


@dataclass(frozen=True)
class JobRecord:
    """A detached, read-only snapshot of one job: what services hand to the HTTP layers (never the ORM row)."""

    id: str
    kind: str
    project_name: str | None
    scope: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested: bool
    progress: float
    payload: dict[str, Any]
    result: dict[str, Any]
    errors: list[Any]
    warnings: list[Any]
    heartbeat_at: datetime | None
    worker: str | None
    attempts: int
    request_id: str | None

    @classmethod
    def of(cls, row: Job) -> JobRecord:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


class Cancelled(Exception):
    """Raised by a job function that noticed its cancellation request."""


# ---------------------------------------------------------------- create and read


def new(kind: str, *, ttl: timedelta, project_name: str | None = None, scope: str | None = None,
        payload: dict[str, Any] | None = None, result: dict[str, Any] | None = None, job_id: str | None = None) -> Job:
    """A job row not yet saved; for callers that add it in their own transaction (a check and the insert together)."""
    now = utcnow()
    return Job(
        id=job_id or str(uuid.uuid4()), kind=kind, project_name=project_name, scope=scope,
        status=JobStatus.NOT_STARTED.value, created_at=now, updated_at=now, expires_at=now + ttl,
        payload=payload or {}, result=result or {}, errors=[], warnings=[], progress=0.0, cancel_requested=False,
        attempts=0, request_id=request_id.get(),
    )


def create(db: Database, kind: str, **fields: Any) -> Job:
    """Save a new ``notStarted`` job; the caller enqueues it after this commit."""
    job = new(kind, **fields)
    with db.session() as session:
        session.add(job)
    return job


def load(db: Database, job_id: str) -> JobRecord | None:
    """A detached snapshot of one job, or None."""
    with db.session() as session:
        row = session.get(Job, job_id)
        return None if row is None else JobRecord.of(row)


def load_in(session: Session, job_id: str) -> Job | None:
    """One job, read inside the caller's transaction (a job function reading its payload with other rows)."""
    return session.get(Job, job_id)


def load_running(db: Database, job_id: str) -> JobRecord:
    """The row of the job a job function is running; it cannot vanish while it runs."""
    job = load(db, job_id)
    if job is None:
        raise LookupError(f"job {job_id} vanished while running")
    return job


def find_active(session: Session, kind: str, project_name: str) -> Job | None:
    """An unfinished job of this kind for a project (inside the caller's transaction)."""
    return session.scalars(select(Job).where(
        Job.kind == kind, Job.project_name == project_name, Job.status.in_(ACTIVE))).first()


def list_for_project(db: Database, kind: str, project_name: str, skip: int, top: int) -> tuple[list[JobRecord], int]:
    """Unexpired jobs of one kind for a project, oldest first, and their total."""
    with db.session() as session:
        query = select(Job).where(Job.kind == kind, Job.project_name == project_name, Job.expires_at >= utcnow())
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(Job.created_at).offset(skip).limit(top)).all()
        return [JobRecord.of(row) for row in rows], total


def wait(db: Database, job_id: str, timeout: float = 30.0, interval: float = 0.1,
         on_poll: Callable[[JobRecord], None] | None = None) -> JobRecord:
    """Poll until the job is terminal or ``timeout`` seconds passed; returns the last snapshot."""
    deadline = time.monotonic() + timeout
    while True:
        job = load(db, job_id)
        if job is None:
            raise LookupError(f"job {job_id} does not exist")
        if on_poll is not None:
            on_poll(job)
        if job.status in TERMINAL or time.monotonic() > deadline:
            return job
        time.sleep(interval)


# ---------------------------------------------------------------- change


def progress(db: Database, job_id: str, *, fraction: float | None = None, result: dict[str, Any] | None = None,
             update_result: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> bool:
    """Record progress (and beat the heart); returns whether a cancel was requested, so the job can stop."""
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return True
        if fraction is not None:
            job.progress = fraction
        if result is not None:
            job.result = result
        if update_result is not None:
            job.result = update_result(dict(job.result))
        job.updated_at = job.heartbeat_at = utcnow()
        return bool(job.cancel_requested)


def warn(db: Database, job_id: str, warning: dict[str, Any]) -> None:
    """Add a warning (``code``, ``message``) that the job's answer lists: something the user should know."""
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.warnings = [*job.warnings, warning]


def cancel_requested(db: Database, job_id: str) -> bool:
    job = load(db, job_id)
    return job is None or bool(job.cancel_requested)


def request_cancel(db: Database, job_id: str,
                   cancelled_result: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> str:
    """Flag a job for cancellation (any process sees the flag). Returns the status it had.

    A job that has not started is cancelled at once; a running one becomes ``cancelling`` until its
    function notices. A terminal job is left as it is: the caller decides how to refuse.
    """
    with db.session() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None:
            raise LookupError(job_id)
        before = job.status
        if before in TERMINAL:
            return before
        job.cancel_requested = True
        if before == JobStatus.NOT_STARTED:
            _finish_row(job, JobStatus.CANCELLED)
            if cancelled_result is not None:
                job.result = cancelled_result(dict(job.result))
        elif before == JobStatus.RUNNING:
            job.status = JobStatus.CANCELLING.value
        job.updated_at = utcnow()
        return before


def finish(db: Database, job_id: str, status: JobStatus, *, error: dict[str, Any] | None = None,
           errors: list[dict[str, Any]] | None = None, result: dict[str, Any] | None = None) -> bool:
    """Move a job to a terminal status once; returns False when it was already terminal (or gone)."""
    with db.session() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.status in TERMINAL:
            return False
        if result is not None:
            job.result = result
        if errors is not None:
            job.errors = errors
        if error is not None:
            job.errors = [*job.errors, error]
        _finish_row(job, status)
        return True


def _finish_row(job: Job, status: str) -> None:
    now = utcnow()
    job.status = str(status)
    job.updated_at = job.finished_at = now


# ---------------------------------------------------------------- engine side


@dataclass(frozen=True)
class Claim:
    """What a worker may do with a delivered job."""

    run: bool
    kind: str = ""
    request_id: str | None = None
    reason: str = ""


def claim(db: Database, job_id: str, worker: str, *, stale_after: float, resumable: bool) -> Claim:
    """Take a delivered job for this worker, exactly once even when the broker delivers it twice.

    A job runs when it has not started, or when its last runner stopped beating (a lost worker) and it is
    safe to run again. A lost non-resumable job (training) is failed instead. A job another live worker runs,
    or a finished one, is skipped.
    """
    now = utcnow()
    with db.session() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None:
            return Claim(False, reason="gone")
        if job.status in TERMINAL:
            return Claim(False, job.kind, reason="finished")
        if job.cancel_requested:
            _finish_row(job, JobStatus.CANCELLED)
            return Claim(False, job.kind, reason="cancelled")
        if job.status != JobStatus.NOT_STARTED:
            beat = job.heartbeat_at or job.started_at or job.updated_at
            if beat > now - timedelta(seconds=stale_after):
                return Claim(False, job.kind, reason="running elsewhere")
            if not resumable:
                job.errors = [*job.errors, lost_error(job.kind, job.worker)]
                _finish_row(job, JobStatus.FAILED)
                return Claim(False, job.kind, reason="lost")
        job.status = JobStatus.RUNNING.value
        job.started_at = job.started_at or now
        job.updated_at = job.heartbeat_at = now
        job.worker = worker
        job.attempts = (job.attempts or 0) + 1
        return Claim(True, job.kind, job.request_id)


def lost_error(kind: str, worker: str | None) -> dict[str, Any]:
    who = f"the worker '{worker}'" if worker else "the process"
    what = "training" if kind == "train" else f"'{kind}' job"
    return {"code": "InternalServerError",
            "message": f"The {what} stopped because {who} running it was lost (killed, crashed or restarted). "
                       "The project, its data, earlier models and deployments are unchanged. Submit it again."}


def heartbeat(db: Database, job_ids: Iterable[str]) -> None:
    """Tell reapers that these jobs' worker is alive."""
    ids = list(job_ids)
    if ids:
        with db.session() as session:
            session.execute(update(Job).where(Job.id.in_(ids), Job.status.in_(ACTIVE)).values(heartbeat_at=utcnow()))


def reap_stale(db: Database, stale_after: float, resumable: Callable[[str], bool],
               resend_after: float | None = None) -> list[tuple[str, str]]:
    """End what lost workers left behind: re-queue safe jobs, fail the rest. Returns the (id, kind) to enqueue.

    With ``resend_after``, a job still waiting that long after it was (last) sent is sent again: a worker
    killed after taking a message from the broker and before claiming the job may have lost the message.
    A duplicate message is harmless (``claim`` skips it); each job is re-sent at most once per period.
    """
    now = utcnow()
    cutoff = now - timedelta(seconds=stale_after)
    beat = func.coalesce(Job.heartbeat_at, Job.started_at, Job.updated_at)
    requeue: list[tuple[str, str]] = []
    with db.session() as session:
        rows = session.scalars(select(Job).where(
            Job.status.in_((JobStatus.RUNNING, JobStatus.CANCELLING)), beat < cutoff).with_for_update(skip_locked=True)).all()
        for job in rows:
            _abandon(job, resumable(job.kind), requeue)
        if resend_after is not None:
            sent = func.coalesce(Job.heartbeat_at, Job.created_at)
            waiting = session.scalars(select(Job).where(
                Job.status == JobStatus.NOT_STARTED, Job.cancel_requested.is_(False), Job.expires_at >= now,
                sent < now - timedelta(seconds=resend_after)).with_for_update(skip_locked=True)).all()
            for job in waiting:
                job.heartbeat_at = now  # "last sent": the next resend waits another period
                requeue.append((job.id, job.kind))
    return requeue


def recover_after_restart(db: Database, resumable: Callable[[str], bool]) -> list[tuple[str, str]]:
    """In-process engine start: nothing of the previous process still runs. Returns every (id, kind) to enqueue."""
    again: list[tuple[str, str]] = []
    with db.session() as session:
        for job in session.scalars(select(Job).where(Job.status.in_(ACTIVE))).all():
            if job.status == JobStatus.NOT_STARTED and not job.cancel_requested:
                again.append((job.id, job.kind))
            else:
                _abandon(job, resumable(job.kind), again,
                         message="The service restarted while this job was running. Submit it again.")
    return again


def _abandon(job: Job, resumable: bool, requeue: list[tuple[str, str]], message: str | None = None) -> None:
    if job.status == JobStatus.CANCELLING or job.cancel_requested:
        _finish_row(job, JobStatus.CANCELLED)
    elif resumable:
        job.status = JobStatus.NOT_STARTED.value
        job.updated_at = job.heartbeat_at = utcnow()
        requeue.append((job.id, job.kind))
    else:
        error = lost_error(job.kind, job.worker)
        if message:
            error = {"code": "InternalServerError", "message": message}
        job.errors = [*job.errors, error]
        _finish_row(job, JobStatus.FAILED)


def sweep_expired(db: Database) -> int:
    """Delete expired job rows (their results are gone too, as in Azure)."""
    with db.session() as session:
        result = session.execute(delete(Job).where(Job.expires_at < utcnow()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def existing_ids(db: Database, job_ids: Iterable[str]) -> set[str]:
    ids = list(job_ids)
    if not ids:
        return set()
    with db.session() as session:
        return set(session.scalars(select(Job.id).where(Job.id.in_(ids))).all())


def active(db: Database, kind: str) -> list[JobRecord]:
    """Unfinished jobs of one kind (e.g. the trainings whose model folders are being written)."""
    with db.session() as session:
        return [JobRecord.of(row) for row in session.scalars(
            select(Job).where(Job.kind == kind, Job.status.in_(ACTIVE))).all()]


def count_waiting(db: Database, kind: str) -> int:
    """Jobs of one kind waiting to start (for backpressure)."""
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == kind, Job.status == JobStatus.NOT_STARTED)) or 0)


def queued(db: Database) -> list[tuple[str, datetime]]:
    """(kind, created_at) of every job waiting to start, for queue depth and age."""
    with db.session() as session:
        return [(kind, created) for kind, created in session.execute(
            select(Job.kind, Job.created_at).where(Job.status == JobStatus.NOT_STARTED, Job.expires_at >= utcnow()))]


def running_progress(db: Database, kind: str) -> list[tuple[str, str | None, float]]:
    """(job id, project, fraction) of running jobs of one kind, for the training progress gauge."""
    with db.session() as session:
        return [(i, p, float(f or 0.0)) for i, p, f in session.execute(
            select(Job.id, Job.project_name, Job.progress).where(
                Job.kind == kind, or_(Job.status == JobStatus.RUNNING, Job.status == JobStatus.CANCELLING)))]
