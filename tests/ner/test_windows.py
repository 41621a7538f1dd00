from __future__ import annotations

import itertools

import numpy as np

from customner.ner.encoding import plan_batches, plan_side_by_side
from customner.ner.windows import assign, make_windows


def test_short_sequence_is_one_window() -> None:
    starts = np.arange(10)
    assert [(w.start, w.end) for w in make_windows(starts, 10, 16, 4)] == [(0, 10)]


def test_windows_cover_everything_cut_at_word_starts_and_overlap() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 4, size=500)  # subwords per word
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    total = int(lengths.sum())
    wins = make_windows(starts, total, 32, 8)
    assert wins[0].start == 0 and wins[-1].end == total
    allowed = set(starts.tolist()) | {total}
    for a, b in itertools.pairwise(wins):
        assert a.end - a.start <= 32
        assert b.start in allowed and a.end in allowed
        assert b.start < a.end  # overlap: nothing falls between windows
    owner = assign(starts, wins)
    for pos, k in zip(starts.tolist(), owner.tolist(), strict=True):
        w = wins[k]
        assert w.start <= pos < w.end
        # no other window gives the word a larger margin from its edges
        margin = min(pos - w.start, w.end - 1 - pos)
        for other in wins:
            if other.start <= pos < other.end:
                assert min(pos - other.start, other.end - 1 - pos) <= margin


def test_giant_word_is_cut_mid_way_rather_than_dropped() -> None:
    starts = np.array([0, 100])
    wins = make_windows(starts, 110, 32, 8)
    assert wins[-1].end == 110
    assert all(w.end - w.start <= 32 for w in wins)


def test_batches_side_by_side_keep_every_worker_busy() -> None:
    """A long document's windows, two workers: the batches split evenly between them (before: 31, 31, 31 and 3
    windows, so one worker ran 62 while the other ran 34 and then waited)."""
    for windows in (96, 108, 126, 160):
        lengths = [256] * (windows - 1) + [100]
        batches = plan_side_by_side(lengths, 8192, 128, 2)
        assert sorted(i for batch in batches for i in batch) == list(range(windows))
        assert len(batches) % 2 == 0
        assert max(map(len, batches)) - min(map(len, batches[:-1])) <= 1  # the last holds the short window
        assert all(len(batch) * 258 <= 8192 for batch in batches)
    queries = [3 + i % 27 for i in range(1521)]  # short texts: the row cap decides how many batches, as before
    assert len(plan_side_by_side(queries, 8192, 128, 2)) == len(plan_batches(queries, 8192, 128)) == 12
    assert plan_side_by_side([5, 5, 5], 8192, 128, 4) == [[0], [1], [2]]  # fewer windows than workers
