"""A training job's visible state: each phase's status, percent and times, and an estimated end, kept on the job row."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from customner.clock import utcnow
from customner.jobs import lifecycle
from customner.jobs.lifecycle import JobRecord
from customner.jobs.status import JobStatus
from customner.services.training.options import TrainingPayload

if TYPE_CHECKING:
    from customner.context import AppContext

PROGRESS_INTERVAL_SECONDS = 0.5


class PhaseState(BaseModel):
    """Training or evaluation: where it is and when it started and ended."""

    model_config = ConfigDict(frozen=True)

    status: JobStatus
    percent_complete: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None


NOT_STARTED = PhaseState(status=JobStatus.NOT_STARTED)


class TrainingState(BaseModel):
    """What a training job shows while it runs and after; rows store its dump as the job's result."""

    model_config = ConfigDict(frozen=True)

    model_label: str
    training_config_version: str
    training: PhaseState
    evaluation: PhaseState
    estimated_end: datetime | None = None

    @classmethod
    def of(cls, payload: TrainingPayload, training: PhaseState, evaluation: PhaseState,
           estimated_end: datetime | None = None) -> TrainingState:
        return cls(model_label=payload.model_label, training_config_version=payload.training_config_version,
                   training=training, evaluation=evaluation, estimated_end=estimated_end)

    def ended_as(self, status: str) -> TrainingState:
        """A job that ended failed or cancelled never leaves a phase looking as if it were still running."""
        def settled(phase: PhaseState) -> PhaseState:
            unfinished = phase.status in (JobStatus.NOT_STARTED, JobStatus.RUNNING)
            return phase.model_copy(update={"status": JobStatus(status)}) if unfinished else phase
        if status not in (JobStatus.FAILED, JobStatus.CANCELLED):
            return self
        return self.model_copy(update={"training": settled(self.training), "evaluation": settled(self.evaluation)})


def state_of(job: JobRecord) -> TrainingState:
    """The state a training job shows, read from its row."""
    return TrainingState.model_validate(job.result).ended_as(job.status)


def initial_state(payload: TrainingPayload) -> TrainingState:
    return TrainingState.of(payload, NOT_STARTED, NOT_STARTED)


def estimated_remaining(elapsed: float, fraction: float) -> float | None:
    """Seconds still to go at this pace (with a 5% margin); None while too little is done to tell.

    Recipes report the share of the expected *time* already spent (``customner.ner.pace``), so extrapolating the
    elapsed time is honest.
    """
    if fraction <= 0.02:
        return None
    return elapsed * (1 - fraction) / fraction * 1.05


class Progress:
    """Writes the percent complete to the job row at most every half second; reports cancellation."""

    def __init__(self, context: AppContext, job_id: str, payload: TrainingPayload, started: datetime) -> None:
        self.context, self.job_id, self.payload, self.started = context, job_id, payload, started
        self._last_write = 0.0
        self._cancelled = False
        self._t0 = time.monotonic()

    def training(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last_write < PROGRESS_INTERVAL_SECONDS and fraction < 1.0:
            return
        self._last_write = now
        remaining = estimated_remaining(now - self._t0, fraction)
        estimated = None if remaining is None else utcnow() + timedelta(seconds=remaining)
        state = TrainingState.of(
            self.payload, PhaseState(status=JobStatus.RUNNING, percent_complete=round(100 * fraction), started_at=self.started),
            NOT_STARTED, estimated)
        self._cancelled = lifecycle.progress(self.context.db, self.job_id, fraction=fraction,
                                             result=state.model_dump(mode="json"))

    def should_stop(self) -> bool:
        return self._cancelled


def set_state(context: AppContext, job_id: str, payload: TrainingPayload, started: datetime, training_end: datetime,
              evaluation: tuple[JobStatus, float], done: bool = False) -> None:
    """Training finished; the evaluation phase is ``evaluation`` (and the whole job is done when ``done``)."""
    state = TrainingState.of(
        payload, PhaseState(status=JobStatus.SUCCEEDED, percent_complete=100, started_at=started, ended_at=training_end),
        PhaseState(status=evaluation[0], percent_complete=round(evaluation[1]), started_at=training_end,
                   ended_at=utcnow() if done else None))
    lifecycle.progress(context.db, job_id, fraction=1.0 if done else None, result=state.model_dump(mode="json"))
