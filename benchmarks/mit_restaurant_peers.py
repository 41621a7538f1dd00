"""MIT Restaurant benchmark: our default recipe vs a feature CRF vs spaCy 3.8 from scratch.

Trains each system on the first 100, 500 and all training documents, scores the test split
with strict entity micro-F1 (customner.ner.metrics), and records training time, inference
words/s per core, peak memory and model size. Each run is a fresh subprocess so peak RSS is
per system. Results go to benchmarks/results/ (JSON, markdown, learning-curve PNG).

  .venv/bin/python -m benchmarks.mit_restaurant_peers --sizes 100,500,all
  .venv/bin/python -m benchmarks.mit_restaurant_peers --sizes 100 --skip-spacy
  .venv/bin/python -m benchmarks.mit_restaurant_peers --skip-spacy --seeds 0,1,2   # mean and range over seeds

With several seeds, customner trains once per seed (the CRF peer is deterministic and runs once per size), and a
second table gives each system's mean and range.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.mit_data import bio_tags, categories, load_split, whitespace_tokens
from customner.ner.metrics import evaluate
from customner.ner.types import Entity, LabeledDocument

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SPACY_PY = ROOT / ".venv-bench" / "bin" / "python"
SYSTEMS = ["customner", "crf", "spacy-efficiency", "spacy-accuracy"]


def subset(docs: list[LabeledDocument], size: str) -> list[LabeledDocument]:
    return docs if size == "all" else docs[: int(size)]


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- workers (run in a fresh process each) ---------------------------------------------


def run_customner(size: str, workdir: Path, threads: int, seed: int) -> dict[str, Any]:
    from customner.ner import load, train
    from customner.ner.types import TrainingRequest

    train_docs = subset(load_split("train"), size)
    test = load_split("test")
    t0 = time.monotonic()
    report = train(TrainingRequest(train_docs, categories(load_split("train")), "en-us", False, workdir, seed=seed))
    train_seconds = time.monotonic() - t0
    predictor = load(workdir)
    predictor.predict([d.text for d in test[:50]])  # warm-up (session init)
    t0 = time.monotonic()
    preds = predictor.predict([d.text for d in test])
    predict_seconds = time.monotonic() - t0
    return {
        "train_seconds": train_seconds,
        "predict_seconds": predict_seconds,
        "threads": threads,
        "model_bytes": dir_bytes(workdir),
        "report": {k: v for k, v in report.__dict__.items() if k != "categories"},
        "predictions": [[[e.start, e.end, e.category, e.confidence] for e in p] for p in preds],
    }


def crf_features(tokens: list[str], i: int) -> dict[str, Any]:
    """The classic sklearn-crfsuite tutorial features (no POS tags)."""
    w = tokens[i]
    f: dict[str, Any] = {
        "bias": 1.0, "word.lower()": w.lower(), "word[-3:]": w[-3:], "word[-2:]": w[-2:],
        "word.isupper()": w.isupper(), "word.istitle()": w.istitle(), "word.isdigit()": w.isdigit(),
    }
    for d, name in ((-1, "-1"), (1, "+1")):
        j = i + d
        if 0 <= j < len(tokens):
            u = tokens[j]
            f.update({f"{name}:word.lower()": u.lower(), f"{name}:word.istitle()": u.istitle(),
                      f"{name}:word.isupper()": u.isupper()})
        else:
            f["BOS" if d < 0 else "EOS"] = True
    return f


def run_crf(size: str, workdir: Path, threads: int, seed: int) -> dict[str, Any]:
    import sklearn_crfsuite

    toks, tags = whitespace_tokens, bio_tags

    train_docs = subset(load_split("train"), size)
    test = load_split("test")
    t0 = time.monotonic()
    X = [[crf_features([t for *_, t in toks(d.text)], i) for i in range(len(toks(d.text)))] for d in train_docs]
    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.1, c2=0.1, max_iterations=100,
                               all_possible_transitions=True, model_filename=str(workdir / "crf.model"))
    crf.fit(X, [tags(d) for d in train_docs])
    train_seconds = time.monotonic() - t0
    t0 = time.monotonic()
    preds = []
    for d in test:
        tk = toks(d.text)
        labels = crf.predict_single([crf_features([t for *_, t in tk], i) for i in range(len(tk))])
        ents: list[list[Any]] = []
        for (s, e, _), lab in zip(tk, labels, strict=True):
            if lab.startswith("B-") or (lab.startswith("I-") and (not ents or ents[-1][2] != lab[2:] or ents[-1][4])):
                ents.append([s, e, lab[2:], 1.0, False])
            elif lab.startswith("I-"):
                ents[-1][1] = e
            elif ents:
                ents[-1][4] = True  # closed
        preds.append([x[:4] for x in ents])
    predict_seconds = time.monotonic() - t0
    return {"train_seconds": train_seconds, "predict_seconds": predict_seconds, "threads": 1,
            "model_bytes": dir_bytes(workdir), "predictions": preds}


def worker(system: str, size: str, out: Path, threads: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fn = run_customner if system == "customner" else run_crf
        result = fn(size, Path(tmp), threads, seed)
    result["peak_rss_mb"] = peak_rss_mb()
    out.write_text(json.dumps(result))


# ---- driver ----------------------------------------------------------------------------


def launch(system: str, size: str, threads: int, spacy_steps: int, patience: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        if system.startswith("spacy"):
            cmd = [str(SPACY_PY), str(ROOT / "benchmarks" / "spacy_worker.py"), "--optimize",
                   system.split("-", 1)[1], "--size", size, "--workdir", str(Path(tmp) / "w"), "--out", str(out),
                   "--max-steps", str(spacy_steps), "--patience", str(patience), "--seed", str(seed)]
        else:
            cmd = [sys.executable, "-m", "benchmarks.mit_restaurant_peers", "--worker", system, "--size", size, "--out", str(out),
                   "--threads", str(threads), "--seed", str(seed)]
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), HF_HUB_OFFLINE="1")
        if system != "customner":
            env["OMP_NUM_THREADS"] = "1"
        subprocess.run(cmd, check=True, env=env, cwd=ROOT)
        return json.loads(out.read_text())


def score(result: dict[str, Any], test: list[LabeledDocument]) -> dict[str, Any]:
    preds = [[Entity(s, e, c, float(p)) for s, e, c, p in doc] for doc in result.pop("predictions")]
    r = evaluate([d.spans for d in test], preds, [d.text for d in test])
    words = sum(len(d.text.split()) for d in test)
    wps = words / result["predict_seconds"]
    return {
        **result,
        "micro_f1": r.micro.f1, "micro_precision": r.micro.precision, "micro_recall": r.micro.recall,
        "micro_f1_ci95": r.micro_f1_ci95, "macro_f1": r.macro.f1, "ece": r.ece,
        "per_type_f1": {k: v.f1 for k, v in r.per_type.items()},
        "words_per_second": wps, "words_per_second_per_core": wps / result["threads"],
    }


def write_outputs(rows: list[dict[str, Any]], name: str = "mit_restaurant_peers") -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, indent=1))
    types = sorted({t for r in rows for t in r["per_type_f1"]})
    head = ["size", "system", "seed", "micro F1", "95% CI", "ECE", "train s", "words/s/core", "x CRF", "peak MB", "model MB"]
    lines = ["| " + " | ".join(head + types) + " |", "|" + "---|" * (len(head) + len(types))]
    for r in rows:
        crf = next((x for x in rows if x["size"] == r["size"] and x["system"] == "crf"), None)
        ratio = r["words_per_second_per_core"] / crf["words_per_second_per_core"] if crf else float("nan")
        cells = [r["size"], r["system"], str(r.get("seed", 0)), f"{r['micro_f1']:.3f}",
                 f"{r['micro_f1_ci95'][0]:.3f}-{r['micro_f1_ci95'][1]:.3f}", f"{r['ece']:.3f}",
                 f"{r['train_seconds']:.0f}", f"{r['words_per_second_per_core']:.0f}", f"{ratio:.2f}",
                 f"{r['peak_rss_mb']:.0f}", f"{r['model_bytes'] / 1e6:.1f}"]
        cells += [f"{r['per_type_f1'].get(t, 0):.3f}" for t in types]
        lines.append("| " + " | ".join(cells) + " |")
    notes = sorted({f"{r['system']}: {r['notes']}" for r in rows if r.get("notes")})
    md = "\n".join(lines) + ("\n\n" + "\n".join(f"- {n}" for n in notes) if notes else "") + "\n"
    if any(r.get("seed", 0) for r in rows):
        md += "\n" + seed_summary(rows)
    (RESULTS / f"{name}.md").write_text(md)
    print(md)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        n_train = len(load_split("train"))
        fig, ax = plt.subplots(figsize=(6, 4))
        for system in dict.fromkeys(r["system"] for r in rows):
            by_size: dict[int, list[float]] = {}
            for r in rows:
                if r["system"] == system:
                    by_size.setdefault(n_train if r["size"] == "all" else int(r["size"]), []).append(r["micro_f1"])
            pts = sorted((size, sum(f1) / len(f1)) for size, f1 in by_size.items())  # the mean over seeds
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=system)
        ax.set_xscale("log")
        ax.set_xlabel("training documents")
        ax.set_ylabel("test micro-F1 (strict)")
        ax.set_title("MIT Restaurant learning curve")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(RESULTS / f"{name.replace('peers', 'learning_curve')}.png", dpi=120)
    except ImportError:
        print("matplotlib missing: no PNG")


def seed_summary(rows: list[dict[str, Any]]) -> str:
    """Mean and range over seeds, per size and system."""
    lines = ["| size | system | seeds | micro F1 mean | F1 range | ECE mean | ECE max | train s mean |",
             "|---|---|---|---|---|---|---|---|"]
    for key in dict.fromkeys((r["size"], r["system"]) for r in rows):
        group = [r for r in rows if (r["size"], r["system"]) == key]
        f1 = [r["micro_f1"] for r in group]
        ece = [r["ece"] for r in group]
        lines.append(f"| {key[0]} | {key[1]} | {','.join(str(r.get('seed', 0)) for r in group)} | "
                     f"{sum(f1) / len(f1):.4f} | {min(f1):.4f}-{max(f1):.4f} | {sum(ece) / len(ece):.3f} | "
                     f"{max(ece):.3f} | {sum(r['train_seconds'] for r in group) / len(group):.0f} |")
    return "\n".join(lines) + "\n"


def sort_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(r: dict[str, Any]) -> tuple[int, int, int]:
        size = 10**9 if r["size"] == "all" else int(r["size"])
        return size, SYSTEMS.index(r["system"]) if r["system"] in SYSTEMS else 99, r.get("seed", 0)

    return sorted(rows, key=key)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,500,all")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--skip-spacy", action="store_true")
    ap.add_argument("--append", action="store_true", help="merge into the saved results (replace same size+system)")
    ap.add_argument("--results-name", default="mit_restaurant_peers", help="file stem under benchmarks/results/")
    ap.add_argument("--merge", help="comma-separated result stems to merge into --results-name, then exit")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seeds", default="0", help="comma-separated training seeds (customner and spaCy)")
    ap.add_argument("--spacy-max-steps", type=int, default=2000, help="spaCy efficiency preset")
    ap.add_argument("--spacy-accuracy-max-steps", type=int, default=1000, help="spaCy accuracy preset (slow on CPU)")
    ap.add_argument("--spacy-patience", type=int, default=600)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--size", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.size, args.out, args.threads, args.seed)
        return
    if args.merge:
        merged: dict[tuple[str, str, int], dict[str, Any]] = {}
        for stem in args.merge.split(","):
            for r in json.loads((RESULTS / f"{stem}.json").read_text()):
                merged[(r["size"], r["system"], r.get("seed", 0))] = r
        write_outputs(sort_rows(list(merged.values())), args.results_name)
        return
    sizes = args.sizes.split(",")
    systems = [s for s in args.systems.split(",") if not (args.skip_spacy and s.startswith("spacy"))]
    test = load_split("test")
    previous = RESULTS / f"{args.results_name}.json"
    rows = json.loads(previous.read_text()) if args.append and previous.exists() else []

    def steps(system: str) -> int:
        return args.spacy_accuracy_max_steps if system == "spacy-accuracy" else args.spacy_max_steps

    seeds = [int(s) for s in args.seeds.split(",")]
    for size in sizes:
        for system in systems:
            for seed in seeds if system != "crf" else seeds[:1]:
                t0 = time.monotonic()
                result = launch(system, size, args.threads, steps(system), args.spacy_patience, seed)
                row = {"size": size, "system": system, "seed": seed, **score(result, test)}
                rows = sort_rows([r for r in rows if (r["size"], r["system"], r.get("seed", 0)) != (size, system, seed)]
                                 + [row])
                print(f"[{time.monotonic() - t0:6.0f}s] size={size} {system} seed={seed}: F1={row['micro_f1']:.4f} "
                      f"ECE={row['ece']:.3f} train={row['train_seconds']:.0f}s "
                      f"wps/core={row['words_per_second_per_core']:.0f}", flush=True)
                write_outputs(rows, args.results_name)


if __name__ == "__main__":
    main()
