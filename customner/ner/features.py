"""Hand-written word features for the CRF tagger, script-agnostic.

Affixes and character n-grams carry morphology (Spanish/Arabic clitics), neighbouring
characters act as a soft word segmenter for scripts without spaces, and shape/casing
carry what an uncased encoder cannot see.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from customner.ner.tokenize import Word, is_no_space_script


def shape(token: str) -> str:
    """Xxxx / dd / x.x style shape, with runs collapsed to length 2."""
    out: list[str] = []
    for ch in token:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        elif ch.isalpha():
            c = "a"  # letters of caseless scripts
        else:
            c = ch
        if len(out) >= 2 and out[-1] == c and out[-2] == c:
            continue
        out.append(c)
    return "".join(out)


def _script(token: str) -> str:
    ch = token[0]
    if ch.isdigit():
        return "digit"
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "unknown"


@lru_cache(maxsize=4096)  # the frequent words of any corpus; about 4 KB each, so at most 16 MB
def _token_features(tok: str) -> tuple[dict[str, str], dict[str, str]]:
    """The features of a token's text alone, before and after ``space_before`` (crfsuite sums an item's weights in
    its features' order): computed once per distinct token, as texts repeat their words."""
    low = tok.lower()
    head = {
        "w": low,
        "shape": shape(tok),
        "script": _script(tok),
        "len": str(min(len(tok), 8)),
        "title": str(tok[:1].isupper()),
        "upper": str(tok.isupper()),
    }
    affixes = {}
    if not is_no_space_script(tok):
        for k in (1, 2, 3, 4):
            if len(low) > k:
                affixes[f"p{k}"] = low[:k]
                affixes[f"s{k}"] = low[-k:]
    return head, affixes


def _own(word: Word, text: str) -> dict[str, str]:
    head, affixes = _token_features(word.text)
    return {**head, "space_before": str(word.start == 0 or text[word.start - 1].isspace()), **affixes}


def doc_features(
    words: Sequence[Word],
    text: str,
    gazetteer: Sequence[str] | None = None,
    segments: Sequence[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """crfsuite feature dicts for every word of one document (window of +-2 words).

    ``gazetteer``: per word, the ``B-Cat``/``I-Cat`` match of the learnt gazetteer (``""`` for none).
    ``segments``: per word, its Chinese word segmentation tags (``segmenter.segment_tags``; ``{}`` for none).
    """
    own = [_own(w, text) for w in words]
    n = len(words)
    out: list[dict[str, str]] = []
    for i in range(n):
        f: dict[str, str] = {"bias": "1"}
        f.update(own[i])
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                f[f"{d}:w"] = own[j]["w"]
                f[f"{d}:shape"] = own[j]["shape"]
                if d in (-1, 1):
                    f[f"{d}:s3"] = own[j].get("s3", own[j]["w"])
            else:
                f[f"{d}:w"] = "<bos>" if j < 0 else "<eos>"
        if i > 0:
            f["-1|0"] = own[i - 1]["w"] + "|" + own[i]["w"]
        if i + 1 < n:
            f["0|+1"] = own[i]["w"] + "|" + own[i + 1]["w"]
        if gazetteer is not None:
            for d in (-1, 0, 1):
                if 0 <= i + d < n and gazetteer[i + d]:
                    f[f"{d}:gaz"] = gazetteer[i + d]
        if segments is not None:
            f.update(segment_features(segments, i))
        out.append(f)
    return out


def segment_features(segments: Sequence[dict[str, str]], i: int) -> dict[str, str]:
    """Word ``i``'s segmenter features: its own tags, and its neighbours' place and part of speech."""
    f = {f"0:{k}": v for k, v in segments[i].items()}
    for d in (-1, 1):
        if 0 <= i + d < len(segments) and segments[i + d]:
            f[f"{d}:seg"] = segments[i + d]["seg"]
    return f
