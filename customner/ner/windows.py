"""Overlapping subword windows over arbitrarily long documents.

Each word is read from the window where it sits furthest from a window edge, so every word
gets full context and the per-word scores of the whole document are decoded in one pass:
an entity straddling a window boundary is found once, with exact offsets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Window:
    start: int  # subword index, inclusive
    end: int  # exclusive


def make_windows(word_starts: np.ndarray, n_subwords: int, size: int, overlap: int) -> list[Window]:
    """Windows of at most ``size`` subwords overlapping by ~``overlap``, cut at word starts.

    ``word_starts`` holds the first-subword index of every word (ascending).
    """
    if n_subwords <= size:
        return [Window(0, n_subwords)]
    cuts = set(word_starts.tolist()) | {n_subwords}
    allowed = np.array(sorted(cuts))
    out: list[Window] = []
    start = 0
    while True:
        limit = start + size
        if limit >= n_subwords:
            out.append(Window(start, n_subwords))
            return out
        # end at the last word boundary that fits (or cut a giant word mid-way)
        i = int(np.searchsorted(allowed, limit, side="right")) - 1
        end = int(allowed[i]) if allowed[i] > start else limit
        out.append(Window(start, end))
        nxt = end - overlap
        j = int(np.searchsorted(allowed, nxt, side="left"))
        nxt_start = int(allowed[j]) if j < len(allowed) else nxt
        start = nxt_start if start < nxt_start < end else max(start + 1, nxt)


def assign(word_starts: np.ndarray, windows: list[Window]) -> np.ndarray:
    """For every word, the index of the window where it is most central."""
    owner = np.zeros(len(word_starts), dtype=np.int64)
    best = np.full(len(word_starts), -1, dtype=np.int64)
    for k, w in enumerate(windows):
        lo = int(np.searchsorted(word_starts, w.start, side="left"))
        hi = int(np.searchsorted(word_starts, w.end, side="left"))
        pos = word_starts[lo:hi]
        margin = np.minimum(pos - w.start, w.end - 1 - pos)
        better = margin > best[lo:hi]
        best[lo:hi] = np.where(better, margin, best[lo:hi])
        owner[lo:hi] = np.where(better, k, owner[lo:hi])
    return owner
