"""Agreement math against numbers worked out by hand (tests/fixtures/agreement/hand_computed.json)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from customner.ner.agreement import (
    AnnotatedDocument,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    overlap_matches,
    token_tags,
)
from customner.ner.tokenize import tokenize
from customner.ner.types import Span

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "agreement" / "hand_computed.json").read_text("utf-8"))


def document(case: dict[str, Any]) -> AnnotatedDocument:
    return AnnotatedDocument(tokens=[(w.start, w.end) for w in tokenize(case["text"])],
                             annotations={name: [Span(*span) for span in spans] for name, spans in case["annotations"].items()})


def test_two_annotators_match_the_hand_computed_figures() -> None:
    case = FIXTURE["two_annotators"]
    report = agreement([document(case)], ["PER", "LOC"])
    expected = case["expected"]
    assert (report.kappa_kind, report.annotators, report.documents) == ("cohen", ["A", "B"], 1)
    for scores, wanted in [(report.overall, expected["overall"]), (report.by_type["PER"], expected["PER"]),
                           (report.by_type["LOC"], expected["LOC"])]:
        assert scores.exact.f1 == pytest.approx(wanted["exact_f1"])
        assert scores.overlap.f1 == pytest.approx(wanted["overlap_f1"])
        assert scores.kappa == pytest.approx(wanted["kappa"])
    (pair,) = report.pairs
    assert (pair.first, pair.second, pair.documents) == ("A", "B", 1)
    assert pair.overall.kappa == pytest.approx(expected["overall"]["kappa"])


def test_three_annotators_use_fleiss_kappa() -> None:
    case = FIXTURE["three_annotators"]
    report = agreement([document(case)], ["PER", "LOC"])
    expected = case["expected"]
    assert report.kappa_kind == "fleiss"
    assert report.overall.kappa == pytest.approx(expected["overall"]["kappa"])
    assert report.overall.exact.f1 == pytest.approx(expected["overall"]["exact_f1"])
    assert report.overall.overlap.f1 == pytest.approx(expected["overall"]["overlap_f1"])
    got = {f"{p.first}-{p.second}": [p.overall.exact.f1, p.overall.overlap.f1] for p in report.pairs}
    assert got == {name: pytest.approx(values) for name, values in expected["pairs"].items()}


def test_overlap_matching_is_one_to_one_and_maximal() -> None:
    one_long = [Span(0, 10, "X")]
    assert overlap_matches(one_long, [Span(0, 2, "X"), Span(5, 7, "X")]) == 1
    # A greedy first-come matching would pair (0,5) with (4,7) and leave (6,10) nothing; the maximum is 2.
    assert overlap_matches([Span(0, 5, "X"), Span(6, 10, "X")], [Span(4, 7, "X"), Span(9, 12, "X")]) == 2
    assert overlap_matches([Span(0, 5, "X")], [Span(0, 5, "Y")]) == 0


def test_tokens_take_the_type_that_covers_them_most() -> None:
    assert token_tags([(0, 5)], [Span(0, 3, "LOC"), Span(3, 5, "PER")]) == ["LOC"]
    assert token_tags([(0, 5), (6, 9)], [Span(2, 3, "PER")]) == ["PER", "O"]


def test_undefined_and_edge_kappas() -> None:
    assert cohen_kappa(["O", "O"], ["O", "O"]) is None  # nobody used any type: no variation to agree on
    assert cohen_kappa(["A", "O"], ["A", "O"]) == pytest.approx(1.0)
    assert fleiss_kappa([Counter({"A": 3}), Counter({"O": 3})]) == pytest.approx(1.0)
    assert fleiss_kappa([Counter({"A": 1})]) is None  # one rater is no agreement
    assert agreement([AnnotatedDocument([(0, 1)], {"A": []})], ["X"]).kappa_kind is None
