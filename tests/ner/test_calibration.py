"""Confidences on small projects: a temperature learnt from every dev word, then the entity-level curve."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from ner_fixtures import categories_of, load_fixture

from customner.ner import load, train
from customner.ner.calibration import fit
from customner.ner.config import build_config
from customner.ner.data import Example, prepare
from customner.ner.labels import TagScheme
from customner.ner.predictor import TaggerPredictor, combine
from customner.ner.training import TrainContext, finish_on_dev, fit_temperature, simplex_grid, tempered_loglik
from customner.ner.types import TrainingRequest


def expert_logprobs(tags: list[int], n_labels: int, confidence: float, right: float, rng: random.Random) -> np.ndarray:
    """An expert that gives ``confidence`` to its choice, which is the gold tag only ``right`` of the time."""
    probs = np.full((len(tags), n_labels), (1 - confidence) / (n_labels - 1))
    for t, gold in enumerate(tags):
        probs[t, gold if rng.random() < right else (gold + 1) % n_labels] = confidence
    return np.log(probs)


def fixture_dev() -> tuple[TagScheme, list[Example]]:
    docs = load_fixture("en")
    scheme = TagScheme(tuple(categories_of(docs)))
    return scheme, prepare(docs, scheme)


def test_an_overconfident_expert_is_cooled_until_its_confidence_matches_its_accuracy() -> None:
    scheme, dev = fixture_dev()
    rng = random.Random(0)
    per_expert = [[expert_logprobs(ex.tags, scheme.size, 0.98, 0.7, rng) for ex in dev]]

    scale = fit_temperature(dev, per_expert, [1.0])

    assert scale < 0.6  # a temperature above 1.6
    confidence = np.mean([np.exp(combine([lp], [scale]).max(axis=1)).mean() for lp in per_expert[0]])
    assert abs(confidence - 0.7) < 0.1, confidence


def test_a_calibrated_expert_keeps_its_temperature() -> None:
    scheme, dev = fixture_dev()
    rng = random.Random(1)
    per_expert = [[expert_logprobs(ex.tags, scheme.size, 0.8, 0.8, rng) for ex in dev]]
    assert 0.8 <= fit_temperature(dev, per_expert, [1.0]) <= 1.25


def test_the_fitted_temperature_changes_confidences_never_predictions(tmp_path: Path) -> None:
    docs = load_fixture("zh")
    train(TrainingRequest(docs, categories_of(docs), "zh-hans", False, tmp_path, seed=2))
    meta = json.loads((tmp_path / "meta.json").read_text())
    weights = json.loads((tmp_path / "weights.json").read_text())
    assert len(weights) == 1 and abs(weights[0] * meta["details"]["temperature"] - 1) < 1e-3
    fitted = load(tmp_path)
    assert fitted.weights == weights
    untempered = TaggerPredictor(fitted.categories, fitted.experts, [1.0], fitted.calibrator)
    texts = [d.text for d in docs]
    ours, theirs = fitted.predict(texts), untempered.predict(texts)
    assert [[(e.start, e.end, e.category) for e in d] for d in ours] == \
        [[(e.start, e.end, e.category) for e in d] for d in theirs]


def test_a_crf_model_saved_before_the_temperature_loads_with_weight_one(tmp_path: Path) -> None:
    docs = load_fixture("zh")
    train(TrainingRequest(docs, categories_of(docs), "zh-hans", False, tmp_path, seed=2))
    (tmp_path / "weights.json").unlink()
    assert load(tmp_path).weights == [1.0]


def test_the_isotonic_curve_waits_for_500_dev_entities() -> None:
    rng = random.Random(3)
    scores = [rng.random() for _ in range(1000)]
    correct = [rng.random() < 0.5 * s for s in scores]  # overconfident: right half as often as it claims
    assert fit(scores[:400], correct[:400]).xs == []  # the temperature alone calibrates a small dev slice
    curve = fit(scores, correct)
    assert curve.xs and abs(curve(0.8) - 0.4) < 0.1


class FixedExpert:
    """An expert whose log-probabilities on the dev slice are given."""

    def __init__(self, logprobs: list[np.ndarray]) -> None:
        self.out = logprobs

    def logprobs(self, docs: object) -> list[np.ndarray]:
        return self.out


def chosen_mix(tmp_path: Path, joint: bool) -> tuple[list[float], list[list[np.ndarray]], list[Example]]:
    """The mix ``finish_on_dev`` picks between a soft expert (right 60%, 0.6 sure) and an overconfident one
    (right 90%, 0.99999 sure), on a dev slice too small for F1."""
    scheme, dev = fixture_dev()
    rng = random.Random(0)
    soft = [expert_logprobs(ex.tags, scheme.size, 0.6, 0.6, rng) for ex in dev]
    sharp = [expert_logprobs(ex.tags, scheme.size, 0.99999, 0.9, rng) for ex in dev]
    request = TrainingRequest(load_fixture("en"), scheme.categories, "en", False, tmp_path)
    ctx = TrainContext(request, build_config(request), scheme, [], dev, tmp_path)
    predictor = TaggerPredictor(scheme.categories, [FixedExpert(soft), FixedExpert(sharp)], [0.5, 0.5])
    info = finish_on_dev(ctx, predictor, simplex_grid(2, 4), joint_temperature=joint)
    weights = [w / sum(info["weights"]) for w in info["weights"]]
    return weights, [soft, sharp], dev


def test_on_a_small_dev_slice_each_mix_is_judged_at_its_own_temperature(tmp_path: Path) -> None:
    """At temperature 1 the overconfident expert's mistakes decided the mix (config 2027-01-10 fixes it)."""
    before, per_expert, dev = chosen_mix(tmp_path, joint=False)
    after, _, _ = chosen_mix(tmp_path, joint=True)
    assert before == [0.75, 0.25] and after == [0.5, 0.5]
    best = max(tempered_loglik(dev, per_expert, w)[1] for w in simplex_grid(2, 4))
    assert tempered_loglik(dev, per_expert, after)[1] == best > tempered_loglik(dev, per_expert, before)[1]
