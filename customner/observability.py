"""Request ids, log lines and Prometheus metrics: what an operator sees of every process.

One ``apim-request-id`` per request (Azure's header) is kept in a context variable, stored on the jobs the
request creates and restored while a worker runs them, so every log line about a request carries its id.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram

request_id: ContextVar[str | None] = ContextVar("customner_request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("customner_job_id", default=None)

HTTP_REQUESTS = Counter("customner_http_requests", "HTTP requests answered, by route template and status",
                        ["method", "route", "status"])
HTTP_SECONDS = Histogram("customner_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"])
JOB_SECONDS = Histogram("customner_job_duration_seconds", "Time a job ran in this process, by kind and outcome",
                        ["kind", "status"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600))
MODEL_CACHE = Counter("customner_model_cache_lookups", "Model cache lookups in this process", ["result"])


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        record.job_id = job_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, job_id (and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"), "job_id": getattr(record, "job_id", "-"),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [request %(request_id)s job %(job_id)s] %(message)s"


def configure_logging(log_format: str = "text", level: int = logging.INFO) -> None:
    """Root logging for ``serve`` and ``worker``: text (default) or JSON lines (``CUSTOMNER_LOG_FORMAT=json``)."""
    if log_format not in ("text", "json"):
        raise ValueError(f"CUSTOMNER_LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "kombu"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
