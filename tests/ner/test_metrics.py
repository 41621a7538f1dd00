from __future__ import annotations

import pytest

from customner.ner.metrics import NONE, evaluate, expected_calibration_error
from customner.ner.types import Entity, Span

TEXT = "cheap italian food in boston tonight"
GOLD = [Span(0, 5, "Price"), Span(6, 13, "Cuisine"), Span(22, 28, "Location")]
PRED = [
    Entity(0, 5, "Price", 0.9),  # exact: tp
    Entity(6, 18, "Cuisine", 0.6),  # too long: fp + fn
    Entity(29, 36, "Hours", 0.3),  # spurious: fp
]


def test_strict_counts_micro_macro() -> None:
    r = evaluate([GOLD], [PRED], [TEXT])
    assert (r.per_type["Price"].tp, r.per_type["Price"].fp, r.per_type["Price"].fn) == (1, 0, 0)
    assert (r.per_type["Cuisine"].tp, r.per_type["Cuisine"].fp, r.per_type["Cuisine"].fn) == (0, 1, 1)
    assert (r.per_type["Location"].fn, r.per_type["Hours"].fp) == (1, 1)
    assert all(s.tn == 0 for s in r.per_type.values())
    assert (r.micro.tp, r.micro.fp, r.micro.fn) == (1, 2, 2)
    assert r.micro.precision == pytest.approx(1 / 3)
    assert r.micro.recall == pytest.approx(1 / 3)
    assert r.micro.f1 == pytest.approx(1 / 3)
    # macro over the 4 types seen in gold or predictions: only Price scores 1
    assert r.macro.precision == pytest.approx(0.25)
    assert r.macro.recall == pytest.approx(0.25)
    assert r.macro.f1 == pytest.approx(0.25)


def test_ece_hand_computed() -> None:
    r = evaluate([GOLD], [PRED], [TEXT])
    assert r.ece == pytest.approx((0.1 + 0.6 + 0.3) / 3)
    assert expected_calibration_error([0.95, 0.95, 0.95, 0.95], [True, True, True, False]) == pytest.approx(0.2)
    assert expected_calibration_error([], []) == 0.0


def test_confusion_matrix_fractional_overlap() -> None:
    texts = [TEXT, "sushi bar", "我想吃烤鸭"]
    gold = [GOLD, [Span(0, 5, "Dish")], [Span(3, 5, "Dish")]]
    pred = [PRED, [Entity(0, 9, "Cuisine", 0.5)], []]
    cm = evaluate(gold, pred, texts).confusion
    assert cm["Price"]["Price"] == pytest.approx(1.0)
    assert cm["Cuisine"]["Cuisine"] == pytest.approx(1.0)
    assert cm["Location"][NONE] == pytest.approx(1.0)
    assert cm["Dish"]["Cuisine"] == pytest.approx(1.0)
    assert cm["Dish"][NONE] == pytest.approx(1.0)  # the Chinese dish, missed
    assert cm[NONE]["Cuisine"] == pytest.approx(5 / 12 + 4 / 9)
    assert cm[NONE]["Hours"] == pytest.approx(1.0)
    # outside everything: "in" (1 token) + 3 characters of the text without spaces
    assert cm[NONE][NONE] == pytest.approx(1 + 3)


def test_partial_overlap_splits_gold_between_types() -> None:
    cm = evaluate([[Span(0, 10, "Dish")]], [[Entity(0, 4, "Dish", 1.0)]], ["aaaa bbbbb"]).confusion
    assert cm["Dish"]["Dish"] == pytest.approx(0.4)
    assert cm["Dish"][NONE] == pytest.approx(0.6)


def test_bootstrap_interval_brackets_and_is_reproducible() -> None:
    gold = [[Span(0, 1, "A")], [Span(0, 1, "A")], [Span(0, 1, "B")], [Span(0, 1, "A")]]
    pred = [[Entity(0, 1, "A", 1.0)], [], [Entity(0, 1, "A", 1.0)], [Entity(0, 1, "A", 1.0)]]
    texts = ["x"] * 4
    a = evaluate(gold, pred, texts)
    b = evaluate(gold, pred, texts)
    assert a.micro_f1_ci95 == b.micro_f1_ci95
    lo, hi = a.micro_f1_ci95
    assert 0.0 <= lo <= a.micro.f1 <= hi <= 1.0
    assert lo < hi


def test_perfect_and_empty() -> None:
    r = evaluate([GOLD], [[Entity(s.start, s.end, s.category, 1.0) for s in GOLD]], [TEXT])
    assert r.micro.f1 == 1.0 and r.macro.f1 == 1.0 and r.ece == 0.0
    assert r.micro_f1_ci95 == (1.0, 1.0)
    empty = evaluate([[]], [[]], ["nothing here"])
    assert empty.micro.f1 == 0.0 and empty.confusion[NONE][NONE] == 2
    with pytest.raises(ValueError):
        evaluate([[]], [], ["x"])
