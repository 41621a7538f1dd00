"""The job engine interface and its in-process implementation.

Services create a job row (``jobs.lifecycle``), then call ``enqueue(job_id, kind)``. Job functions take only
``(context, job_id)``, so the distributed engine (``celery_engine``) runs the same functions elsewhere.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from customner.jobs import lifecycle
from customner.jobs.maintenance import Maintenance
from customner.jobs.registry import TRAINING, JobRegistry
from customner.jobs.runner import RunningJobs, run_job

if TYPE_CHECKING:
    from customner.context import AppContext


class JobEngine(Protocol):
    registry: JobRegistry

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def enqueue(self, job_id: str, kind: str) -> None: ...
    def ready(self) -> str | None:
        """None when the engine can take jobs, else what is down."""
        ...


class InProcessJobEngine:
    """Thread pools inside the server process; jobs survive restarts through their rows."""

    def __init__(self, context: AppContext, registry: JobRegistry, *, workers: int, heavy_workers: int) -> None:
        self.context = context
        self.registry = registry
        self._workers, self._heavy_workers = workers, heavy_workers
        self._light: ThreadPoolExecutor | None = None
        self._heavy: ThreadPoolExecutor | None = None
        self.running = RunningJobs()
        self.maintenance = Maintenance(context, registry, self.running, self.enqueue, reap=False)

    def start(self) -> None:
        """Create the pools, then resume or fail what a previous process left unfinished."""
        self._light = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="job")
        self._heavy = ThreadPoolExecutor(max_workers=self._heavy_workers, thread_name_prefix="train")
        self.recover()
        self.maintenance.start()

    def stop(self) -> None:
        self.maintenance.stop()
        for pool in (self._light, self._heavy):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        self._light = self._heavy = None

    def enqueue(self, job_id: str, kind: str) -> None:
        """Queue a job; before ``start`` it waits in the database for ``recover`` to pick it up."""
        pool = self._heavy if self.registry.queue_of(kind) == TRAINING else self._light
        if pool is not None:
            pool.submit(run_job, self.context, self.registry, job_id, kind=kind, running=self.running,
                        stale_after=self.context.settings.job_stale_seconds)

    def ready(self) -> str | None:
        return None

    def recover(self) -> None:
        """After a crash: resume safe jobs, fail the rest. Nothing stays ``running`` forever."""
        for job_id, kind in lifecycle.recover_after_restart(self.context.db, self.registry.resumable):
            self.enqueue(job_id, kind)

    def sweep_expired(self) -> int:
        return lifecycle.sweep_expired(self.context.db)
