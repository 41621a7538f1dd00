"""Child process of test_reproducibility: ``python serve_child.py MODEL_DIR TEXT...`` prints the served entities.

Run natively and under valgrind (an emulated CPU without AVX-512) to compare ONNX Runtime's kernels across CPUs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from numpy._core._multiarray_umath import __cpu_features__  # type: ignore[attr-defined]

from customner.ner import load


def main(model_dir: Path, texts: list[str]) -> None:
    predicted = load(model_dir).predict(texts)
    rows = [[[e.start, e.end, e.category, round(e.confidence, 4)] for e in doc] for doc in predicted]
    sys.stdout.write(json.dumps({"avx512f": bool(__cpu_features__.get("AVX512F")), "predictions": rows}) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
