"""CoNLL files keep the tag in any column: the last by default, else the one column that holds only tags."""

from __future__ import annotations

import pytest

from customner.formats import conll, registry
from customner.formats.corpus import FormatError


def spans(data: bytes) -> list[tuple[str, list[tuple[int, int, str]]]]:
    return [(r.text, [(e.start, e.end, e.category) for e in r.entities]) for r in conll.read(data).records]


def test_the_tag_may_stand_in_a_middle_column() -> None:
    data = b"Ann\tB-PER\tann\nmet\tO\tmeet\nNew\tB-LOC\tnew\nYork\tI-LOC\tyork\n\nBob\tS-PER\tbob\n"
    assert registry.detect(data) == "conll"
    assert spans(data) == [("Ann met New York", [(0, 3, "PER"), (8, 16, "LOC")]), ("Bob", [(0, 3, "PER")])]


def test_the_last_column_wins_when_it_holds_tags_as_in_conll_2003() -> None:
    data = b"-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n"
    assert spans(data) == [("EU rejects German", [(0, 2, "ORG"), (11, 17, "MISC")])]


def test_no_tag_column_is_an_error_naming_the_line() -> None:
    with pytest.raises(FormatError) as error:
        conll.read(b"Ann\tPER\nmet\tO\n")
    assert "line 1" in str(error.value)
