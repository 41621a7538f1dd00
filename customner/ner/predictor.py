"""Turns per-word scores from one or more experts into calibrated entities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Protocol

import numpy as np

from customner.ner.calibration import Calibrator
from customner.ner.data import Doc, make_doc
from customner.ner.labels import DecodedEntity, TagScheme, decode, log_normalize, viterbi_many
from customner.ner.types import Entity


class Expert(Protocol):
    def logprobs(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        """Per document an array [n_words, n_labels] of log-probabilities."""
        ...


def prepared(expert: Expert, docs: Sequence[Doc]) -> Callable[[], list[np.ndarray]]:
    """An expert's ``logprobs`` as a function to call; an expert with ``prepare`` (Python work, then native work
    outside the interpreter lock) does its Python part now."""
    prepare = getattr(expert, "prepare", None)
    return prepare(docs) if prepare is not None else partial(expert.logprobs, docs)


def combine(parts: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Product of experts: weighted sum of log-probabilities, renormalised per word."""
    total = sum(w * p for w, p in zip(weights, parts, strict=True) if w > 0)
    return log_normalize(np.asarray(total))


# Experts run side by side: ONNX Runtime releases the GIL, so the CRF expert's Python work overlaps the encoder's.
_EXPERTS_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ner-expert")


class TaggerPredictor:
    """Thread-safe: holds only read-only state; experts must be thread-safe too."""

    def __init__(
        self,
        categories: Sequence[str],
        experts: Sequence[Expert],
        weights: Sequence[float],
        calibrator: Calibrator | None = None,
    ) -> None:
        self.categories = list(categories)
        self.scheme = TagScheme(tuple(categories))
        self.experts = list(experts)
        self.weights = list(weights)
        self.calibrator = calibrator or Calibrator()

    def expert_logprobs(self, docs: Sequence[Doc]) -> list[list[np.ndarray]]:
        """[expert][doc] log-probabilities; experts with weight 0 are skipped.

        All experts but the last run on the pool while the calling thread runs the last one (each expert's numbers
        do not depend on where it runs). The last one prepares first, alone: the encoder's subword encoding then
        has the interpreter to itself (on a 125,000-character document the feature CRF's Python work stretched it
        from 0.07 to 0.30 s, with a core idle) and the feature CRF runs beside the encoder's batches instead.
        """
        used = [k for k, w in enumerate(self.weights) if w > 0]
        run_last = prepared(self.experts[used[-1]], docs) if used else None
        pending = {k: _EXPERTS_POOL.submit(self.experts[k].logprobs, docs) for k in used[:-1]}
        out: list[list[np.ndarray]] = [[] for _ in self.experts]
        if run_last is not None:
            out[used[-1]] = run_last()
        for k, future in pending.items():
            out[k] = future.result()
        return out

    def decode_docs(
        self, docs: Sequence[Doc], per_expert: list[list[np.ndarray]], weights: Sequence[float]
    ) -> list[list[DecodedEntity]]:
        used = [k for k, w in enumerate(weights) if w > 0]
        logps = [combine([per_expert[k][i] for k in used], [weights[k] for k in used]) if doc.words else None
                 for i, doc in enumerate(docs)]
        paths = iter(viterbi_many([logp for logp in logps if logp is not None]))
        return [decode(logp, next(paths)) if logp is not None else [] for logp in logps]

    def to_entities(self, doc: Doc, decoded: Sequence[DecodedEntity]) -> list[Entity]:
        return [
            Entity(
                doc.words[d.first_word].start,
                doc.words[d.end_word - 1].end,
                self.categories[d.category],
                round(self.calibrator(d.score), 4),
            )
            for d in decoded
        ]

    def predict(self, texts: Sequence[str]) -> list[list[Entity]]:
        docs = [make_doc(t) for t in texts]
        decoded = self.decode_docs(docs, self.expert_logprobs(docs), self.weights)
        return [self.to_entities(doc, d) for doc, d in zip(docs, decoded, strict=True)]
