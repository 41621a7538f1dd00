"""Training under CPU contention: one demo-size training alone, then N at the same time.

Each training is its own process (as separate workers sharing a machine would be). Prints a
table of wall times and the slowdown ratio (mean concurrent wall time / time alone); with N
trainings on fewer cores than N x threads, a fair share is about N x cores-per-training /
cores. Meant for a quiet machine; on a loaded one the figures say little.

    python -m benchmarks.contention                  # 1 alone, then 4 concurrent, demo project
    python -m benchmarks.contention --docs 20 -n 4   # smaller trainings
    python -m benchmarks.contention --wait-policy libgomp-default   # compare with spinning threads

``--wait-policy`` sets how torch's OpenMP threads wait at a barrier: ``short-spin`` is what
customner.ner sets by default (GOMP_SPINCOUNT=1000, then sleep), ``passive`` sleeps at once
(OMP_WAIT_POLICY=PASSIVE), ``libgomp-default`` spins 300,000 times first (libgomp's own default).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from customner.ner.offsets import OffsetMapper, StringIndexType
from customner.ner.types import LabeledDocument, Span

POLICIES = {"short-spin": {}, "passive": {"OMP_WAIT_POLICY": "PASSIVE"},
            "libgomp-default": {"GOMP_SPINCOUNT": "300000"}}


def demo_documents() -> tuple[list[LabeledDocument], list[str]]:
    """The demo project's training documents (UTF-16 offsets in the project file)."""
    project = json.loads(resources.files("customner.demo").joinpath("project.json").read_text("utf-8"))
    unit = StringIndexType.parse(project.get("stringIndexType"))
    docs = []
    for row in project["assets"]["documents"]:
        if row["dataset"] != "Train":
            continue
        mapper = OffsetMapper(row["text"], unit)
        spans = [Span(*mapper.span(label["offset"], label["offset"] + label["length"]), label["category"])
                 for region in row["entities"] for label in region["labels"]]
        docs.append(LabeledDocument(row["text"], spans, "en-us"))
    return docs, [e["category"] for e in project["assets"]["entities"]]


def child(out: Path, n_docs: int) -> None:
    from customner.ner import train
    from customner.ner.types import TrainingRequest

    docs, categories = demo_documents()
    start = time.monotonic()
    train(TrainingRequest(docs[:n_docs], categories, "en-us", False, out, seed=0))
    print(json.dumps({"seconds": time.monotonic() - start}))


def run(n: int, n_docs: int, policy: str, work: Path) -> list[float]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.update(POLICIES[policy])
    procs = [subprocess.Popen([sys.executable, "-m", "benchmarks.contention", "--child", str(work / f"{n}-{k}"),
                               "--docs", str(n_docs)], env=env, stdout=subprocess.PIPE, text=True)
             for k in range(n)]
    times = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"training failed (exit code {proc.returncode})")
        times.append(json.loads(out.strip().splitlines()[-1])["seconds"])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=4, help="concurrent trainings (default 4)")
    parser.add_argument("--docs", type=int, default=10_000, help="training documents per run (default: all demo ones)")
    parser.add_argument("--wait-policy", choices=sorted(POLICIES), default="short-spin")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.docs)
        return
    n_docs = min(args.docs, len(demo_documents()[0]))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        alone = run(1, n_docs, args.wait_policy, Path(tmp))[0]
        together = run(args.n, n_docs, args.wait_policy, Path(tmp))
    mean = statistics.mean(together)
    print(f"{n_docs} documents per training, wait policy {args.wait_policy}, {os.cpu_count()} cores, "
          f"1-min load average before: {load_before:.2f}")
    print(f"{'run':<22}{'wall s':>10}")
    print(f"{'alone':<22}{alone:>10.1f}")
    for k, seconds in enumerate(together, 1):
        print(f"{f'concurrent {k}/{args.n}':<22}{seconds:>10.1f}")
    print(f"{'ratio mean/alone':<22}{mean / alone:>10.2f}")
    print(f"{'ratio max/alone':<22}{max(together) / alone:>10.2f}")


if __name__ == "__main__":
    main()
