"""BIO-constrained Viterbi: the grammar-shaped decoder finds what a full transition-matrix Viterbi finds."""

from __future__ import annotations

import numpy as np
import pytest

from customner.ner.labels import TagScheme, log_normalize, viterbi, viterbi_many


def grammar(scheme: TagScheme) -> tuple[np.ndarray, np.ndarray]:
    """(start_ok[label], trans_ok[prev, next]) boolean masks of the BIO grammar."""
    start_ok = np.ones(scheme.size, dtype=bool)
    trans_ok = np.ones((scheme.size, scheme.size), dtype=bool)
    for i in range(len(scheme.categories)):
        inside = 2 + 2 * i
        start_ok[inside] = False
        trans_ok[:, inside] = False
        trans_ok[1 + 2 * i, inside] = True
        trans_ok[inside, inside] = True
    return start_ok, trans_ok


def matrix_viterbi(logp: np.ndarray, scheme: TagScheme) -> list[int]:
    """The textbook decoder over the grammar's full transition matrix (first best on ties)."""
    start_ok, trans_ok = grammar(scheme)
    penalty = np.where(trans_ok, 0.0, -np.inf)
    score = np.where(start_ok, logp[0], -np.inf)
    back = np.zeros(logp.shape, dtype=np.int64)
    for t in range(1, len(logp)):
        cand = score[:, None] + penalty
        back[t] = np.argmax(cand, axis=0)
        score = cand[back[t], np.arange(cand.shape[1])] + logp[t]
    path = [int(np.argmax(score))]
    for t in range(len(logp) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def is_valid_bio(path: list[int]) -> bool:
    return all(label == 0 or label % 2 == 1 or (t > 0 and path[t - 1] in (label - 1, label))
               for t, label in enumerate(path))


@pytest.mark.parametrize("categories", [1, 3, 8])
def test_the_decoder_matches_the_matrix_viterbi_on_random_and_tied_scores(categories: int) -> None:
    scheme = TagScheme(tuple(f"c{i}" for i in range(categories)))
    rng = np.random.default_rng(categories)
    for trial in range(60):
        n = int(rng.integers(1, 40))
        raw = rng.normal(0, 3, (n, scheme.size))
        if trial % 3 == 0:
            raw = np.round(raw)  # many exact ties
        logp = log_normalize(raw)
        path = viterbi(logp)
        assert path == matrix_viterbi(logp, scheme)
        assert is_valid_bio(path)


def test_an_empty_document_has_an_empty_path() -> None:
    assert viterbi(np.zeros((0, 3))) == []


def test_documents_decoded_together_get_the_paths_they_get_alone() -> None:
    """viterbi_many runs documents of one length at once: the same paths, ties included, in the callers' order."""
    scheme = TagScheme(("a", "b", "c"))
    rng = np.random.default_rng(7)
    logps = []
    for trial in range(200):
        raw = rng.normal(0, 3, (int(rng.integers(0, 12)), scheme.size))  # many documents share a length
        logps.append(log_normalize(np.round(raw) if trial % 3 == 0 else raw))
    together = viterbi_many(logps)
    assert together == [viterbi(logp) for logp in logps] == [matrix_viterbi(logp, scheme) if len(logp) else []
                                                               for logp in logps]
    assert [] in together and viterbi_many([]) == []
