"""Run one delivered job to a terminal state, whatever its function does. Shared by every engine."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import TYPE_CHECKING

from customner.errors import JobFailure, ServiceError
from customner.jobs import lifecycle
from customner.jobs.lifecycle import Cancelled
from customner.jobs.registry import JobRegistry
from customner.jobs.status import JobStatus
from customner.observability import JOB_SECONDS, request_id
from customner.observability import job_id as job_id_var

if TYPE_CHECKING:
    from customner.context import AppContext

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RunningJobs:
    """The jobs this process runs now; the maintenance loop beats their hearts."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    def add(self, job_id: str) -> None:
        with self._lock:
            self._ids.add(job_id)

    def discard(self, job_id: str) -> None:
        with self._lock:
            self._ids.discard(job_id)

    def snapshot(self) -> list[str]:
        with self._lock:
            return list(self._ids)


def run_job(context: AppContext, registry: JobRegistry, job_id: str, *, kind: str | None = None,
            running: RunningJobs | None = None, stale_after: float = 30.0) -> str:
    """Claim the job, run its function, record the outcome. Returns what happened (for logs and tests)."""
    db = context.db
    spec = registry.get(kind) if kind is not None else None
    claim = lifecycle.claim(db, job_id, worker_name(), stale_after=stale_after,
                        resumable=spec.resumable if spec is not None else True)
    if not claim.run:
        log.info("job %s not run: %s", job_id, claim.reason)
        return claim.reason
    spec = registry.get(claim.kind)
    request_token, job_token = request_id.set(claim.request_id), job_id_var.set(job_id)
    if running is not None:
        running.add(job_id)
    started = time.monotonic()
    outcome = JobStatus.SUCCEEDED
    try:
        if spec is None:
            known = ", ".join(sorted(registry.kinds)) or "none"
            raise JobFailure(f"No worker knows how to run a job of kind '{claim.kind}' (known kinds: {known}).")
        log.info("job %s (%s) started", job_id, claim.kind)
        ended = spec.function(context, job_id)
    except Cancelled:
        outcome = JobStatus.CANCELLED
        lifecycle.finish(db, job_id, JobStatus.CANCELLED)
    except ServiceError as error:
        outcome = JobStatus.FAILED
        log.warning("job %s (%s) failed: %s", job_id, claim.kind, error.message)
        lifecycle.finish(db, job_id, JobStatus.FAILED, error=error.to_dict())
    except Exception as error:  # noqa: BLE001 - recorded on the job, never lost
        outcome = JobStatus.FAILED
        log.exception("job %s (%s) failed", job_id, claim.kind)
        failure = JobFailure(f"The job failed unexpectedly: {type(error).__name__}: {error}")
        lifecycle.finish(db, job_id, JobStatus.FAILED, error=failure.to_dict())
    else:
        if ended is not None:
            outcome = ended
        elif not lifecycle.finish(db, job_id, JobStatus.SUCCEEDED):  # something else ended it meanwhile
            final = lifecycle.load(db, job_id)
            outcome = JobStatus(final.status) if final is not None else outcome
    finally:
        if running is not None:
            running.discard(job_id)
        JOB_SECONDS.labels(kind=claim.kind, status=str(outcome)).observe(time.monotonic() - started)
        log.info("job %s (%s) ended %s", job_id, claim.kind, outcome)
        request_id.reset(request_token)
        job_id_var.reset(job_token)
    return str(outcome)
