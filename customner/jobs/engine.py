"""The job engine interface and its in-process implementation.

Services create a job row, then call ``enqueue(job_id)``. Job functions are registered by kind
and take only the job id, so a distributed engine can run the same functions elsewhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import delete, select

from customner.clock import utcnow
from customner.errors import JobFailure, ServiceError
from customner.store.database import Database
from customner.store.tables import Job

if TYPE_CHECKING:
    from customner.context import AppContext

log = logging.getLogger(__name__)

JobFunction = Callable[["AppContext", str], None]
_REGISTRY: dict[str, JobFunction] = {}
# Kinds that are unsafe to run twice; a restart marks them failed instead of resuming them.
_NOT_RESUMABLE: set[str] = set()
# Kinds that run in the heavy (training) pool.
_HEAVY: set[str] = set()

TERMINAL = frozenset({"succeeded", "failed", "cancelled", "partiallyCompleted"})


class Cancelled(Exception):
    """Raised by a job function that noticed its cancellation request."""


def job_function(kind: str, *, resumable: bool = True, heavy: bool = False) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        _REGISTRY[kind] = function
        if not resumable:
            _NOT_RESUMABLE.add(kind)
        if heavy:
            _HEAVY.add(kind)
        return function

    return register


class JobEngine(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def enqueue(self, job_id: str, kind: str) -> None: ...


class InProcessJobEngine:
    """Thread pools inside the server process; jobs survive restarts through their rows."""

    def __init__(self, context: AppContext, *, workers: int, heavy_workers: int, sweep_seconds: float = 300) -> None:
        self.context = context
        self.db = context.db
        self._workers, self._heavy_workers = workers, heavy_workers
        self._sweep_seconds = sweep_seconds
        self._light: ThreadPoolExecutor | None = None
        self._heavy: ThreadPoolExecutor | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        """Create the pools, then resume or fail what a previous process left unfinished."""
        self._light = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="job")
        self._heavy = ThreadPoolExecutor(max_workers=self._heavy_workers, thread_name_prefix="train")
        self._stopping = threading.Event()
        self.recover()
        threading.Thread(target=self._sweep_loop, args=(self._stopping,), name="job-sweeper", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        for pool in (self._light, self._heavy):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        self._light = self._heavy = None

    def enqueue(self, job_id: str, kind: str) -> None:
        """Queue a job; before ``start`` it waits in the database for ``recover`` to pick it up."""
        pool = self._heavy if kind in _HEAVY else self._light
        if pool is not None:
            pool.submit(run_job, self.context, job_id)

    def recover(self) -> None:
        """After a crash: resume safe jobs, fail the rest. Nothing stays ``running`` forever."""
        with self.db.session() as session:
            pending = session.scalars(select(Job).where(Job.status.in_(("notStarted", "running", "cancelling")))).all()
            to_run = []
            for job in pending:
                if job.status == "cancelling" or job.cancel_requested:
                    _finish(job, "cancelled")
                elif job.status == "running" and job.kind in _NOT_RESUMABLE:
                    job.errors = [
                        {"code": "InternalServerError", "message": "The service restarted while this job was running. Submit it again."}
                    ]
                    _finish(job, "failed")
                else:
                    job.status = "notStarted"
                    to_run.append((job.id, job.kind))
        for job_id, kind in to_run:
            self.enqueue(job_id, kind)

    def sweep_expired(self) -> int:
        with self.db.session() as session:
            result = session.execute(delete(Job).where(Job.expires_at < utcnow()))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _sweep_loop(self, stopping: threading.Event) -> None:
        while not stopping.wait(self._sweep_seconds):
            try:
                self.sweep_expired()
            except Exception:  # noqa: BLE001 - the sweeper must never die
                log.exception("job sweep failed")


def _finish(job: Job, status: str) -> None:
    now = utcnow()
    job.status = status
    job.updated_at = now
    job.finished_at = now


def run_job(context: AppContext, job_id: str) -> None:
    """Run one job to a terminal state, whatever the job function does."""
    db = context.db
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is None or job.status in TERMINAL:
            return
        if job.cancel_requested:
            _finish(job, "cancelled")
            return
        job.status = "running"
        job.started_at = job.updated_at = utcnow()
        kind = job.kind
    try:
        _REGISTRY[kind](context, job_id)
    except Cancelled:
        _set_terminal(db, job_id, "cancelled", None)
    except ServiceError as error:
        _set_terminal(db, job_id, "failed", error.to_dict())
    except Exception as error:  # noqa: BLE001 - recorded on the job, never lost
        log.exception("job %s (%s) failed", job_id, kind)
        failure = JobFailure(f"The job failed unexpectedly: {type(error).__name__}: {error}")
        _set_terminal(db, job_id, "failed", failure.to_dict())
    else:
        with db.session() as session:
            job = session.get(Job, job_id)
            if job is not None and job.status not in TERMINAL:
                _finish(job, "succeeded")


def _set_terminal(db: Database, job_id: str, status: str, error: dict[str, object] | None) -> None:
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        if error is not None:
            job.errors = [*job.errors, error]
        _finish(job, status)


def new_job(kind: str, *, ttl: timedelta, project_name: str | None = None, scope: str | None = None,
            payload: dict[str, object] | None = None, job_id: str) -> Job:
    now = utcnow()
    return Job(
        id=job_id, kind=kind, project_name=project_name, scope=scope, status="notStarted",
        created_at=now, updated_at=now, expires_at=now + ttl, payload=payload or {},
        result={}, errors=[], warnings=[], progress=0.0, cancel_requested=False,
    )
