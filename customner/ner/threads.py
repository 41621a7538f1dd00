"""Thread settings of the numeric libraries: reproducible numbers, and no collapse under contention.

* Reproducibility. How a reduction is split over threads changes its rounding (torch's
  backward passes, e.g. LayerNorm's weight gradients, sum one partial result per thread), so
  training pins torch's intra-op thread count to the config's ``threads`` whatever the process,
  the environment (``OMP_NUM_THREADS``) or the load say, seeds torch, and turns on deterministic
  algorithms. Nothing in training depends on the wall clock but the time budget
  (``max_seconds``), and the report says when it ended a training. The thread count is never lowered
  when the machine is busy: that would change the numbers. torch's random generator (dropout
  masks, also drawn inside the encoder's attention) is process-wide, so two trainings in one
  process would draw each other's masks (and torch's ONNX exporter keeps global state too): the
  torch phase of a training holds a process lock.
* The same numbers on any x86-64 machine. torch, MKL and oneDNN pick their kernels by the CPU's
  instruction set (AVX-512 here, AVX2 there) and the kernels round differently; over a
  thousand training steps the differences grow into other confidences. ``ISA_PINS`` holds
  all three at AVX2 (every x86-64 server CPU since 2013 has it), overriding the environment;
  the capability torch really used is in every training report. Costs about 15% of training
  time on an AVX-512 machine (measured on the demo project). MKL honours its pin on Intel CPUs
  only, unless told the CPU is one (``mkl_vendor``, right after torch's import).
* Contention. libgomp (torch's OpenMP) busy-waits at every barrier (300,000 spins by default);
  with more threads than free cores each waiting thread burns the time slice the thread it
  waits for needs, and concurrent trainings slow down far beyond their fair share (16x for 4
  demo trainings on 2 cores). Sleeping at once (``OMP_WAIT_POLICY=PASSIVE``) avoids that but
  costs about 40% when the machine is quiet (every barrier then waits for a wake-up);
  ``GOMP_SPINCOUNT=1000`` spins briefly, then sleeps: about 20% faster than passive alone, about
  as good under contention (``python -m benchmarks.contention``). libgomp reads it once, when
  torch is imported, so ``customner.ner`` sets it on import (an explicit ``GOMP_SPINCOUNT`` or
  ``OMP_WAIT_POLICY`` in the environment wins), and ONNX Runtime sessions used during training do not spin.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from customner.ner import mkl_vendor

SPIN_COUNT = "1000"
# kernel choice of torch (ATen), MKL (conditional numerical reproducibility) and oneDNN
ISA_PINS = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
_TORCH = threading.Lock()  # one seeded torch phase at a time per process


def set_process_defaults() -> None:
    """Must run before torch first computes anything in the process (see module docstring)."""
    if "GOMP_SPINCOUNT" not in os.environ and "OMP_WAIT_POLICY" not in os.environ:
        os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT
    os.environ.update(ISA_PINS)
    mkl_vendor.pin_when_torch_loads()


def cpu_capability() -> str:
    """The instruction set torch's kernels use in this process ("AVX2" once pinned; "DEFAULT" without AVX2)."""
    import torch

    return str(torch.backends.cpu.get_cpu_capability())


@contextmanager
def pinned_torch(threads: int, seed: int, while_waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Fixed intra-op threads, seeded RNG and deterministic kernels for the calling thread.

    Waits for any other training of this process to leave its block first, calling
    ``while_waiting`` about twice a second (it may raise, e.g. to cancel).

    Under OpenMP the count takes effect for the calling thread (threads that already ran torch
    code keep theirs), so training must run inside this block, on the thread that entered it.
    The previous settings come back after.
    """
    import torch

    while not _TORCH.acquire(timeout=0.5):
        while_waiting()
    threads_before = torch.get_num_threads()
    deterministic_before = torch.are_deterministic_algorithms_enabled()
    try:
        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True)
        yield
    finally:
        torch.set_num_threads(threads_before)
        torch.use_deterministic_algorithms(deterministic_before)
        _TORCH.release()
