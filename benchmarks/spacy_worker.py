"""Runs inside the spaCy 3.8 venv: trains spaCy NER from scratch and predicts the test split.

Usage: spacy_worker.py --optimize efficiency|accuracy --size N --workdir DIR --out result.json
Writes predictions (code-point offsets) and timings; the caller scores them with our metrics.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.util import filter_spans

DATA = Path("/work/shared/datasets/mit_restaurant/jsonl")


def rows(split: str) -> list[dict]:
    return [json.loads(x) for x in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


def to_docbin(nlp: spacy.language.Language, data: list[dict], path: Path) -> None:
    db = DocBin()
    for r in data:
        doc = nlp.make_doc(r["text"])
        spans = [
            doc.char_span(e["offset"], e["offset"] + e["length"], label=e["category"], alignment_mode="expand")
            for e in r["entities"]
        ]
        doc.ents = filter_spans([s for s in spans if s is not None])
        db.add(doc)
    db.to_disk(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--optimize", choices=["efficiency", "accuracy"], required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--max-steps", type=int, default=4000)
    ap.add_argument("--patience", type=int, default=1000)
    ap.add_argument("--eval-frequency", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    train = rows("train")
    if args.size != "all":
        train = train[: int(args.size)]
    order = list(range(len(train)))
    random.Random(0).shuffle(order)
    n_dev = max(1, round(0.1 * len(train)))
    dev = [train[i] for i in order[:n_dev]]
    train_part = [train[i] for i in order[n_dev:]]
    wd = args.workdir
    wd.mkdir(parents=True, exist_ok=True)
    blank = spacy.blank("en")
    to_docbin(blank, train_part, wd / "train.spacy")
    to_docbin(blank, dev, wd / "dev.spacy")
    cfg = wd / "config.cfg"
    py = sys.executable
    subprocess.run(
        [py, "-m", "spacy", "init", "config", str(cfg), "-l", "en", "-p", "ner", "-o", args.optimize, "--force"],
        check=True, capture_output=True,
    )
    # the accuracy preset expects en_core_web_lg vectors; none are available offline
    no_vectors = ["--paths.vectors", "null"]
    if "include_static_vectors = true" in cfg.read_text():
        no_vectors += ["--components.tok2vec.model.embed.include_static_vectors", "false"]
    t0 = time.monotonic()
    subprocess.run(
        [py, "-m", "spacy", "train", str(cfg), "--output", str(wd / "out"),
         "--paths.train", str(wd / "train.spacy"), "--paths.dev", str(wd / "dev.spacy"),
         "--training.max_steps", str(args.max_steps), "--training.patience", str(args.patience),
         "--training.eval_frequency", str(args.eval_frequency), "--system.seed", str(args.seed), *no_vectors],
        check=True, capture_output=True,
    )
    train_seconds = time.monotonic() - t0
    model_dir = wd / "out" / "model-best"
    nlp = spacy.load(model_dir)
    test = rows("test")
    texts = [r["text"] for r in test]
    t0 = time.monotonic()
    docs = list(nlp.pipe(texts, batch_size=256))
    predict_seconds = time.monotonic() - t0
    preds = [[[e.start_char, e.end_char, e.label_, 1.0] for e in d.ents] for d in docs]
    size = sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file())
    args.out.write_text(json.dumps({
        "train_seconds": train_seconds,
        "predict_seconds": predict_seconds,
        "threads": 1,
        "peak_rss_mb_inference": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024,
        "model_bytes": size,
        "notes": f"max_steps={args.max_steps}, patience={args.patience}, eval_frequency={args.eval_frequency}, no vectors",
        "predictions": preds,
    }))


if __name__ == "__main__":
    main()
