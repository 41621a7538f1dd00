"""Language-agnostic word tokenizer with exact code-point offsets.

Every recipe tags these word tokens, so entity offsets are always exact slices of the
input text. Scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan)
are split into single characters (plus combining marks); other letters/digits form runs;
any other non-space grapheme cluster (punctuation, emoji with ZWJ sequences) is one token.
Right-to-left scripts need nothing special: offsets are in logical order.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

_NO_SPACE = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}"
_TOKEN = regex.compile(
    rf"[{_NO_SPACE}]\p{{M}}*"  # one character of a script without spaces
    rf"|(?:(?![{_NO_SPACE}])[\p{{L}}\p{{N}}\p{{Pc}}]\p{{M}}*)+"  # a run of letters/digits
    r"|(?!\s)\X",  # any other grapheme cluster: punctuation, symbols, emoji
    regex.V1,
)
_HAS_NO_SPACE = regex.compile(rf"[{_NO_SPACE}]")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Word]:
    """Split ``text`` into words; ``text[w.start:w.end] == w.text`` always holds."""
    return [Word(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def is_han(char: str) -> bool:
    """A Chinese character (CJK Unified Ideographs and Extension A)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def is_no_space_script(token: str) -> bool:
    """True for tokens of scripts written without spaces between words."""
    return bool(_HAS_NO_SPACE.match(token))
