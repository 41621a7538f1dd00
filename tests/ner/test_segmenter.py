"""Chinese word segmentation features of the feature CRF (config 2027-01-17)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from customner.ner import load, train
from customner.ner.config import build_config, is_chinese
from customner.ner.metrics import evaluate
from customner.ner.recipes.crf import SEGMENTER_FILE
from customner.ner.segmenter import SEGMENTER, segment_tags
from customner.ner.tokenize import tokenize
from customner.ner.types import LabeledDocument, Span, TrainingRequest

TEMPLATES = ["{}说{}很好", "{}和{}", "我在{}想起了{}", "{}离{}不远吗", "听说{}喜欢{}"]
# (names seen in training, names only in the test); jieba knows each as a person (nr) or a place (ns)
PEOPLE = (["张伟", "李娜", "王芳", "刘洋", "陈静", "周杰伦", "杨幂", "林俊杰"], ["马云", "郭晶晶", "刘德华", "赵薇", "黄磊", "孙俪"])
PLACES = (["北京", "上海", "成都", "重庆", "武汉", "长沙", "昆明", "青岛"], ["杭州", "南京", "西安", "广州", "深圳", "天津"])


def people_and_places(unseen: int, n: int, rng: random.Random) -> list[LabeledDocument]:
    """Sentences whose two slots hold a person or a place at random: the context never tells which."""
    docs = []
    for _ in range(n):
        pieces = rng.choice(TEMPLATES).split("{}")
        text, spans = pieces[0], []
        for piece in pieces[1:]:
            name, category = ((rng.choice(PEOPLE[unseen]), "Person") if rng.random() < 0.5
                              else (rng.choice(PLACES[unseen]), "Location"))
            spans.append(Span(len(text), len(text) + len(name), category))
            text += name + piece
        docs.append(LabeledDocument(text, spans, "zh-hans"))
    return docs


def test_each_han_character_gets_its_place_in_its_word_and_the_words_part_of_speech() -> None:
    text = "我想在北京吃麻婆豆腐 at 7pm"
    words = tokenize(text)
    tags = dict(zip((w.text for w in words), segment_tags(words, text), strict=True))
    assert tags["北"] == {"seg": "B-ns", "place": "B", "pos": "ns", "len": "2", "word": "北京"}
    assert tags["京"]["seg"] == "E-ns"
    assert [tags[c]["place"] for c in "麻婆豆腐"] == ["B", "M", "M", "E"]
    assert tags["我"] == {"seg": "S-r", "place": "S", "pos": "r", "len": "1"}
    assert tags["at"] == tags["7pm"] == {}  # only Han characters
    english = tokenize("no Chinese here")
    assert segment_tags(english, "no Chinese here") == [{}, {}, {}]


def test_unseen_people_and_places_are_told_apart_from_2027_01_17_only(tmp_path: Path) -> None:
    """Before the segmenter, a name never seen in training got its category from the context alone, which here says
    nothing; jieba's dictionary knows 杭州 is a place and 马云 a person."""
    rng = random.Random(0)
    train_docs, test_docs = people_and_places(0, 60, rng), people_and_places(1, 40, rng)
    texts = [d.text for d in test_docs]
    f1 = {}
    for version in ("2027-01-10", "2027-01-17"):
        folder = tmp_path / version
        train(TrainingRequest(train_docs, ["Location", "Person"], "zh-hans", False, folder, version, seed=1))
        f1[version] = evaluate([d.spans for d in test_docs], load(folder).predict(texts), texts).micro.f1
    assert f1["2027-01-17"] >= 0.9 and f1["2027-01-10"] <= 0.5, f1
    served = load(tmp_path / "2027-01-17")
    assert served.experts[0].segmenter  # type: ignore[attr-defined]
    assert json.loads((tmp_path / "2027-01-17" / SEGMENTER_FILE).read_text()) == {"segmenter": SEGMENTER}
    assert not (tmp_path / "2027-01-10" / SEGMENTER_FILE).exists()


@pytest.mark.parametrize(("language", "texts", "chinese"), [
    ("zh-hans", ["no Han at all"], True),
    ("zh-Hant", [], True),
    ("en", ["北京大学在北京", "a bit"], True),  # mostly Han characters
    ("ja", ["東京大学は東京にあります"], False),  # kanji are not Chinese words
    ("en", ["Beijing 北京"], False),
])
def test_which_projects_are_chinese(language: str, texts: list[str], chinese: bool) -> None:
    assert is_chinese(language, texts) is chinese


def test_the_segmenter_comes_with_chinese_projects_of_2027_01_17_only() -> None:
    docs = people_and_places(0, 5, random.Random(1))

    def crf(language: str, version: str) -> tuple[bool, bool]:
        config = build_config(TrainingRequest(docs, ["Location", "Person"], language, False, Path("u"), version))
        return config.params.crf.segmenter, config.params.crf.gazetteer

    assert crf("zh-hans", "latest") == crf("zh-hans", "2027-01-17") == (True, False)  # it replaces the gazetteer
    assert crf("zh-hans", "2027-01-10") == (False, True)
    assert crf("ja", "latest") == (False, True)
