"""The background loop every job-running process keeps: heartbeats, the stale-job reaper and the sweeper."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from customner.jobs import lifecycle
from customner.jobs.registry import JobRegistry
from customner.jobs.runner import RunningJobs

if TYPE_CHECKING:
    from customner.context import AppContext

log = logging.getLogger(__name__)


class Maintenance:
    """Beats the hearts of this process's running jobs; ends jobs whose worker was lost; sweeps expired leftovers.

    The reaper re-queues a lost resumable job (``enqueue``) and fails a lost training with a message that says
    so; nothing stays ``running`` forever. Every step is idempotent, so any number of processes may run it.
    """

    def __init__(self, context: AppContext, registry: JobRegistry, running: RunningJobs,
                 enqueue: Callable[[str, str], None], *, reap: bool) -> None:
        self.context, self.registry, self.running, self.enqueue = context, registry, running, enqueue
        self.reap = reap
        settings = context.settings
        self.beat_seconds = max(0.2, settings.job_heartbeat_seconds)
        self.stale_seconds = settings.job_stale_seconds
        # A waiting job is sent again after this long (the broker's own redelivery takes about as long).
        self.resend_seconds = max(1.5 * settings.job_stale_seconds, 10.0)
        self.sweep_seconds = settings.sweep_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(self._stopping,), name="job-maintenance", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def reap_once(self) -> int:
        lost = lifecycle.reap_stale(self.context.db, self.stale_seconds, self.registry.resumable,
                                    resend_after=self.resend_seconds)
        for job_id, kind in lost:
            log.warning("job %s (%s) lost its worker or its message; queued again", job_id, kind)
            self.enqueue(job_id, kind)
        return len(lost)

    def sweep_once(self) -> None:
        removed = lifecycle.sweep_expired(self.context.db)
        if removed:
            log.info("swept %d expired jobs", removed)
        self.context.blobs.sweep_staging()
        for sweeper in self.registry.sweepers:
            sweeper(self.context)

    def _loop(self, stopping: threading.Event) -> None:
        next_sweep = time.monotonic() + min(self.sweep_seconds, 5.0)
        while not stopping.wait(self.beat_seconds):
            try:
                lifecycle.heartbeat(self.context.db, self.running.snapshot())
                if self.reap:
                    self.reap_once()
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + self.sweep_seconds
                    self.sweep_once()
            except Exception:  # noqa: BLE001 - maintenance must outlive a database outage
                log.exception("job maintenance failed; retrying in %.0f s", self.beat_seconds)
