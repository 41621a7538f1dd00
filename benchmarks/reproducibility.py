"""Fingerprints of one demo-project training, stage by stage, to compare across CPUs.

    .venv/bin/python -m benchmarks.reproducibility            # train, print, append to the record
    .venv/bin/python -m benchmarks.reproducibility --no-save  # print only

The same data, config and seed should give the same model on any x86-64 CPU. torch's kernels are pinned
(``customner.ner.threads``), ONNX Runtime's are not, so each stage is fingerprinted apart and a machine's row in
``benchmarks/results/reproducibility.jsonl`` shows where two CPUs part:

- ``weights``: sha256 of the fp32 ``model.fp32.onnx`` (config 2026-12-27 on) or of ``model.onnx`` (the int8 file is
  quantized deterministically from torch's weights, so equal digests with ``int8`` on both rows mean equal weights);
- ``encoder``: sha256 of ONNX Runtime's per-word log-probabilities of the served (int8) model on the demo's texts,
  rounded to 5 decimals;
- ``decisions``: what the dev slice chose through ONNX Runtime (CRF expert weight, temperature, calibration);
- ``answer``: the README's two demo texts, entities and confidences as served (int8), and ``answer_fp32`` the same
  with ``CUSTOMNER_NER_PRECISION=fp32`` (config 2026-12-27 on).

``mkl_branch`` is the branch MKL ran (rows recorded before it have none: MKL ran ``AVX2`` on Intel CPUs and a branch
of its own on others, see ``customner.ner.mkl_vendor``). To see what MKL does when the CPUID says the other vendor,
run under ``tests/ner/cpuid_other_vendor.c`` (its rows say ``as AuthenticAMD`` or ``as GenuineIntel``):

    gcc -O2 -shared -fPIC -o /tmp/other.so tests/ner/cpuid_other_vendor.c
    LD_PRELOAD=/tmp/other.so .venv/bin/python -m benchmarks.reproducibility

Neither that nor valgrind's emulated CPU is a substitute for another CPU: the emulated CPU still executes the real
one's approximate instructions (``rsqrtps``: up to config 2027-01-17 the AMD rows could not be reproduced under it,
see ``benchmarks.approximate_instructions``), and valgrind (``valgrind --tool=none``, about 25 minutes) gets other
torch weights too, its ``exp`` and ``log`` already differing from a real CPU's in the last bit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any
from unittest.mock import patch

import numpy as np

from benchmarks.contention import demo_documents
from customner.ner.recipes.transformer import FP32_FILE, PRECISION_ENV

RECORD = Path(__file__).with_name("results") / "reproducibility.jsonl"
OTHER_VENDOR_ENV = "CPUID_OTHER_VENDOR"
README_TEXTS = ["Book a table for two at Government in Seattle on Friday.",
                "David Schmidt is performing at Chez Marie tonight."]


def cpu() -> dict[str, Any]:
    """CPU model and the instruction-set extensions that change kernel choices."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    flags = set(fields.get("flags", "").split())
    wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
    row = {"model": fields.get("model name", platform.processor()), "family": fields.get("cpu family"),
           "cpu_model": fields.get("model"), "isa": [f for f in wanted if f in flags]}
    if os.environ.get(OTHER_VENDOR_ENV):  # run under tests/ner/cpuid_other_vendor.c
        row["cpuid_vendor"] = os.environ[OTHER_VENDOR_ENV]
    return row


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def served(predictor: Any) -> list[list[tuple[str, str, float]]]:
    """The README texts' entities and confidences."""
    return [[(t[e.start:e.end], e.category, e.confidence) for e in ents]
            for t, ents in zip(README_TEXTS, predictor.predict(README_TEXTS), strict=True)]


def fingerprint(version: str) -> dict[str, Any]:
    import onnxruntime
    import torch

    from customner.ner import load, train
    from customner.ner.data import make_doc
    from customner.ner.types import TrainingRequest

    docs, categories = demo_documents()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        report = train(TrainingRequest(docs, categories, "en-us", False, out, config_version=version, seed=0))
        predictor = load(out)
        texts = [make_doc(d.text) for d in docs] + [make_doc(t) for t in README_TEXTS]
        encoder = predictor.experts[-1].logprobs(texts)  # type: ignore[attr-defined]
        rounded = np.concatenate([np.round(lp, 5) for lp in encoder]).astype(np.float64)
        answer = served(predictor)
        fp32 = out / FP32_FILE
        with patch.dict(os.environ, {PRECISION_ENV: "fp32"}):
            answer_fp32 = served(load(out)) if fp32.exists() else None
        details = report.details
        return {
            "cpu": cpu(), "torch": torch.__version__, "onnxruntime": onnxruntime.__version__,
            "config_version": report.config_version, "torch_capability": details.get("cpu_capability"),
            "mkl_branch": details.get("mkl_branch"),
            "int8": details.get("quantized"),
            "weights": sha((fp32 if fp32.exists() else out / "model.onnx").read_bytes()),
            "encoder": sha(rounded.tobytes()),
            "decisions": {"expert_weights": details.get("weights"), "temperature": details.get("temperature"),
                          "calibration": sha((out / "calibration.json").read_bytes())},
            "answer": answer, "answer_fp32": answer_fp32,
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", default="latest", help="training config version")
    ap.add_argument("--no-save", action="store_true", help="do not append this machine's row to the record")
    args = ap.parse_args()
    row = fingerprint(args.version)
    rows = [json.loads(line) for line in RECORD.read_text().splitlines()] if RECORD.exists() else []
    if not args.no_save:
        with RECORD.open("a") as f:
            f.write(json.dumps(row) + "\n")
    rows.append(row)
    print("| CPU (family/model, ISA) | config | torch ISA | MKL | int8 | weights | encoder | expert weights, T | answer "
          "| answer fp32 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        c = r["cpu"]
        answers = ["; ".join(f"{text} {cat} {conf}" for doc in r.get(key) or [] for text, cat, conf in doc) or "-"
                   for key in ("answer", "answer_fp32")]
        d = r["decisions"]
        shown_as = f" as {c['cpuid_vendor']}" if c.get("cpuid_vendor") else ""
        print(f"| {c['model']}{shown_as} ({c['family']}/{c['cpu_model']}, {' '.join(c['isa'])}) | {r['config_version']} | "
              f"{r['torch_capability']} | {r.get('mkl_branch') or '-'} | {r['int8']} | {r['weights']} | {r['encoder']} | "
              f"{d['expert_weights']}, {d['temperature']} | {answers[0]} | {answers[1]} |")
    same = {key: len({json.dumps(r.get(key)) for r in rows if r["config_version"] == row["config_version"]}) == 1
            for key in ("weights", "encoder", "decisions", "answer", "answer_fp32")}
    print("Same as every other row of this config version:", ", ".join(f"{k}: {v}" for k, v in same.items()))


if __name__ == "__main__":
    main()
