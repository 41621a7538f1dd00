"""Same data, config and seed -> same predictions and confidences (4 decimals), whatever the thread count, load and CPU."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from ner_fixtures import categories_of, load_fixture
from numpy._core._multiarray_umath import __cpu_features__  # type: ignore[attr-defined]

from customner.ner import load, train
from customner.ner.types import Entity, LabeledDocument, TrainingRequest

CHILD = Path(__file__).with_name("repro_child.py")
SERVE_CHILD = Path(__file__).with_name("serve_child.py")
MKL_CHILD = Path(__file__).with_name("mkl_child.py")
OTHER_VENDOR = Path(__file__).with_name("cpuid_other_vendor.c")


# Kernel choices two different CPUs would lead the libraries to: AVX-512 everywhere, or no vector extension at all
# (without the pins, the two trained models differ in their weights).
AS_IF_ON = {
    1: {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "SSE41"},
    2: {"ATEN_CPU_CAPABILITY": "avx512", "MKL_CBWR": "AUTO", "ONEDNN_MAX_CPU_ISA": "ALL"},
}


def test_training_is_reproducible_across_thread_counts_concurrent_load_and_cpus(tmp_path: Path) -> None:
    """Two trainings at the same time (each loads the machine for the other) in separate processes,
    one with every thread setting at 1, one at 2, and each with the kernel choice of another CPU."""
    procs = []
    for threads in (1, 2):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
                   CUSTOMNER_NER_THREADS=str(threads), **AS_IF_ON[threads],
                   PYTHONPATH=os.pathsep.join([str(CHILD.parent), *(p for p in sys.path if p)]))
        cmd = [sys.executable, str(CHILD), str(tmp_path / f"t{threads}"), str(threads)]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [r["torch_threads"] for r in results] == [1, 2]  # the processes really differed
    one, two = (r["predictions"] for r in results)
    assert sum(len(doc) for doc in one) >= 10  # the model found entities to compare
    assert one == two
    for name in ("model.onnx", "weights.json", "calibration.json"):
        assert (tmp_path / "t1" / name).read_bytes() == (tmp_path / "t2" / name).read_bytes(), name


def test_concurrent_trainings_in_one_process_do_not_share_random_draws(tmp_path: Path) -> None:
    """torch's generator is process-wide: two trainings on two threads of one worker must not interleave it."""
    docs = load_fixture("en")
    results: dict[int, list[list[Entity]]] = {}
    failures: list[BaseException] = []

    def run(k: int) -> None:
        try:
            train(TrainingRequest(docs[:14], categories_of(docs), "en-us", False, tmp_path / str(k), seed=11))
            results[k] = load(tmp_path / str(k)).predict([d.text for d in docs[14:]])
        except BaseException as error:  # noqa: BLE001  (reported on the test thread by the assert below)
            failures.append(error)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert sum(len(doc) for doc in results[0]) >= 10
    assert results[0] == results[1]


def test_a_training_waiting_for_another_ones_torch_phase_can_be_cancelled(tmp_path: Path) -> None:
    from customner.ner import TrainingCancelled
    from customner.ner.threads import pinned_torch

    docs = load_fixture("en")
    progress: list[float] = []
    outcome: list[BaseException] = []

    def run() -> None:
        try:  # stops being wanted once its CRF expert is trained and the tokenizer copied: then it waits for the lock
            train(TrainingRequest(docs[:14], categories_of(docs), "en-us", False, tmp_path, on_progress=progress.append,
                                  should_stop=lambda: (tmp_path / "tokenizer.json").exists()))
        except BaseException as error:  # noqa: BLE001  (checked on the test thread below)
            outcome.append(error)

    with pinned_torch(1, 0):  # another training's torch phase
        worker = threading.Thread(target=run)
        worker.start()
        worker.join(timeout=120)
        assert not worker.is_alive(), "the waiting training ignored its cancellation"
    assert len(outcome) == 1 and isinstance(outcome[0], TrainingCancelled)


def test_the_fp32_model_is_kept_and_served_on_request(english_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The int8 model's outputs depend on the CPU's kernels; the folder keeps the fp32 model the decisions came from."""
    from customner.ner.config import parse_config
    from customner.ner.recipes.transformer import served_onnx

    config = parse_config((english_model_dir / "config.json").read_text())
    assert config.params.transformer.keep_fp32  # type: ignore[union-attr]
    meta = json.loads((english_model_dir / "meta.json").read_text())
    assert meta["details"]["quantized"], meta  # the fixture's model is served in int8 by default
    assert meta["details"]["mkl_branch"] == "AVX2", meta  # whatever the CPU's vendor (mkl_vendor)
    assert (english_model_dir / "model.fp32.onnx").stat().st_size > 2 * (english_model_dir / "model.onnx").stat().st_size
    assert served_onnx(english_model_dir).name == "model.onnx"
    monkeypatch.setenv("CUSTOMNER_NER_PRECISION", "fp32")
    assert served_onnx(english_model_dir).name == "model.fp32.onnx"
    monkeypatch.setenv("CUSTOMNER_NER_PRECISION", "fp16")
    with pytest.raises(ValueError, match="CUSTOMNER_NER_PRECISION"):
        served_onnx(english_model_dir)


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind (an emulated CPU without AVX-512)")
@pytest.mark.skipif(not __cpu_features__.get("AVX512F"), reason="this CPU has no AVX-512 to compare against")
def test_int8_and_fp32_serving_give_the_same_confidences_on_a_cpu_without_avx512(
    english_model_dir: Path, english_docs: list[LabeledDocument]
) -> None:
    """ONNX Runtime picks kernels by the CPU; valgrind's emulated CPU has AVX2 but no AVX-512 (nor VNNI).

    int8 with one activation scale per batch and 8-bit weights differed there (0.9995 vs 0.9994 on one entity here;
    up to 0.54 in a word's probability on an MIT Restaurant model); per-token scales and 7-bit weights do not.
    """
    texts = [d.text for d in english_docs[:12]]
    env = dict(os.environ, CUSTOMNER_NER_THREADS="1", PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    runs = []
    for prefix in ([], ["valgrind", "--tool=none", "--quiet"]):
        cmd = [*prefix, sys.executable, str(SERVE_CHILD), str(english_model_dir), *texts]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    native, emulated = runs
    assert native["avx512f"] and not emulated["avx512f"]  # two different kernel choices really ran
    assert sum(len(doc) for doc in native["predictions"]["auto"]) >= 5
    assert sum(len(doc) for doc in native["predictions"]["fp32"]) >= 1
    assert json.loads((english_model_dir / "meta.json").read_text())["details"]["quantized"]  # auto: int8
    assert native["predictions"] == emulated["predictions"]


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build the CPUID emulation")
def test_mkl_runs_the_same_products_whatever_the_cpu_vendor(tmp_path: Path) -> None:
    """MKL checks the CPUID vendor before honouring ``MKL_CBWR=AVX2``: on an AMD CPU it ran its own branch, and AMD and
    Intel CPUs trained different weights. The same products run natively and under the other vendor's CPUID."""
    library = tmp_path / "cpuid_other_vendor.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(library), str(OTHER_VENDOR)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}  # its SIGSEGV handler would take over
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    runs = []
    for preload in ({}, {"LD_PRELOAD": str(library)}):
        done = subprocess.run([sys.executable, str(MKL_CHILD)], env={**env, **preload}, capture_output=True,
                              text=True, timeout=300)
        if done.returncode == 77:
            pytest.skip("this CPU or kernel has no CPUID faulting (arch_prctl ARCH_SET_CPUID)")
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    native, other = runs
    assert native["vendor"] == "native" and other["vendor"] in ("AuthenticAMD", "GenuineIntel")
    assert native["mkl_branch"] == other["mkl_branch"] == "AVX2"
    assert native["digest"] == other["digest"]


VML_CHILD = """
import sys, customner.ner, torch
torch.sqrt(torch.rand(4096))  # MKL's vector math: proves the breakpoints work
print("CHECK DONE", flush=True)
from ner_fixtures import categories_of, load_fixture
from customner.ner import train
from customner.ner.types import TrainingRequest
docs = load_fixture("en")
train(TrainingRequest(docs[:14], categories_of(docs), "en-us", False, __import__("pathlib").Path(sys.argv[1]), seed=11))
print("TRAINING DONE", flush=True)
"""


@pytest.mark.skipif(shutil.which("gdb") is None or shutil.which("nm") is None, reason="needs gdb and nm")
def test_training_takes_nothing_from_mkl_vector_math(tmp_path: Path) -> None:
    """MKL's vector-math square root starts from the CPU's approximate ``rsqrtps``, whose last bits differ between
    Intel and AMD CPUs: the foreach AdamW step (config 2027-01-17) took its square roots there, the fused one does not.
    A breakpoint on every vector-math entry point of torch's MKL; a training of the latest config enters none."""
    import torch

    library = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    symbols = subprocess.run(["nm", "-D", "--defined-only", str(library)], capture_output=True, text=True, check=True)
    names = [fields[-1] for fields in map(str.split, symbols.stdout.splitlines())
             if fields and re.fullmatch(r"vm?[sd][A-Z]\w*", fields[-1])]
    assert "vmsSqrt" in names
    commands = ["set breakpoint pending on", "set pagination off"]
    for name in names:
        commands += [f"break {name}", "commands", "silent", f"echo VML {name}\\n", "continue", "end"]
    script = tmp_path / "breakpoints.gdb"
    script.write_text("\n".join([*commands, "run", ""]))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    env["PYTHONPATH"] = os.pathsep.join([str(CHILD.parent), *(p for p in sys.path if p)])
    done = subprocess.run(["gdb", "-batch", "-x", str(script), "--args", sys.executable, "-c", VML_CHILD,
                           str(tmp_path / "model")], env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert "TRAINING DONE" in out, out[-2000:] + done.stderr[-2000:]
    check, training = out.split("CHECK DONE", 1)
    assert "VML vmsSqrt" in check  # the breakpoints were live
    assert "VML " not in training, sorted(set(re.findall(r"VML \w+", training)))
