from __future__ import annotations

import pytest

from customner.ner.tokenize import tokenize


@pytest.mark.parametrize(
    "text",
    [
        "Café Noël 👩‍👩‍👧 at 7pm!",
        "e\u0301te\u0301 in Zu\u0308rich",  # combining marks stay inside their word
        "我想在北京吃麻婆豆腐。",
        "أريد أن آكل الفلافل في دبي",
        "🇫🇷 flag, 🏳️‍🌈 and \u200d joiner\r\nnew line",
    ],
)
def test_slices_are_exact_and_cover_all_non_space(text: str) -> None:
    words = tokenize(text)
    assert all(text[w.start : w.end] == w.text for w in words)
    covered = "".join(w.text for w in words)
    assert covered == "".join(ch for ch in text if not ch.isspace())


def test_combining_marks_and_emoji_are_not_split() -> None:
    words = [w.text for w in tokenize("e\u0301te\u0301 👩‍👩‍👧!")]
    assert words == ["e\u0301te\u0301", "👩‍👩‍👧", "!"]


def test_no_space_scripts_split_into_characters() -> None:
    assert [w.text for w in tokenize("北京烤鸭 ok")] == ["北", "京", "烤", "鸭", "ok"]
    assert [w.text for w in tokenize("ร้าน")] == ["ร้", "า", "น"]


def test_arabic_words_kept_whole() -> None:
    assert [w.text for w in tokenize("مطعم في القاهرة؟")] == ["مطعم", "في", "القاهرة", "؟"]
