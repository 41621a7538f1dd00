"""Thread settings of the numeric libraries: reproducible numbers, and no collapse under contention.

* Reproducibility. How a reduction is split over threads changes its rounding (torch's
  backward passes, e.g. LayerNorm's weight gradients, sum one partial result per thread), so
  training pins torch's intra-op thread count to the config's ``threads`` whatever the process,
  the environment (``OMP_NUM_THREADS``) or the load say, seeds torch, and turns on deterministic
  algorithms. Nothing in training depends on the wall clock. The thread count is never lowered
  when the machine is busy: that would change the numbers. torch's random generator (dropout
  masks, also drawn inside the encoder's attention) is process-wide, so two trainings in one
  process would draw each other's masks (and torch's ONNX exporter keeps global state too): the
  torch phase of a training holds a process lock.
* Contention. libgomp (torch's OpenMP) busy-waits at every barrier by default; with more
  threads than free cores each waiting thread burns the time slice the thread it waits for
  needs, and concurrent trainings slow down far beyond their fair share. ``OMP_WAIT_POLICY=PASSIVE``
  makes waiting threads sleep. libgomp reads it once, when torch is imported, so
  ``customner.ner`` sets it on import (an explicit setting in the environment wins), and ONNX
  Runtime sessions used during training do not spin either.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

WAIT_POLICY = "PASSIVE"
_TORCH = threading.Lock()  # one seeded torch phase at a time per process


def set_process_defaults() -> None:
    """Must run before torch is first imported in the process (see module docstring)."""
    os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)


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
