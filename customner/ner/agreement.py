"""Inter-annotator agreement, pure math (no storage): span-level F1 and token-level kappa.

- **Span F1** between two annotators, symmetric: ``2·matches / (|A| + |B|)``. *Exact*: same start, end and
  type. *Overlap*: same type and at least one shared character, each span matched at most once (a maximum
  one-to-one matching, so one long span overlapping two short ones counts once).
- **Token kappa**: every token gets the type of the span that overlaps it most (ties: the earlier span), or
  ``O``; so partly covered tokens and overlapping spans are handled. Cohen's kappa for a pair of annotators,
  Fleiss' kappa for three or more (the form for a varying number of raters per token: each token rated by
  at least two). Per entity type, the same on binary tags (this type or not).

A kappa is ``None`` when it is undefined: expected agreement is 1 (nobody used the type, say).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from customner.ner.types import Span

OUTSIDE = "O"


@dataclass
class AnnotatedDocument:
    """One document labeled by several annotators; tokens as (start, end), spans in the same units."""

    tokens: Sequence[tuple[int, int]]
    annotations: dict[str, list[Span]]


@dataclass
class F1:
    """Matched spans and the two annotators' span counts; summed over documents and pairs (micro)."""

    matches: int = 0
    left: int = 0
    right: int = 0

    @property
    def f1(self) -> float | None:
        total = self.left + self.right
        return 2 * self.matches / total if total else None

    def add(self, other: F1) -> None:
        self.matches += other.matches
        self.left += other.left
        self.right += other.right


@dataclass
class Scores:
    exact: F1 = field(default_factory=F1)
    overlap: F1 = field(default_factory=F1)
    kappa: float | None = None


@dataclass
class PairAgreement:
    first: str
    second: str
    documents: int
    overall: Scores
    by_type: dict[str, Scores]


@dataclass
class AgreementReport:
    annotators: list[str]
    documents: int
    kappa_kind: str | None  # "cohen" (two annotators), "fleiss" (three or more), None (fewer than two)
    overall: Scores
    by_type: dict[str, Scores]
    pairs: list[PairAgreement]


# ---------------------------------------------------------------- spans


def exact_matches(first: Sequence[Span], second: Sequence[Span]) -> int:
    return len(set(first) & set(second))


def overlap_matches(first: Sequence[Span], second: Sequence[Span]) -> int:
    """Size of a maximum one-to-one matching of same-type overlapping spans (Kuhn's augmenting paths)."""
    edges = [[j for j, b in enumerate(second) if a.category == b.category and a.start < b.end and b.start < a.end]
             for a in first]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(first)))


def span_f1(first: Sequence[Span], second: Sequence[Span], *, overlap: bool) -> F1:
    matches = overlap_matches(first, second) if overlap else exact_matches(first, second)
    return F1(matches, len(first), len(second))


# ---------------------------------------------------------------- tokens


def token_tags(tokens: Sequence[tuple[int, int]], spans: Sequence[Span]) -> list[str]:
    """Each token's type: the span overlapping it most (ties: earlier start), else ``O``."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    tags = []
    for start, end in tokens:
        best, best_overlap = OUTSIDE, 0
        for span in ordered:
            shared = min(end, span.end) - max(start, span.start)
            if shared > best_overlap:
                best, best_overlap = span.category, shared
        tags.append(best)
    return tags


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two annotators' tags for the same items."""
    total = len(first)
    if total == 0 or total != len(second):
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / total
    left, right = Counter(first), Counter(second)
    expected = sum(left[tag] * right[tag] for tag in left) / (total * total)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def fleiss_kappa(items: Sequence[Counter[str]]) -> float | None:
    """Fleiss' kappa; each item counts the raters per tag (items with fewer than two raters are skipped)."""
    rated = [item for item in items if sum(item.values()) >= 2]
    if not rated:
        return None
    agreement = 0.0
    totals: Counter[str] = Counter()
    ratings = 0
    for item in rated:
        raters = sum(item.values())
        agreement += (sum(count * count for count in item.values()) - raters) / (raters * (raters - 1))
        totals.update(item)
        ratings += raters
    observed = agreement / len(rated)
    expected = sum((count / ratings) ** 2 for count in totals.values())
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def _binary(tags: Sequence[str], category: str) -> list[str]:
    return [category if tag == category else OUTSIDE for tag in tags]


# ---------------------------------------------------------------- report


def agreement(documents: Sequence[AnnotatedDocument], categories: Sequence[str]) -> AgreementReport:
    """Agreement over the documents that at least two annotators labeled."""
    shared = [d for d in documents if len(d.annotations) >= 2]
    annotators = sorted({name for d in shared for name in d.annotations})
    kind = None if len(annotators) < 2 else "cohen" if len(annotators) == 2 else "fleiss"
    types = list(categories) + sorted({s.category for d in shared for spans in d.annotations.values() for s in spans}
                                      - set(categories))
    overall, by_type = Scores(), {category: Scores() for category in types}
    pairs = []
    tags = [{name: token_tags(d.tokens, spans) for name, spans in d.annotations.items()} for d in shared]
    for first, second in combinations(annotators, 2):
        both = [i for i, d in enumerate(shared) if first in d.annotations and second in d.annotations]
        if not both:
            continue
        pair = PairAgreement(first, second, len(both), Scores(), {category: Scores() for category in types})
        left_tags = [tag for i in both for tag in tags[i][first]]
        right_tags = [tag for i in both for tag in tags[i][second]]
        for i in both:
            a, b = shared[i].annotations[first], shared[i].annotations[second]
            pair.overall.exact.add(span_f1(a, b, overlap=False))
            pair.overall.overlap.add(span_f1(a, b, overlap=True))
            for category in types:
                a_t, b_t = [s for s in a if s.category == category], [s for s in b if s.category == category]
                pair.by_type[category].exact.add(span_f1(a_t, b_t, overlap=False))
                pair.by_type[category].overlap.add(span_f1(a_t, b_t, overlap=True))
        pair.overall.kappa = cohen_kappa(left_tags, right_tags)
        for category in types:
            pair.by_type[category].kappa = cohen_kappa(_binary(left_tags, category), _binary(right_tags, category))
            by_type[category].exact.add(pair.by_type[category].exact)
            by_type[category].overlap.add(pair.by_type[category].overlap)
        overall.exact.add(pair.overall.exact)
        overall.overlap.add(pair.overall.overlap)
        pairs.append(pair)
    if kind == "cohen":
        overall.kappa = pairs[0].overall.kappa
        for category in types:
            by_type[category].kappa = pairs[0].by_type[category].kappa
    elif kind == "fleiss":
        columns = [list(zip(*document_tags.values(), strict=True)) for document_tags in tags]
        items = [Counter(column) for document_columns in columns for column in document_columns]
        overall.kappa = fleiss_kappa(items)
        for category in types:
            by_type[category].kappa = fleiss_kappa(
                [Counter(_binary(list(column), category)) for document_columns in columns for column in document_columns])
    return AgreementReport(annotators, len(shared), kind, overall, by_type, pairs)
