"""Strict entity-level evaluation, calibration error and Azure-style confusion matrix."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from customner.ner.types import Entity, Span

NONE = "$none"
BOOTSTRAP_SEED = 20240501
BOOTSTRAP_RESAMPLES = 1000
ECE_BINS = 10


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0


@dataclass
class EvaluationResult:
    per_type: dict[str, Scores]
    micro: Scores
    macro: Scores
    micro_f1_ci95: tuple[float, float]
    ece: float
    confusion: dict[str, dict[str, float]] = field(default_factory=dict)
    documents: int = 0


def _prf(tp: int, fp: int, fn: int) -> Scores:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f, tp, fp, fn)


def _key(x: Span | Entity) -> tuple[int, int, str]:
    return (x.start, x.end, x.category)


def _micro_f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool]) -> float:
    """Weighted mean |accuracy - confidence| over 10 equal-width confidence bins."""
    if not confidence:
        return 0.0
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    bins = np.minimum((conf * ECE_BINS).astype(int), ECE_BINS - 1)
    ece = 0.0
    for b in range(ECE_BINS):
        mask = bins == b
        if mask.any():
            ece += mask.mean() * abs(ok[mask].mean() - conf[mask].mean())
    return float(ece)


def _outside_units(text: str, covered: list[tuple[int, int]]) -> int:
    """Whitespace tokens (or characters, for text without spaces) outside every entity."""
    import re

    units = (
        [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        if any(c.isspace() for c in text)
        else [(i, i + 1) for i in range(len(text))]
    )
    return sum(1 for s, e in units if not any(s < ce and cs < e for cs, ce in covered))


def confusion_matrix(
    gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Entity]], texts: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Azure's fractional confusion matrix, keyed [gold or $none][predicted or $none]."""
    cm: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for g_doc, p_doc, text in zip(gold, predicted, texts, strict=True):
        for g in g_doc:
            length = max(g.end - g.start, 1)
            matched = 0.0
            for p in p_doc:
                ov = min(g.end, p.end) - max(g.start, p.start)
                if ov > 0:
                    cm[g.category][p.category] += ov / length
                    matched += ov / length
            if matched < 1.0:
                cm[g.category][NONE] += 1.0 - matched
        for p in p_doc:
            length = max(p.end - p.start, 1)
            inside = sum(max(0, min(g.end, p.end) - max(g.start, p.start)) for g in g_doc)
            if inside < length:
                cm[NONE][p.category] += (length - inside) / length
        covered = [(g.start, g.end) for g in g_doc] + [(p.start, p.end) for p in p_doc]
        cm[NONE][NONE] += _outside_units(text, covered)
    return {g: {p: round(v, 6) for p, v in row.items()} for g, row in cm.items()}


def evaluate(
    gold: Sequence[Sequence[Span]],
    predicted: Sequence[Sequence[Entity]],
    texts: Sequence[str],
) -> EvaluationResult:
    """Strict (exact span and type) scores over documents aligned by index."""
    if not len(gold) == len(predicted) == len(texts):
        raise ValueError("gold, predicted and texts must have the same length")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    doc_counts = np.zeros((len(gold), 3), dtype=float)
    confidences: list[float] = []
    correct: list[bool] = []
    for i, (g_doc, p_doc) in enumerate(zip(gold, predicted, strict=True)):
        g_set = {_key(g) for g in g_doc}
        p_set = {_key(p) for p in p_doc}
        for k in g_set | p_set:
            c = counts[k[2]]
            if k in g_set and k in p_set:
                c[0] += 1
                doc_counts[i, 0] += 1
            elif k in p_set:
                c[1] += 1
                doc_counts[i, 1] += 1
            else:
                c[2] += 1
                doc_counts[i, 2] += 1
        for p in p_doc:
            confidences.append(p.confidence)
            correct.append(_key(p) in g_set)
    per_type = {cat: _prf(*c) for cat, c in sorted(counts.items())}
    tp, fp, fn = (int(doc_counts[:, j].sum()) for j in range(3))
    micro = _prf(tp, fp, fn)
    if per_type:
        macro = Scores(
            float(np.mean([s.precision for s in per_type.values()])),
            float(np.mean([s.recall for s in per_type.values()])),
            float(np.mean([s.f1 for s in per_type.values()])),
        )
    else:
        macro = Scores(0.0, 0.0, 0.0)
    ci = (0.0, 0.0)
    if len(gold):
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        idx = rng.integers(0, len(gold), size=(BOOTSTRAP_RESAMPLES, len(gold)))
        sums = doc_counts[idx].sum(axis=1)
        f1s = _micro_f1(sums[:, 0], sums[:, 1], sums[:, 2])
        ci = (float(np.percentile(f1s, 2.5)), float(np.percentile(f1s, 97.5)))
    return EvaluationResult(
        per_type=per_type,
        micro=micro,
        macro=macro,
        micro_f1_ci95=ci,
        ece=expected_calibration_error(confidences, correct),
        confusion=confusion_matrix(gold, predicted, texts),
        documents=len(gold),
    )
