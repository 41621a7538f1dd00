"""Chinese word segmentation for the feature CRF: which word each Han character belongs to, and the word's kind.

The tokenizer splits Han text into single characters, so on its own the CRF must guess where words end. jieba's
dictionary (349,000 words, each with a part of speech: ``nr`` person, ``ns`` place, ``nt`` organisation, ...) and
its HMM for unknown words tell it, as a word segmenter tells any Chinese tagger. On MSRA news (benchmarks/
chinese_peers.py) the CRF gains about 0.1 F1 from these features. jieba is loaded on first use (under 1 s, 125 MB),
so projects without Chinese pay nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from customner.ner.tokenize import Word, is_han

SEGMENTER = "jieba 0.42.1"  # pinned: another dictionary would give a trained model other features
_lock = threading.Lock()
_tagger: Any = None


def _pos_tagger() -> Any:
    """jieba's part-of-speech tokenizer, initialised once per process with its dictionary cache in a private folder."""
    global _tagger
    with _lock:
        if _tagger is None:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.CRITICAL)  # it logs its dictionary loading; a failed cache write is harmless
            cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "customner" / "jieba"
            try:
                cache.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError:
                pass
            # jieba.posseg's own tagger (importing it already read the part-of-speech table), pointed at our cache:
            # by default it trusts whatever /tmp/jieba.cache holds and unmarshals it
            jieba.dt.tmp_dir = str(cache)
            jieba.dt.initialize()
            _tagger = jieba.posseg.dt
        return _tagger


def segment_tags(words: Sequence[Word], text: str) -> list[dict[str, str]]:
    """Per word: for a Han character, its place in its jieba word (B, M, E or S) with the word's part of speech,
    and the word itself; ``{}`` for every other word."""
    out: list[dict[str, str]] = [{} for _ in words]
    if not any(is_han(w.text[0]) for w in words):
        return out
    by_start = {w.start: i for i, w in enumerate(words)}
    offset = 0
    for pair in _pos_tagger().cut(text):
        word, pos = pair.word, pair.flag
        start = text.find(word, offset)
        if start < 0:  # jieba normalised something: leave the rest of the text without segment features
            break
        offset = start + len(word)
        for k in range(len(word)):
            i = by_start.get(start + k)
            if i is None or not is_han(words[i].text[0]):
                continue
            place = "S" if len(word) == 1 else "B" if k == 0 else "E" if k == len(word) - 1 else "M"
            tags = {"seg": f"{place}-{pos}", "place": place, "pos": pos, "len": str(min(len(word), 5))}
            if len(word) > 1:
                tags["word"] = word
            out[i] = tags
    return out
