"""Offset units: the fast paths for plain texts map exactly as the grapheme and UTF-16 definitions do."""

from __future__ import annotations

import random

import pytest
import regex

from customner.ner import offsets
from customner.ner.offsets import OffsetMapper, StringIndexType

PIECES = ["a", "Z", " ", ".", "\t", "\r", "\n", "\r\n", "é", "e\u0301", "한", "\u0915\u094d\u0937", "😀",
          "👩\u200d👩\u200d👧", "🇫🇷", "\u200b"]


def by_definition(text: str, unit: StringIndexType) -> list[int]:
    """Each unit's first code point, then the text's length: extended grapheme clusters, or UTF-16 code units."""
    if unit is StringIndexType.TEXT_ELEMENTS:
        return [m.start() for m in regex.finditer(r"\X", text)] + [len(text)]
    boundaries = [0]
    for char in text:
        boundaries.append(boundaries[-1] + (2 if ord(char) > 0xFFFF else 1))
    return boundaries


def texts() -> list[str]:
    draw = random.Random(13)
    mixed = ["".join(draw.choice(PIECES) for _ in range(draw.randint(0, 40))) for _ in range(400)]
    plain = ["".join(draw.choice("ab .\t\r\n") for _ in range(draw.randint(0, 40))) for _ in range(400)]
    return ["", "\r\n", "a\r\nb", "Book a table at Chez Marie.", "a\ud800b", *mixed, *plain]  # with a lone surrogate


def test_grapheme_offsets_follow_the_clusters() -> None:
    for text in texts():
        starts = by_definition(text, StringIndexType.TEXT_ELEMENTS)
        mapper = OffsetMapper(text, StringIndexType.TEXT_ELEMENTS)
        assert mapper.length() == len(starts) - 1, text
        assert [mapper.to_code_points(i) for i in range(len(starts))] == starts, text
        assert [mapper.from_code_points(start) for start in starts] == list(range(len(starts))), text


def test_utf16_offsets_count_code_units() -> None:
    for text in texts():
        units = by_definition(text, StringIndexType.UTF16_CODE_UNIT)
        mapper = OffsetMapper(text, StringIndexType.UTF16_CODE_UNIT)
        assert mapper.length() == units[-1], text
        assert [mapper.from_code_points(p) for p in range(len(text) + 1)] == units, text


def test_plain_text_is_mapped_without_the_grapheme_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every runtime document is mapped (and measured against the request's limit) on the request path: the
    grapheme regex's Python loop took 24 µs for a 110-character query, the fast path 1 µs."""

    class Unused:
        def __getattr__(self, name: str) -> None:
            raise AssertionError(f"the grapheme regex ran ({name})")

    monkeypatch.setattr(offsets, "_GRAPHEME", Unused())
    mapper = OffsetMapper("cheap italian food near downtown\topen now", StringIndexType.TEXT_ELEMENTS)
    assert mapper.length() == 41 and mapper.to_code_points(6) == 6
