"""Inference throughput and long-document latency of a trained model directory.

  .venv/bin/python -m benchmarks.inference_speed --model-dir /tmp/m --threads 1,2 [--precision auto,fp32]

Prints words/s per core on the MIT Restaurant test texts (whitespace words), the share of
time per expert, and the latency for one 125,000-character document; then trains the feature
CRF peer of benchmarks/mit_restaurant_peers.py (sklearn-crfsuite, tutorial features) in the
same run and gives its words/s and our ratio to it (``--no-peer`` to skip).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks.mit_data import load_split
from benchmarks.mit_restaurant_peers import run_crf
from customner.ner import load
from customner.ner.data import make_doc
from customner.ner.recipes.transformer import PRECISION_ENV


def best_of(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--no-peer", action="store_true", help="skip the CRF peer")
    ap.add_argument("--precision", default="auto",
                    help="comma-separated CUSTOMNER_NER_PRECISION values: auto (int8 where trained so), fp32 (the kept "
                         "fp32 model, config 2026-12-27 on)")
    args = ap.parse_args()
    texts = [d.text for d in load_split("test")]
    words = sum(len(t.split()) for t in texts)
    long_text = ""
    while len(long_text) < 125_000:
        long_text += " ".join(texts[:200]) + ". "
    long_text = long_text[:125_000]
    config = json.loads((args.model_dir / "config.json").read_text())
    rows = []
    runs = [(p, int(t)) for p in args.precision.split(",") for t in args.threads.split(",")]
    for precision, threads in runs:
        os.environ["CUSTOMNER_NER_THREADS"] = str(threads)
        os.environ[PRECISION_ENV] = precision
        predictor = load(args.model_dir)
        predictor.predict(texts[:64])
        total = best_of(lambda p=predictor: p.predict(texts))
        docs = [make_doc(t) for t in texts]
        per_expert = [best_of(lambda e=e, d=docs: e.logprobs(d), 2) for e in predictor.experts]
        long_s = best_of(lambda p=predictor: p.predict([long_text]), 2)
        rows.append((f"{precision} {threads}", words / total / threads, total, per_expert, long_s))
    print(f"model {args.model_dir} recipe={config['recipe']} weights={getattr(predictor, 'weights', None)}")
    print(f"MIT test: {len(texts)} docs, {words} words; long doc: {len(long_text)} chars, {len(long_text.split())} words")
    print("| precision, threads | words/s/core | test set s | per-expert s | 125k-char doc s |")
    print("|---|---|---|---|---|")
    for run, wps, total, per_expert, long_s in rows:
        experts = ", ".join(f"{x:.2f}" for x in per_expert)
        print(f"| {run} | {wps:.0f} | {total:.2f} | {experts} | {long_s:.2f} |")
    if not args.no_peer:
        with tempfile.TemporaryDirectory() as tmp:
            peer = words / min(run_crf("all", Path(tmp), 1, 0)["predict_seconds"] for _ in range(3))
        ours = next((wps for run, wps, *_ in rows if run.endswith(" 1")), rows[0][1])
        print(f"CRF peer (sklearn-crfsuite, 1 thread, best of 3 trainings and predictions): {peer:.0f} words/s; "
              f"ours per core on 1 thread / peer: {ours / peer:.2f}")


if __name__ == "__main__":
    main()
