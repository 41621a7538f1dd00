"""The language-agnostic CRF recipe on small Spanish, Chinese and Arabic fixtures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from ner_fixtures import categories_of, load_fixture

from customner.ner import TrainingCancelled, load, train
from customner.ner.metrics import evaluate
from customner.ner.types import TrainingRequest


@pytest.mark.parametrize(("lang", "code"), [("es", "es"), ("zh", "zh-hans"), ("ar", "ar"), ("en", "en-us")])
def test_crf_learns_and_offsets_are_exact(tmp_path: Path, lang: str, code: str) -> None:
    docs = load_fixture(lang)
    train_docs, test_docs = docs[:30], docs[30:]
    multilingual = lang == "en"  # English only reaches the CRF through multilingual projects
    # 2026-12-01: the last version that gives every non-English project the CRF (later ones route Latin script)
    report = train(TrainingRequest(train_docs, categories_of(docs), code, multilingual, tmp_path, "2026-12-01", seed=1))
    assert report.recipe == "customner.CrfTagger.v1"
    predictor = load(tmp_path)
    texts = [d.text for d in test_docs]
    pred = predictor.predict(texts)
    result = evaluate([d.spans for d in test_docs], pred, texts)
    assert result.micro.f1 >= 0.8, result.micro
    for text, ents in zip(texts, pred, strict=True):
        for e in ents:
            assert 0 <= e.start < e.end <= len(text) and 0.0 <= e.confidence <= 1.0
            assert text[e.start : e.end].strip() == text[e.start : e.end]
    assert predictor.predict(texts) == pred  # deterministic


def test_crf_training_is_deterministic(tmp_path: Path) -> None:
    docs = load_fixture("zh")
    cats = categories_of(docs)
    runs = []
    for k in range(2):
        train(TrainingRequest(docs, cats, "zh-hans", False, tmp_path / str(k), seed=5))
        runs.append(load(tmp_path / str(k)).predict([d.text for d in docs]))
    assert runs[0] == runs[1]


@pytest.mark.parametrize(("lang", "code", "copies"), [("es", "es", 40), ("zh", "zh-hans", 600)])
def test_crf_cancellation(tmp_path: Path, lang: str, code: str, copies: int) -> None:
    """Stopped promptly, also while a Chinese project's documents go through the word segmenter (config 2027-01-17)."""
    docs = load_fixture(lang) * copies  # long enough that training is still running when asked to stop
    version = "2026-12-01" if lang == "es" else "2027-01-17"
    first_asked: list[float] = []  # training first asks once the documents are read: the clock starts there

    def should_stop() -> bool:
        first_asked.append(time.monotonic())
        return first_asked[-1] - first_asked[0] > 0.3

    with pytest.raises(TrainingCancelled):
        train(TrainingRequest(docs, categories_of(docs), code, False, tmp_path, version, should_stop=should_stop))
    assert time.monotonic() - first_asked[0] < 3.0
