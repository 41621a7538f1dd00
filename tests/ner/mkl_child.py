"""Child process of test_reproducibility: ``python mkl_child.py`` prints the digest of a few training-like products.

A linear layer's forward and backward pass and a batched attention product (MKL's SGEMM and SGEMM_BATCH, the calls a
training makes), inside ``pinned_torch`` as a training runs them but after a first product outside it, with the
branch MKL took and the CPU vendor the process was shown (``CPUID_OTHER_VENDOR``, set by cpuid_other_vendor.c when it is preloaded).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

import customner.ner  # noqa: F401  (the process defaults, before torch)
from customner.ner import mkl_vendor
from customner.ner.threads import pinned_torch


def main() -> None:
    import torch

    torch.ones(2, 2) @ torch.ones(2, 2)  # MKL settles its branch at its first product, even outside a training
    with pinned_torch(2, 0):
        layer = torch.nn.Linear(384, 1536)
        x = torch.randn(4, 37, 384, requires_grad=True)
        y = torch.nn.functional.gelu(layer(x))
        (y * y).mean().backward()
        scores = torch.randn(4, 12, 37, 32) @ torch.randn(4, 12, 32, 37)
        digest = hashlib.sha256()
        for t in (y, x.grad, layer.weight.grad, scores):
            digest.update(t.detach().numpy().tobytes())
    sys.stdout.write(json.dumps({"digest": digest.hexdigest()[:16], "mkl_branch": mkl_vendor.branch(),
                                 "vendor": os.environ.get("CPUID_OTHER_VENDOR", "native")}) + "\n")


if __name__ == "__main__":
    main()
