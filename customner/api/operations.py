"""Operations endpoints and the request middleware: ``/ready``, ``/metrics``, ``apim-request-id``.

``/health`` (in ``app.py``) is liveness and touches nothing; ``/ready`` checks the database and the job
broker, each with a short timeout, so a load balancer stops sending traffic to a process that cannot work.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from customner.clock import utcnow
from customner.jobs import lifecycle
from customner.jobs.registry import QUEUES, TRAINING
from customner.observability import HTTP_REQUESTS, HTTP_SECONDS, request_id

if TYPE_CHECKING:
    from customner.context import AppContext

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])
REQUEST_ID_HEADER = "apim-request-id"


class RequestContextMiddleware:
    """One request id per request (Azure's ``apim-request-id`` header), in every log line and job it creates;
    requests counted by route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = str(uuid.uuid4())
        token = request_id.set(rid)
        started = time.monotonic()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(unmatched)"
            HTTP_REQUESTS.labels(method=scope["method"], route=template, status=str(status)).inc()
            HTTP_SECONDS.labels(method=scope["method"], route=template).observe(time.monotonic() - started)
            request_id.reset(token)


class JobCollector(Collector):
    """Queue depth and age per queue and training progress, read from the job rows at scrape time,
    so every API process reports the same cluster-wide figures."""

    def __init__(self, context: AppContext) -> None:
        self.context = context

    def collect(self) -> Iterator[Any]:
        registry = self.context.jobs.registry
        depth = GaugeMetricFamily("customner_job_queue_depth", "Jobs waiting to start, per queue", labels=["queue"])
        age = GaugeMetricFamily("customner_job_queue_oldest_age_seconds", "Age of the oldest waiting job, per queue",
                                labels=["queue"])
        now = utcnow()
        waiting: dict[str, list[float]] = {queue: [] for queue in QUEUES}
        for kind, created in lifecycle.queued(self.context.db):
            waiting.setdefault(registry.queue_of(kind), []).append((now - created).total_seconds())
        for queue, ages in waiting.items():
            depth.add_metric([queue], len(ages))
            age.add_metric([queue], max(ages, default=0.0))
        progress = GaugeMetricFamily("customner_training_progress", "Fraction done of each running training",
                                     labels=["job_id"])
        for job_id, _project, fraction in lifecycle.running_progress(self.context.db, _training_kind(registry)):
            progress.add_metric([job_id], fraction)
        yield from (depth, age, progress)


def _training_kind(registry: Any) -> str:
    return next((kind for kind, spec in registry.kinds.items() if spec.queue == TRAINING), "train")


def install(app: Any, context: AppContext) -> None:
    """The request middleware and the job metrics (``create_app`` includes ``router`` itself, among the first routes)."""
    app.add_middleware(RequestContextMiddleware)
    app.state.job_metrics = CollectorRegistry(auto_describe=True)
    app.state.job_metrics.register(JobCollector(context))


@router.get("/ready", summary="Readiness: the database and the job broker answer", response_model=None, include_in_schema=False)
def ready(request: Request) -> JSONResponse:
    context: AppContext = request.app.state.context
    checks: dict[str, str] = {}
    try:
        with context.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "up"
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        checks["database"] = f"down: {type(error).__name__}"
    if context.settings.job_engine == "celery":
        problem = context.jobs.ready()
        checks["broker"] = "up" if problem is None else f"down: {problem}"
    down = sorted(name for name, value in checks.items() if value != "up")
    if down:
        log.warning("not ready: %s", ", ".join(f"{name} {checks[name]}" for name in down))
    body = {"status": "ready" if not down else "not ready", "down": down, "checks": checks}
    return JSONResponse(body, status_code=503 if down else 200)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, include_in_schema=False)
def metrics(request: Request) -> Response:
    data = generate_latest(REGISTRY) + generate_latest(request.app.state.job_metrics)
    return Response(data, media_type="text/plain; version=0.0.4; charset=utf-8")
