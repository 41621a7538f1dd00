"""MKL's "is this an Intel CPU?" answered yes on every x86-64 CPU with AVX2, so ``MKL_CBWR=AVX2`` holds everywhere.

torch's matrix products are MKL's, and MKL chooses its kernels in two steps: first a CPUID vendor check, then the
branch. On a CPU of another vendor it ignores ``MKL_CBWR=AVX2`` and runs a branch of its own (``MKL_VERBOSE`` says
``CNR:AUTO``; on AMD Zen, kernels written for Zen), so an AMD and an Intel CPU trained different torch weights from
the same data, config and seed, while two AMD CPUs (Zen 1 and Zen 4) or two Intel ones agreed among themselves.
The branch's code uses nothing but AVX2 and FMA, whose arithmetic is the same on every vendor. (MKL's vector math
is another matter: its square root starts from the approximate ``rsqrtps``, whose bits differ between vendors; from
config 2027-01-24 training takes nothing from it, see ``TransformerParams.fused_step``.)

torch links MKL statically, so the check's answer is set where MKL caches it: a static variable of the exported
``mkl_serv_intel_cpu_true``, whose first instruction loads it (``mov eax, [rip + disp32]``). That must happen before
MKL's first product in the process (even a 2x2 product makes MKL decide): ``import customner.ner`` does it at once if
torch is loaded, else right after torch's import (``pin_when_torch_loads``). Any surprise (another torch build, a
CPU without AVX2, MKL already decided) leaves MKL alone, and ``branch()``, which every training report records as
``mkl_branch``, tells what MKL really runs.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

# mkl_cbwr.h's branch constants, as mkl_serv_cbwr_get(MKL_CBWR_BRANCH) returns them
BRANCHES = {1: "OFF", 2: "AUTO", 3: "COMPATIBLE", 4: "SSE2", 6: "SSSE3", 7: "SSE4_1", 8: "SSE4_2", 9: "AVX",
            10: "AVX2", 11: "AVX512_MIC", 12: "AVX512", 13: "AVX512_MIC_E1", 14: "AVX512_E1"}
# what MKL's AVX2 branch executes (Intel Haswell's extensions); every AMD Zen has them
AVX2_BRANCH_FLAGS = frozenset({"avx2", "fma", "bmi2", "movbe", "f16c"})
_MOV_EAX_RIP = b"\x8b\x05"  # mov eax, [rip + disp32]
_TEST_EAX = b"\x85\xc0"  # test eax, eax (is the cache still unset, i.e. negative?)
_lock = threading.Lock()


@functools.cache
def _mkl() -> ctypes.CDLL | None:
    import torch

    try:
        return ctypes.CDLL(str(Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"))
    except OSError:
        return None


@functools.cache
def _cpu_flags() -> frozenset[str]:
    """The x86 extensions Linux reports (none elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def _intel_check_cache(mkl: ctypes.CDLL) -> ctypes.c_int | None:
    """The static int where ``mkl_serv_intel_cpu_true`` keeps its answer (-1: not asked yet), if the code is as expected."""
    check = getattr(mkl, "mkl_serv_intel_cpu_true", None)
    address = ctypes.cast(check, ctypes.c_void_p).value if check is not None else None
    if not address:
        return None
    code = ctypes.string_at(address, 8)
    if code[:2] != _MOV_EAX_RIP or code[6:8] != _TEST_EAX:
        return None
    return ctypes.c_int.from_address(address + 6 + int.from_bytes(code[2:6], "little", signed=True))


def pin_intel_branch() -> None:
    """Let MKL take ``MKL_CBWR``'s branch on this CPU whatever its vendor (idempotent; see the module docstring)."""
    with _lock:
        mkl = _mkl()
        if mkl is None or not AVX2_BRANCH_FLAGS <= _cpu_flags():
            return
        cache = _intel_check_cache(mkl)
        if cache is not None and cache.value < 0:  # MKL has not looked yet: answer for it
            cache.value = 1


def branch() -> str:
    """The branch MKL runs in this process ("AVX2" once pinned); asking fixes it, so pin first."""
    mkl = _mkl()
    get = getattr(mkl, "mkl_serv_cbwr_get", None) if mkl is not None else None
    if get is None:
        return "unknown"
    get.restype, get.argtypes = ctypes.c_int, [ctypes.c_int]
    code = int(get(1))  # MKL_CBWR_BRANCH
    return BRANCHES.get(code, str(code))


class _PinAfterTorchImport(importlib.abc.MetaPathFinder):
    """Finds torch as usual, and pins MKL's branch as soon as torch's module has run."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != "torch":
            return None
        sys.meta_path.remove(self)  # once, and not for the lookup below
        spec = importlib.util.find_spec(fullname)
        loader = spec.loader if spec is not None else None
        if loader is not None:
            run_module = loader.exec_module

            def run_then_pin(module: ModuleType) -> None:
                run_module(module)
                pin_intel_branch()

            loader.exec_module = run_then_pin  # type: ignore[method-assign]
        return spec


def pin_when_torch_loads() -> None:
    """Pin MKL's branch now if torch is loaded, else right after its import (before anything can multiply)."""
    if "torch" in sys.modules:
        pin_intel_branch()
    elif not any(isinstance(finder, _PinAfterTorchImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PinAfterTorchImport())
