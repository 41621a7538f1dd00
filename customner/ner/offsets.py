"""Offset units at the wire edge.

Internally every span is in Unicode code points. Azure counts offsets in one of three units,
chosen per request by ``stringIndexType``; this module is the only place that converts.
Text elements are extended grapheme clusters (the ``regex`` module's ``\\X``), which is what
.NET's ``StringInfo`` counts on current runtimes.
"""

from __future__ import annotations

import bisect
import itertools
from enum import StrEnum

import regex

_GRAPHEME = regex.compile(r"\X")


class StringIndexType(StrEnum):
    TEXT_ELEMENTS = "TextElements_v8"
    UNICODE_CODE_POINT = "UnicodeCodePoint"
    UTF16_CODE_UNIT = "Utf16CodeUnit"

    @classmethod
    def parse(cls, value: str | None) -> StringIndexType:
        """Accept both Azure spellings of text elements (v3.x has no "s"); default when absent."""
        if value is None or value == "":
            return cls.TEXT_ELEMENTS
        if value == "TextElement_v8":
            return cls.TEXT_ELEMENTS
        return cls(value)


ALLOWED_INDEX_TYPES = ("TextElement_v8", "TextElements_v8", "UnicodeCodePoint", "Utf16CodeUnit")


class OffsetMapper:
    """Converts code-point offsets of one text to another unit and back."""

    def __init__(self, text: str, unit: StringIndexType) -> None:
        self.text = text
        self.unit = unit
        self._boundaries: list[int] | None = None
        # Each unit's start positions in code points, and the text's length last. The usual texts take the fast
        # paths (every runtime document is mapped, and measured against the request's limit, on the request path).
        if unit is StringIndexType.TEXT_ELEMENTS:
            if text.isascii() and "\r\n" not in text:  # in ASCII only CR LF makes a cluster of two
                self._boundaries = list(range(len(text) + 1))
            else:
                self._boundaries = list(itertools.accumulate(map(len, _GRAPHEME.findall(text)), initial=0))
        elif unit is StringIndexType.UTF16_CODE_UNIT:
            if not text or max(text) <= "\uffff":  # no character outside the BMP
                self._boundaries = list(range(len(text) + 1))
            else:
                self._boundaries = list(itertools.accumulate((2 if ord(char) > 0xFFFF else 1 for char in text),
                                                             initial=0))

    def length(self) -> int:
        """Length of the whole text in this unit."""
        return self.from_code_points(len(self.text))

    def from_code_points(self, position: int) -> int:
        if self.unit is StringIndexType.UNICODE_CODE_POINT:
            return position
        assert self._boundaries is not None
        if self.unit is StringIndexType.UTF16_CODE_UNIT:
            return self._boundaries[position]
        # A position inside a grapheme cluster maps to the cluster that contains it.
        return bisect.bisect_right(self._boundaries, position) - 1

    def to_code_points(self, position: int) -> int:
        """Inverse of ``from_code_points``; raises ValueError for a position that splits a unit."""
        if self.unit is StringIndexType.UNICODE_CODE_POINT:
            if not 0 <= position <= len(self.text):
                raise ValueError(f"offset {position} is outside the text")
            return position
        assert self._boundaries is not None
        if self.unit is StringIndexType.TEXT_ELEMENTS:
            if not 0 <= position < len(self._boundaries):
                raise ValueError(f"offset {position} is outside the text")
            return self._boundaries[position]
        index = bisect.bisect_left(self._boundaries, position)
        if index >= len(self._boundaries) or self._boundaries[index] != position:
            raise ValueError(f"offset {position} splits a surrogate pair or is outside the text")
        return index

    def span(self, start: int, end: int) -> tuple[int, int]:
        """(offset, length) in this unit for a code-point span, widened to whole text elements."""
        offset = self.from_code_points(start)
        if self.unit is StringIndexType.TEXT_ELEMENTS:
            assert self._boundaries is not None
            end_index = bisect.bisect_left(self._boundaries, end)
            return offset, end_index - offset
        return offset, self.from_code_points(end) - offset


def utf16_length(text: str) -> int:
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)
