"""A first model for assisted labeling: training time and test F1 of the quick and the full schedule, by size.

Trains on the first 50, 100 and 300 MIT Restaurant training queries (English transformer recipe, config ``latest``)
with the full schedule (what ``:train`` uses) and the quick one (``config.QUICK``, what Studio's "Train a
suggestions model" uses), and scores the test split (strict entity micro-F1). Meant for a quiet machine.

  .venv/bin/python -m benchmarks.first_model
  .venv/bin/python -m benchmarks.first_model --sizes 300 --quick max_epochs=10,lr=3e-4   # try another quick schedule
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.mit_data import categories, load_split
from customner import ner
from customner.ner import config as ner_config
from customner.ner.metrics import evaluate
from customner.ner.types import TrainingRequest


def run(size: int, quick: bool, seed: int) -> tuple[float, float]:
    train, test = load_split("train"), load_split("test")
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.monotonic()
        ner.train(TrainingRequest(train[:size], categories(train), "en-us", False, Path(folder), seed=seed, quick=quick))
        seconds = time.monotonic() - t0
        predicted = ner.load(Path(folder)).predict([d.text for d in test])
    return seconds, evaluate([d.spans for d in test], predicted, [d.text for d in test]).micro.f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,100,300")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", default="", help="override the quick schedule: key=value,... (JSON values)")
    parser.add_argument("--only-quick", action="store_true")
    args = parser.parse_args()
    for pair in filter(None, args.quick.split(",")):
        key, value = pair.split("=")
        ner_config.QUICK[key] = json.loads(value)
    print(f"quick schedule: {ner_config.QUICK}", flush=True)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        for quick in ((True,) if args.only_quick else (False, True)):
            seconds, f1 = run(size, quick, args.seed)
            rows.append((size, "quick" if quick else "full", seconds, f1))
            print(f"{size} documents, {rows[-1][1]}: {seconds:.1f} s, test F1 {f1:.4f}", flush=True)
    print("\n| documents | schedule | training s | test F1 |\n|---|---|---|---|")
    for size, name, seconds, f1 in rows:
        print(f"| {size} | {name} | {seconds:.1f} | {f1:.4f} |")


if __name__ == "__main__":
    main()
