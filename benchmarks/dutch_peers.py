"""CoNLL-2002 Dutch: customner's recipes for a ``language: nl`` project vs a textbook CRF, trained in the same run.

The textbook CRF (sklearn-crfsuite) has the features the issue names: word identity, prefixes and suffixes up to
4 characters, word shape, and the same for the +-2 neighbours. customner trains in-process through ``ner.train``
(the code a project with ``language: nl`` runs); ``--recipe`` picks a recipe other than the version's default to
compare them. Train = ned.train + ned.testa, test = ned.testb; strict entity micro-F1.

  .venv/bin/python -m benchmarks.dutch_peers                       # the default recipe and the textbook CRF
  .venv/bin/python -m benchmarks.dutch_peers --systems customner --recipe transformer --seeds 0,1,2
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.mit_data import bio_tags, categories, load_dutch, whitespace_tokens
from customner.ner.metrics import evaluate
from customner.ner.types import Entity, LabeledDocument

RESULTS = Path(__file__).resolve().parent / "results"


def _shape(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1\1", re.sub("[A-Z]", "X", re.sub("[a-z]", "x", re.sub("[0-9]", "d", word))))


def textbook_features(words: list[str], i: int) -> dict[str, Any]:
    features: dict[str, Any] = {"bias": 1.0}
    for d in (-2, -1, 0, 1, 2):
        j = i + d
        if not 0 <= j < len(words):
            features[f"{d}:pad"] = True
            continue
        w = words[j]
        features[f"{d}:w"] = w.lower()
        features[f"{d}:shape"] = _shape(w)
        for k in range(1, 5):
            features[f"{d}:p{k}"] = w[:k].lower()
            features[f"{d}:s{k}"] = w[-k:].lower()
    return features


def _spans(tokens: list[tuple[int, int, str]], tags: list[str]) -> list[Entity]:
    entities: list[Entity] = []
    open_type = None
    for (start, end, _), tag in zip(tokens, tags, strict=True):
        if tag.startswith("I-") and open_type == tag[2:]:
            last = entities[-1]
            entities[-1] = Entity(last.start, end, last.category, 1.0)
        elif tag != "O":
            entities.append(Entity(start, end, tag[2:], 1.0))
        open_type = tag[2:] if tag != "O" else None
    return entities


def run_textbook_crf(train: list[LabeledDocument], test: list[LabeledDocument], _seed: int) -> dict[str, Any]:
    import sklearn_crfsuite

    t0 = time.monotonic()
    x = [[textbook_features([w for *_, w in whitespace_tokens(d.text)], i) for i in range(len(whitespace_tokens(d.text)))] for d in train]
    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.1, c2=0.1, max_iterations=100, all_possible_transitions=True)
    crf.fit(x, [bio_tags(d) for d in train])
    train_seconds = time.monotonic() - t0
    t0 = time.monotonic()
    predictions = []
    for doc in test:
        tokens = whitespace_tokens(doc.text)
        words = [w for *_, w in tokens]
        predictions.append(_spans(tokens, crf.predict_single([textbook_features(words, i) for i in range(len(words))])))
    return {"train_seconds": train_seconds, "predict_seconds": time.monotonic() - t0, "predictions": predictions}


def run_customner(train: list[LabeledDocument], test: list[LabeledDocument], seed: int, recipe: str | None,
                  version: str, language: str = "nl") -> dict[str, Any]:
    """Train through ``ner.train`` as a project in ``language`` does; ``recipe`` forces crf or transformer."""
    from customner import ner
    from customner.ner.config import CrfConfig, build_config, crf_params
    from customner.ner.types import TrainingRequest

    with tempfile.TemporaryDirectory() as folder:
        request = TrainingRequest(train, categories(train), language, False, Path(folder), version, seed)
        t0 = time.monotonic()
        config = build_config(request)
        if recipe == "transformer":  # the config an English project of this version gets, schedule included
            config = build_config(replace(request, language="en")).model_copy(update={"language": language})
        elif recipe == "crf":
            resolved = ner.resolve_config_version(version)
            config = CrfConfig.model_validate({
                "config_version": resolved, "language": language, "multilingual": False,
                "categories": categories(train), "seed": seed, "params": {"crf": crf_params(resolved, language, (d.text for d in train))}})
        report = ner.train_from_config(config, request)
        train_seconds = time.monotonic() - t0
        predictor = ner.load(Path(folder))
        t0 = time.monotonic()
        predictions = predictor.predict([d.text for d in test])
        return {"train_seconds": train_seconds, "predict_seconds": time.monotonic() - t0,
                "predictions": predictions, "recipe": report.recipe, "dev_micro_f1": report.dev_micro_f1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--systems", default="crf-textbook,customner")
    parser.add_argument("--recipe", choices=["crf", "transformer"], help="force a recipe (default: the version's)")
    parser.add_argument("--version", default="latest")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--train-size", type=int, help="first N training documents only (quick looks)")
    args = parser.parse_args()
    train, test = load_dutch("train"), load_dutch("test")
    if args.train_size:
        train = train[: args.train_size]
    words = sum(len(d.text.split()) for d in test)
    rows = []
    for system in args.systems.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            result = (run_textbook_crf(train, test, seed) if system == "crf-textbook"
                      else run_customner(train, test, seed, args.recipe, args.version))
            scores = evaluate([d.spans for d in test], result.pop("predictions"), [d.text for d in test])
            name = system if system != "customner" else f"customner ({result['recipe'].split('.')[1]})"
            rows.append({"system": name, "seed": seed, "micro_f1": scores.micro.f1, "ece": scores.ece,
                         "per_type_f1": {k: v.f1 for k, v in scores.per_type.items()},
                         "train_seconds": result["train_seconds"],
                         "words_per_second": words / result["predict_seconds"],
                         "dev_micro_f1": result.get("dev_micro_f1")})
            print(f"{name} seed {seed}: F1 {scores.micro.f1:.4f} (ECE {scores.ece:.3f}) "
                  f"train {result['train_seconds']:.0f}s, {words / result['predict_seconds']:.0f} words/s", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dutch_peers.json").write_text(json.dumps(rows, indent=1))
    types = sorted({t for r in rows for t in r["per_type_f1"]})
    print("\n| system | seed | micro F1 | ECE | train s | words/s | " + " | ".join(types) + " |")
    print("|---" * (6 + len(types)) + "|")
    for r in rows:
        print(f"| {r['system']} | {r['seed']} | {r['micro_f1']:.4f} | {r['ece']:.3f} | {r['train_seconds']:.0f} | "
              f"{r['words_per_second']:.0f} | " + " | ".join(f"{r['per_type_f1'].get(t, 0):.3f}" for t in types) + " |")


if __name__ == "__main__":
    main()
