"""Azure's job states, apart from the job rows, so that HTTP clients (the CLI) can read them without a database."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Azure's job states (``cancelling`` while a running job notices its cancel flag)."""

    NOT_STARTED = "notStarted"
    RUNNING = "running"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIALLY_COMPLETED = "partiallyCompleted"


TERMINAL: frozenset[str] = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.PARTIALLY_COMPLETED})
ACTIVE: tuple[str, ...] = (JobStatus.NOT_STARTED, JobStatus.RUNNING, JobStatus.CANCELLING)
