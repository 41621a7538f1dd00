"""A training job's visible state: percent complete per phase and an estimated end, written to the job row."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from customner.clock import iso_precise, utcnow
from customner.jobs import lifecycle
from customner.jobs.lifecycle import JobStatus

if TYPE_CHECKING:
    from customner.context import AppContext

PROGRESS_INTERVAL_SECONDS = 0.5


def result_state(payload: dict[str, Any], *, training: tuple[str, float], evaluation: tuple[str, float],
                 started: str | None = None, training_end: str | None = None, evaluation_start: str | None = None,
                 evaluation_end: str | None = None, estimated_end: str | None = None) -> dict[str, Any]:
    training_state: dict[str, Any] = {"percentComplete": round(training[1]), "status": training[0]}
    if started:
        training_state["startDateTime"] = started
    if training_end:
        training_state["endDateTime"] = training_end
    evaluation_state: dict[str, Any] = {"percentComplete": round(evaluation[1]), "status": evaluation[0]}
    if evaluation_start:
        evaluation_state["startDateTime"] = evaluation_start
    if evaluation_end:
        evaluation_state["endDateTime"] = evaluation_end
    result = {"modelLabel": payload["modelLabel"], "trainingConfigVersion": payload["trainingConfigVersion"],
              "trainingStatus": training_state, "evaluationStatus": evaluation_state}
    if estimated_end:
        result["estimatedEndDateTime"] = estimated_end
    return result


class Progress:
    """Writes percentComplete to the job row at most every half second; reports cancellation."""

    def __init__(self, context: AppContext, job_id: str, started: str) -> None:
        self.context, self.job_id, self.started = context, job_id, started
        self._last_write = 0.0
        self._cancelled = False
        self._t0 = time.monotonic()

    def training(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last_write < PROGRESS_INTERVAL_SECONDS and fraction < 1.0:
            return
        self._last_write = now
        estimated = None
        if fraction > 0.02:
            remaining = (now - self._t0) * (1 - fraction) / fraction
            estimated = iso_precise(utcnow() + timedelta(seconds=remaining * 1.15))
        self._cancelled = lifecycle.progress(
            self.context.db, self.job_id, fraction=fraction,
            update_result=lambda result: result_state(
                result, training=(JobStatus.RUNNING, 100 * fraction), evaluation=(JobStatus.NOT_STARTED, 0.0),
                started=self.started, estimated_end=estimated))

    def should_stop(self) -> bool:
        return self._cancelled


def set_state(context: AppContext, job_id: str, payload: dict[str, Any], started: str | None, training_end: str | None,
              evaluation: tuple[str, float], done: bool = False) -> None:
    """Training finished; the evaluation phase is ``evaluation`` (and the whole job is done when ``done``)."""
    now = iso_precise(utcnow())
    lifecycle.progress(context.db, job_id, fraction=1.0 if done else None, result=result_state(
        payload, training=(JobStatus.SUCCEEDED, 100.0), evaluation=evaluation, started=started,
        training_end=training_end, evaluation_start=training_end, evaluation_end=now if done else None))
