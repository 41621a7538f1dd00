"""The gazetteer learnt from the training labels, and the CRF that uses it."""

from __future__ import annotations

import json
from pathlib import Path

from ner_fixtures import categories_of, load_fixture

from customner.ner import load, train
from customner.ner.gazetteer import Gazetteer, word_spans
from customner.ner.recipes.crf import GAZETTEER_FILE
from customner.ner.tokenize import tokenize
from customner.ner.types import TrainingRequest


def _learn(*docs: tuple[str, list[str]]) -> Gazetteer:
    return Gazetteer.learn([(tokenize(text), word_spans(tags)) for text, tags in docs])


AMSTERDAM = ("Amsterdam is mooi", ["B-LOC", "O", "O"])
NEW_YORK = ("ik woon in New York", ["O", "O", "O", "B-LOC", "I-LOC"])


def test_word_spans_reads_bio() -> None:
    assert word_spans(["B-LOC", "I-LOC", "O", "I-PER", "B-ORG", "B-ORG"]) == [
        (0, 2, "LOC"), (3, 4, "PER"), (4, 5, "ORG"), (5, 6, "ORG")]


def test_longest_match_in_unseen_text() -> None:
    gaz = _learn(AMSTERDAM, NEW_YORK, ("York is oud", ["B-PER", "O", "O"]))
    words = tokenize("van amsterdam naar new york")
    assert gaz.tags(words) == ["", "B-LOC", "", "B-LOC", "I-LOC"]  # case-insensitive, longest phrase first


def test_a_document_does_not_vouch_for_its_own_labels() -> None:
    """Leave one out: a name labelled in one training document only does not fire in that document's features."""
    gaz = _learn(AMSTERDAM, ("Amsterdam is groot", ["B-LOC", "O", "O"]), NEW_YORK)
    own = word_spans(NEW_YORK[1])
    assert gaz.tags(tokenize(NEW_YORK[0]), own) == [""] * 5
    assert gaz.tags(tokenize(NEW_YORK[0])) == ["", "", "", "B-LOC", "I-LOC"]  # served: every document counts
    amsterdam_doc = tokenize(AMSTERDAM[0])
    assert gaz.tags(amsterdam_doc, word_spans(AMSTERDAM[1]))[0] == "B-LOC"  # the other document vouches


def test_a_phrase_mostly_left_unlabelled_is_no_name() -> None:
    gaz = _learn(("Apple verkoopt", ["B-ORG", "O"]), ("een apple eten", ["O", "O", "O"]),
                 ("apple taart", ["O", "O"]), ("Apple winst", ["B-ORG", "O"]), ("de apple", ["O", "O"]))
    assert gaz.tags(tokenize("apple")) == [""]  # labelled in 2 of the 5 documents it occurs in
    gaz = _learn(("Apple verkoopt", ["B-ORG", "O"]), ("een apple eten", ["O", "O", "O"]), ("Apple winst", ["B-ORG", "O"]))
    assert gaz.tags(tokenize("apple")) == ["B-ORG"]


def test_majority_category_and_round_trip(tmp_path: Path) -> None:
    gaz = _learn(("Jordan", ["B-PER"]), ("Jordan", ["B-PER"]), ("Jordan", ["B-LOC"]), NEW_YORK)
    assert gaz.tags(tokenize("jordan")) == ["B-PER"]
    gaz.save(tmp_path / "g.json")
    again = Gazetteer.load(tmp_path / "g.json")
    assert again.labelled == gaz.labelled and again.seen == gaz.seen


def test_crf_with_gazetteer_serves_it(tmp_path: Path) -> None:
    """A CRF trained with gazetteer features ships the gazetteer next to the model and uses it when serving."""
    docs = load_fixture("zh")
    report = train(TrainingRequest(docs[:30], categories_of(docs), "zh-hans", False, tmp_path, "2026-12-20", seed=1))
    assert report.recipe == "customner.CrfTagger.v1"
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["params"]["crf"]["gazetteer"] is True
    assert (tmp_path / GAZETTEER_FILE).exists()
    predictor = load(tmp_path)
    assert predictor.experts[0].gazetteer is not None  # type: ignore[attr-defined]
    texts = [d.text for d in docs[30:]]
    assert predictor.predict(texts) == load(tmp_path).predict(texts)
