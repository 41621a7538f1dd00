"""The distributed engine: API processes enqueue on a Celery broker, ``customner worker`` processes run.

The task carries only the job id and kind; the row in the shared database is the truth. Delivery is
at-least-once (late acks, requeue when a worker is lost, broker redelivery after ``visibility_timeout``), and
``lifecycle.claim`` makes a second delivery harmless: a job another live worker runs, or a finished one, is
skipped. The stale-heartbeat reaper, run by every worker, ends what a ``kill -9`` left ``running``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from celery import Celery
from sqlalchemy.exc import OperationalError

from customner import errors
from customner.jobs import lifecycle
from customner.jobs.maintenance import Maintenance
from customner.jobs.registry import QUEUES, JobRegistry
from customner.jobs.runner import RunningJobs, run_job, worker_name
from customner.jobs.status import JobStatus

if TYPE_CHECKING:
    from customner.context import AppContext
    from customner.settings import Settings

log = logging.getLogger(__name__)

TASK_NAME = "customner.run_job"
BROKER_TIMEOUT_SECONDS = 3.0
DATABASE_RETRY_SECONDS = 5


def make_celery(settings: Settings) -> Celery:
    app = Celery("customner", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,                 # ack after the job ran: a lost worker's job is delivered again
        task_reject_on_worker_lost=True,     # a pool child that died requeues its message
        worker_prefetch_multiplier=1,        # reserve no more than the worker runs
        task_ignore_result=True,             # results live in the job row
        task_default_queue=QUEUES[1],
        task_create_missing_queues=True,
        worker_hijack_root_logger=False,
        worker_enable_remote_control=False,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits for its broker as long as it takes
        broker_connection_timeout=BROKER_TIMEOUT_SECONDS,
        broker_transport_options={
            # Redis: an unacknowledged message returns to its queue after this long (a killed worker's).
            "visibility_timeout": max(60.0, 2 * settings.job_stale_seconds),
            "socket_connect_timeout": BROKER_TIMEOUT_SECONDS, "socket_timeout": 10.0,
            "max_retries": 1,
        },
    )
    return app


class CeleryJobEngine:
    """``enqueue`` publishes; ``run_worker`` (the ``customner worker`` command) consumes and runs."""

    def __init__(self, context: AppContext, registry: JobRegistry) -> None:
        self.context = context
        self.registry = registry
        self.app = make_celery(context.settings)
        self.running = RunningJobs()

    def start(self) -> None:
        """An API process runs no jobs: nothing to start."""

    def stop(self) -> None:
        """Nothing to stop in an API process."""

    def enqueue(self, job_id: str, kind: str) -> None:
        try:
            self.app.send_task(TASK_NAME, args=[job_id, kind], queue=self.registry.queue_of(kind), retry=False)
        except Exception as error:  # noqa: BLE001 - kombu raises many transport errors; all mean "broker down"
            log.error("cannot queue job %s (%s): broker %s unreachable: %s", job_id, kind,
                      _safe_url(self.context.settings.broker_url), error)
            message = "The job queue (broker) is unreachable, so the job was not started. Try again later."
            lifecycle.finish(self.context.db, job_id, JobStatus.FAILED,
                             error={"code": "ServiceUnavailable", "message": message})
            raise errors.ServiceUnavailable(message) from error

    def ready(self) -> str | None:
        """None when the broker answers, else why not (for ``/ready``)."""
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"
            return f"broker {_safe_url(self.context.settings.broker_url)} unreachable: {type(error).__name__}"
        return None

    def run_worker(self, queues: list[str], concurrency: int) -> None:
        """Consume ``queues`` with ``concurrency`` threads until stopped; heartbeats, reaper and sweeper run beside."""
        unknown = [queue for queue in queues if queue not in QUEUES]
        if unknown:
            raise ValueError(f"unknown queue(s) {', '.join(unknown)}; queues: {', '.join(QUEUES)}")
        context, registry, running = self.context, self.registry, self.running
        stale = context.settings.job_stale_seconds

        @self.app.task(name=TASK_NAME, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
        def run(task: Any, job_id: str, kind: str) -> str:
            try:
                return run_job(context, registry, job_id, kind=kind, running=running, stale_after=stale)
            except OperationalError as error:
                log.error("database unreachable while starting job %s; retrying in %d s: %s",
                          job_id, DATABASE_RETRY_SECONDS, error.orig)
                raise task.retry(countdown=DATABASE_RETRY_SECONDS) from error

        maintenance = Maintenance(context, registry, running, self.enqueue_quietly, reap=True)
        maintenance.start()
        try:
            worker = self.app.Worker(queues=queues, concurrency=concurrency, pool_cls="threads", hostname=worker_name(),
                                     without_mingle=True, without_gossip=True, loglevel="INFO", quiet=True)
            worker.start()
        finally:
            maintenance.stop()

    def enqueue_quietly(self, job_id: str, kind: str) -> None:
        """The reaper's enqueue: a broker outage leaves the job queued in the database for the next sweep."""
        try:
            self.app.send_task(TASK_NAME, args=[job_id, kind], queue=self.registry.queue_of(kind), retry=False)
        except Exception as error:  # noqa: BLE001
            log.error("cannot queue job %s again: %s", job_id, error)


def _safe_url(url: str) -> str:
    """The broker URL without its password, for messages."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
