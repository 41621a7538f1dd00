"""Thread settings of the numeric libraries: reproducible numbers, and no collapse under contention.

* Reproducibility. How a reduction is split over threads changes its rounding (torch's
  backward passes, e.g. LayerNorm's weight gradients, sum one partial result per thread), so
  training pins torch's intra-op thread count to the config's ``threads`` whatever the process,
  the environment (``OMP_NUM_THREADS``) or the load say, seeds torch, and turns on deterministic
  algorithms. Nothing in training depends on the wall clock. The thread count is never lowered
  when the machine is busy: that would change the numbers.
* Contention. libgomp (torch's OpenMP) busy-waits at every barrier by default; with more
  threads than free cores each waiting thread burns the time slice the thread it waits for
  needs, and concurrent trainings slow down far beyond their fair share. ``OMP_WAIT_POLICY=PASSIVE``
  makes waiting threads sleep. libgomp reads it once, when torch is imported, so
  ``customner.ner`` sets it on import (an explicit setting in the environment wins), and ONNX
  Runtime sessions used during training do not spin either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

WAIT_POLICY = "PASSIVE"


def set_process_defaults() -> None:
    """Must run before torch is first imported in the process (see module docstring)."""
    os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)


@contextmanager
def pinned_torch(threads: int, seed: int) -> Iterator[None]:
    """Fixed intra-op threads, seeded RNG and deterministic kernels for the calling thread.

    Under OpenMP the count takes effect for the calling thread (threads that already ran torch
    code keep theirs), so training must run inside this block, on the thread that entered it.
    The previous settings come back after.
    """
    import torch

    threads_before = torch.get_num_threads()
    deterministic_before = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.set_num_threads(threads_before)
        torch.use_deterministic_algorithms(deterministic_before)
