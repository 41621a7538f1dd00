"""Does a training execute an instruction whose result depends on the CPU's vendor?

    .venv/bin/python -m benchmarks.approximate_instructions [--version 2027-01-17]   # needs objdump and gdb

IEEE arithmetic gives the same bits on every x86-64 CPU, except the approximate instructions (``rcpps``,
``rsqrtps`` and their AVX and AVX-512 forms), whose tables differ between Intel and AMD: MKL's vector square root
starts from ``rsqrtps``, and a training that used it could not give the same weights on both. This script finds
every function of torch's libraries that contains such an instruction (objdump), then trains the demo project (seed
0) under gdb with a breakpoint on each, and prints how often each was entered; torch's vector-math square root runs
first as a check that the breakpoints work. Expected: only the check's entries.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

LIBRARIES = ("libtorch_cpu.so", "libc10.so", "libgomp.so.1")
APPROXIMATE = re.compile(r"^\s*[0-9a-f]+:\s+v?(rcp|rsqrt)(14|28)?(ps|ss|ph|sh|pd|sd)\b")
FUNCTION = re.compile(r"^[0-9a-f]+ <(.+)>:$")
CHILD = """
import customner.ner, torch
torch.sqrt(torch.rand(4096))  # the check: MKL's vector square root
print("CHECK DONE", flush=True)
from benchmarks.contention import demo_documents
from customner.ner import train
from customner.ner.types import TrainingRequest
import tempfile, pathlib
docs, categories = demo_documents()
with tempfile.TemporaryDirectory() as out:
    train(TrainingRequest(docs, categories, "en-us", False, pathlib.Path(out), config_version=VERSION, seed=0))
print("TRAINING DONE", flush=True)
"""


def functions_with_approximations(library: Path) -> set[str]:
    found, current = set(), ""
    with subprocess.Popen(["objdump", "-d", "--no-show-raw-insn", str(library)], stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if (m := FUNCTION.match(line)) is not None:
                current = m.group(1)
            elif APPROXIMATE.match(line):
                found.add(current)
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", default="latest", help="training config version")
    version = ap.parse_args().version
    import torch

    lib = Path(torch.__file__).parent / "lib"
    names = sorted(set().union(*(functions_with_approximations(lib / name) for name in LIBRARIES)))
    print(f"{len(names)} functions with approximate instructions in {', '.join(LIBRARIES)}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "breakpoints.gdb"
        lines = ["set breakpoint pending on", "set pagination off"]
        for name in names:
            lines += [f"break {name}", "commands", "silent", f"echo ENTERED {name}\\n", "continue", "end"]
        script.write_text("\n".join([*lines, "run", ""]))
        child = f"VERSION = {version!r}\n{CHILD}"
        done = subprocess.run(["gdb", "-batch", "-x", str(script), "--args", sys.executable, "-c", child],
                              capture_output=True, text=True, cwd=Path(__file__).parents[1])
    phase, counts = "check", Counter()
    for line in done.stdout.splitlines():
        if line.startswith("CHECK DONE"):
            phase = "training"
        elif line.startswith("ENTERED "):
            counts[(phase, line.split()[1])] += 1
    assert "TRAINING DONE" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    print("| phase | function | entries |\n|---|---|---|")
    for (phase, name), n in sorted(counts.items()):
        print(f"| {phase} | {name} | {n} |")
    training = sum(n for (phase, _), n in counts.items() if phase == "training")
    print(f"Entries during the training: {training} (the check: {sum(counts.values()) - training})")


if __name__ == "__main__":
    main()
