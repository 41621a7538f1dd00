"""A gazetteer learnt from the training labels: the CRF's memory of the names it has seen.

Every labelled phrase (lower-cased words) is kept with the number of training documents that label it with each
category, and the number of times the phrase occurs at all, so that a phrase usually left unlabelled ("the")
does not fire. A document's own labels must not vouch for themselves while the CRF trains (it would learn to trust
the gazetteer blindly and fail on unseen names), so training features count the other documents only
(leave one document out); served models use every training document.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from customner.ner.tokenize import Word

MAX_WORDS = 10  # longer phrases are too rare to repeat
MIN_LABELLED_SHARE = 0.5  # a phrase labelled less often than this among its occurrences is no name

Phrase = tuple[str, ...]


def _keys(words: Sequence[Word]) -> list[str]:
    return [w.text.lower() for w in words]


@dataclass
class Gazetteer:
    labelled: dict[Phrase, Counter[str]] = field(default_factory=dict)  # phrase -> category -> documents
    seen: Counter[Phrase] = field(default_factory=Counter)  # phrase -> documents it occurs in at all

    @classmethod
    def learn(cls, docs: Sequence[tuple[Sequence[Word], Sequence[tuple[int, int, str]]]]) -> Gazetteer:
        """From (words, [(first word, end word, category)]) per training document."""
        gaz = cls()
        for words, spans in docs:
            for phrase, category in _doc_phrases(words, spans):
                gaz.labelled.setdefault(phrase, Counter())[category] += 1
        for words, _ in docs:
            gaz.seen.update(gaz._occurring(_keys(words)))
        return gaz

    def tags(self, words: Sequence[Word], own_spans: Sequence[tuple[int, int, str]] | None = None) -> list[str]:
        """``B-Cat`` / ``I-Cat`` / ``""`` per word by greedy longest match.

        ``own_spans``: the document's own labels while training, which then do not count (leave one out).
        """
        keys = _keys(words)
        find: Callable[[Phrase], str]
        if own_spans is None:
            served = self._served
            find, longest = (lambda phrase: served.get(phrase, "")), self._served_longest
        else:
            own_labelled, own_seen = set(_doc_phrases(words, own_spans)), self._occurring(keys)
            find, longest = (lambda phrase: self._category(phrase, own_labelled, own_seen)), MAX_WORDS
        out = [""] * len(keys)
        starts = self._first_words
        i = 0
        while i < len(keys):
            if keys[i] not in starts:  # most words begin no phrase: skip the lookups
                i += 1
                continue
            for n in range(min(longest, len(keys) - i), 0, -1):
                category = find(tuple(keys[i:i + n]))
                if category:
                    out[i:i + n] = [f"B-{category}"] + [f"I-{category}"] * (n - 1)
                    i += n
                    break
            else:
                i += 1
        return out

    @cached_property
    def _served(self) -> dict[Phrase, str]:
        """Every phrase's category with all documents counting: one lookup per candidate when serving.

        Computed on first use, so a gazetteer must be complete (learnt or loaded) before it tags.
        """
        return {p: c for p in self.labelled if (c := self._category(p, set(), set()))}

    @cached_property
    def _first_words(self) -> frozenset[str]:
        """The first word of every labelled phrase (complete gazetteer only, as ``_served``)."""
        return frozenset(phrase[0] for phrase in self.labelled)

    @cached_property
    def _served_longest(self) -> int:
        return max(map(len, self._served), default=0)

    def _category(self, phrase: Phrase, own_labelled: set[tuple[Phrase, str]], own_seen: set[Phrase]) -> str:
        counts = self.labelled.get(phrase)
        if not counts:
            return ""
        counts = Counter({c: k - ((phrase, c) in own_labelled) for c, k in counts.items()})
        labelled = sum(counts.values())
        seen = self.seen[phrase] - (phrase in own_seen)
        if labelled <= 0 or labelled < MIN_LABELLED_SHARE * seen:
            return ""
        return max(sorted(counts), key=lambda c: counts[c])

    def _occurring(self, keys: list[str]) -> set[Phrase]:
        found = set()
        for i in range(len(keys)):
            for n in range(1, min(MAX_WORDS, len(keys) - i) + 1):
                phrase = tuple(keys[i:i + n])
                if phrase in self.labelled:
                    found.add(phrase)
        return found

    def save(self, path: Path) -> None:
        rows = [[list(p), dict(c), self.seen[p]] for p, c in sorted(self.labelled.items())]
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        gaz = cls()
        for phrase, counts, seen in json.loads(path.read_text(encoding="utf-8")):
            gaz.labelled[tuple(phrase)] = Counter(counts)
            gaz.seen[tuple(phrase)] = seen
        return gaz


def _doc_phrases(words: Sequence[Word], spans: Sequence[tuple[int, int, str]]) -> set[tuple[Phrase, str]]:
    keys = _keys(words)
    return {(tuple(keys[a:b]), c) for a, b, c in spans if 0 < b - a <= MAX_WORDS}


def word_spans(tag_names: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first word, end word, category) of each entity in a BIO tag sequence."""
    spans: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tag_names):
        if tag.startswith("I-") and spans and spans[-1][1] == i and spans[-1][2] == tag[2:]:
            spans[-1] = (spans[-1][0], i + 1, tag[2:])
        elif tag != "O":
            spans.append((i, i + 1, tag[2:]))
    return spans

