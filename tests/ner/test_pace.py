"""The progress a transformer training reports is a share of its expected time, and its budget covers the whole run."""

from __future__ import annotations

import pytest

from customner.ner.pace import FINISH_FIXED_SECONDS, Pace, crf_share


def pace(budget: float | None = None, evaluates: bool = False, started: float = 0.0) -> Pace:
    p = Pace(started, budget, total_steps=100, epochs=2, evaluates=evaluates, subwords_per_step=1000, dev_subwords=3000)
    p._steps_started = started + 20.0  # the CRF phase took 20 s  # noqa: SLF001
    return p


def test_the_fraction_is_the_share_of_the_expected_time_not_of_the_steps() -> None:
    p = pace()
    assert p.fraction(2, 1, now=22.0) is None  # too few steps to know the pace
    # 10 steps in 10 s: 90 steps (90 s) and the finishing steps (10 s + 3 dev passes of 3 steps' subwords / 3) remain
    fraction = p.fraction(10, 1, now=30.0)
    expected_end = 30.0 + 90.0 + FINISH_FIXED_SECONDS + 3 * 3.0 / 3
    assert fraction == pytest.approx(30.0 / expected_end)
    assert fraction != pytest.approx(10 / 100)  # the step count alone would ignore the CRF and the finish


def test_measured_dev_evaluations_count_for_every_epoch_still_to_end() -> None:
    p = pace(evaluates=True)
    p.evaluated(5.0)  # epoch 1 was scored in 5 s
    end = p.expected_end(60, 2, now=20.0 + 60.0 + 5.0)
    assert end == pytest.approx(85.0 + 40 * 1.0 + 1 * 5.0 + FINISH_FIXED_SECONDS + 3 * 5.0)


def test_the_budget_covers_the_whole_training_and_leaves_room_to_finish() -> None:
    p = pace(budget=60.0)
    assert p.deadline() == pytest.approx(60.0 - FINISH_FIXED_SECONDS)
    # at this pace the plan would end at 130 s; the budget ends it at 60 s, and the estimate says so
    assert p.expected_end(10, 1, now=30.0) == pytest.approx(60.0 - p.finish_seconds() + p.finish_seconds())
    assert p.fraction(10, 1, now=30.0) == pytest.approx(0.5)


def test_the_crf_share_grows_with_the_crf_work_and_stays_bounded() -> None:
    small = crf_share(tokens=1_000, tags=9, iterations=150, subwords_to_see=1_000_000)
    large = crf_share(tokens=240_000, tags=9, iterations=150, subwords_to_see=870_000)
    assert 0.02 <= small < large <= 0.6
    assert large == pytest.approx(107 / (107 + 786), abs=0.03)  # the long-article run of benchmarks/training_time.py
