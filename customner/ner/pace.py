"""How far a transformer training is, in time: the progress it reports and the deadline of its time budget.

The service turns a reported fraction into an estimated end by extrapolating the time spent so
far (``elapsed / fraction``). That is only honest if the fraction is a share of the *time*, not
of the steps: the CRF expert, the fine-tuning steps, the dev evaluations and the export cost
different amounts, and the time budget may end fine-tuning early. So the recipe reports
``elapsed / (elapsed + expected remaining)``, with the remaining time taken from the measured
seconds per step and per dev evaluation and capped by the budget; before any step has run, the
CRF phase gets a share of the bar estimated from the work both phases will do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# Measured on a 2-core machine (benchmarks/training_time.py, long articles): crfsuite's L-BFGS costs about 2.75e-3 of
# a fine-tuning subword per (token x iteration) at 9 tags, growing with the tag count. Only the shape of the bar
# before the first step depends on it.
CRF_COST_PER_TOKEN_ITERATION = 2.75e-3 / 9
# Export, quantization and the dev-slice passes after fine-tuning, in dev evaluations (plus a fixed part, seconds).
FINISH_EVALUATIONS, FINISH_FIXED_SECONDS = 3.0, 10.0
# An inference pass over a subword costs about a third of a training pass (forward only).
INFERENCE_SHARE_OF_STEP = 1 / 3
MIN_STEPS_FOR_PACE = 3


def crf_share(tokens: int, tags: int, iterations: int, subwords_to_see: int) -> float:
    """The CRF phase's estimated share of the training time, in [0.02, 0.6]."""
    crf = tokens * iterations * tags * CRF_COST_PER_TOKEN_ITERATION
    return min(max(crf / max(crf + subwords_to_see, 1.0), 0.02), 0.6)


@dataclass
class Pace:
    """Measured seconds per fine-tuning step and per dev evaluation; the expected end and the deadline.

    ``started`` is when the whole training started (monotonic clock), ``budget`` its wall-clock cap in seconds (None:
    no cap). Fine-tuning must stop at ``deadline()``: the finishing steps still have to fit in the budget.
    """

    started: float
    budget: float | None
    total_steps: int
    epochs: int
    evaluates: bool
    subwords_per_step: float  # training subwords in an average step
    dev_subwords: int
    _steps_started: float = field(default=0.0, init=False)
    _step_seconds: float = field(default=0.0, init=False)
    _eval_seconds: list[float] = field(default_factory=list, init=False)

    def steps_begin(self) -> None:
        self._steps_started = time.monotonic()

    def evaluated(self, seconds: float) -> None:
        self._eval_seconds.append(seconds)

    def _eval_cost(self) -> float:
        """Seconds of a dev-slice pass: measured once an epoch has been evaluated, else from the step pace."""
        if self._eval_seconds:
            return max(self._eval_seconds)
        per_subword = self._step_seconds / max(self.subwords_per_step, 1.0)
        return self.dev_subwords * per_subword * INFERENCE_SHARE_OF_STEP

    def finish_seconds(self) -> float:
        """Expected time of everything after fine-tuning (export, quantization, calibration)."""
        return FINISH_FIXED_SECONDS + FINISH_EVALUATIONS * self._eval_cost()

    def deadline(self) -> float | None:
        """Monotonic time past which no further step may start (None: no budget)."""
        if self.budget is None:
            return None
        return self.started + self.budget - self.finish_seconds()

    def expected_end(self, step: int, epoch: int, now: float) -> float | None:
        """When the whole training should end, at this pace; None until a few steps have been timed."""
        if step < MIN_STEPS_FOR_PACE:
            return None
        self._step_seconds = (now - self._steps_started - sum(self._eval_seconds)) / step
        left = (self.total_steps - step) * self._step_seconds
        if self.evaluates:
            left += (self.epochs - epoch + 1) * self._eval_cost()
        end = now + left
        deadline = self.deadline()
        if deadline is not None:
            end = min(end, max(deadline, now))
        return end + self.finish_seconds()

    def fraction(self, step: int, epoch: int, now: float) -> float | None:
        """Share of the expected time already spent; None while the pace is unknown."""
        end = self.expected_end(step, epoch, now)
        return None if end is None else self._share(now, end)

    def finishing_fraction(self, now: float) -> float:
        """Share of the time spent once fine-tuning is over and only the finishing steps remain."""
        return self._share(now, now + self.finish_seconds())

    def _share(self, now: float, end: float) -> float:
        return (now - self.started) / max(end - self.started, 1e-9)
