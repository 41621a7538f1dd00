"""Cut a text into plain and highlighted pieces for templates (server-side, no per-character markup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Piece:
    text: str
    span: dict[str, Any] | None = None


def pieces(text: str, spans: list[dict[str, Any]], start: int = 0, end: int | None = None) -> list[Piece]:
    """``text[start:end]`` as pieces; spans are dicts with code-point ``start``/``end``, overlaps skipped."""
    end = len(text) if end is None else end
    out: list[Piece] = []
    cursor = start
    for span in sorted(spans, key=lambda s: (s["start"], s["end"])):
        if span["start"] < cursor or span["end"] > end:
            continue
        if span["start"] > cursor:
            out.append(Piece(text[cursor : span["start"]]))
        out.append(Piece(text[span["start"] : span["end"]], span))
        cursor = span["end"]
    if cursor < end:
        out.append(Piece(text[cursor:end]))
    return out


def type_colors(categories: list[str]) -> dict[str, int]:
    """A stable palette index per entity type, in the project's order."""
    return {category: index % 10 for index, category in enumerate(categories)}
