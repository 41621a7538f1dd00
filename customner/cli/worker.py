"""``customner worker``: run jobs from the Celery broker (``CUSTOMNER_JOB_ENGINE=celery``)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from customner.cli.root import app, settings_or_exit
from customner.jobs.registry import QUEUES

if TYPE_CHECKING:
    from customner.context import AppContext
    from customner.settings import Settings

log = logging.getLogger("customner.worker")
DATABASE_RETRY_SECONDS = 5


@app.command()
def worker(
    data_dir: Annotated[Path, typer.Option(envvar="CUSTOMNER_DATA_DIR",
                                           help="Local folder: only this worker's model cache.")] = Path("customner-data"),
    queues: Annotated[str, typer.Option(help="Comma-separated queues to consume.")] = ",".join(QUEUES),
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at once (threads).")] = 2,
    metrics_port: Annotated[int, typer.Option(help="Serve this worker's Prometheus metrics (job durations, model "
                                                   "cache) on this port; 0: off.")] = 0,
    metrics_host: Annotated[str, typer.Option(help="Interface for --metrics-port.")] = "127.0.0.1",
) -> None:
    """Run jobs (runtime analysis, authoring, training) queued by `customner serve` processes."""
    # Imported here, not at the top: every other CLI command would pay for loading them.
    from prometheus_client import start_http_server

    from customner.jobs.celery_engine import CeleryJobEngine
    from customner.observability import configure_logging

    settings = settings_or_exit(data_dir=data_dir, job_engine="celery")
    configure_logging(settings.log_format)
    names = [name.strip() for name in queues.split(",") if name.strip()]
    unknown = [name for name in names if name not in QUEUES]
    if not names or unknown:
        raise typer.BadParameter(f"unknown queue(s) {', '.join(unknown) or '(none)'}; queues: {', '.join(QUEUES)}",
                                 param_hint="--queues")
    context = _connect(settings)
    engine = context.jobs
    assert isinstance(engine, CeleryJobEngine)
    if metrics_port:
        start_http_server(metrics_port, addr=metrics_host)
    log.info("worker consuming %s with %d threads", ",".join(names), concurrency)
    engine.run_worker(names, concurrency)


def _connect(settings: Settings) -> AppContext:
    """Build the context, waiting for the database rather than dying while it starts."""
    from sqlalchemy.exc import OperationalError

    from customner.assembly import build_context

    while True:
        try:
            return build_context(settings)
        except OperationalError as error:
            log.error("database unreachable (%s); retrying in %d s", error.orig, DATABASE_RETRY_SECONDS)
            time.sleep(DATABASE_RETRY_SECONDS)
