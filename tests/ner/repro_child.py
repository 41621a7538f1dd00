"""Child process of test_reproducibility: ``python repro_child.py OUT_DIR THREADS`` trains and prints predictions.

THREADS is imposed everywhere a process can choose it: OMP/MKL environment (set by the
parent), torch's intra-op threads before training, and ONNX Runtime threads when serving.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from ner_fixtures import categories_of, load_fixture

from customner.ner import load, train
from customner.ner.types import TrainingRequest


def main(out: Path, threads: int) -> None:
    torch.set_num_threads(threads)
    docs = load_fixture("en")
    train(TrainingRequest(docs[:14], categories_of(docs), "en-us", False, out, seed=11))
    predicted = load(out).predict([d.text for d in docs[14:]])
    rows = [[[e.start, e.end, e.category, round(e.confidence, 4)] for e in doc] for doc in predicted]
    sys.stdout.write(json.dumps({"torch_threads": torch.get_num_threads(), "predictions": rows}) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
