"""Child process of test_reproducibility: ``python serve_child.py MODEL_DIR TEXT...`` prints the served entities,
served by the int8 model and by the kept fp32 one (``CUSTOMNER_NER_PRECISION``).

Run natively and under valgrind (an emulated CPU without AVX-512) to compare ONNX Runtime's kernels across CPUs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from numpy._core._multiarray_umath import __cpu_features__  # type: ignore[attr-defined]

from customner.ner import load


def main(model_dir: Path, texts: list[str]) -> None:
    served = {}
    for precision in ("auto", "fp32"):
        os.environ["CUSTOMNER_NER_PRECISION"] = precision
        predicted = load(model_dir).predict(texts)
        served[precision] = [[[e.start, e.end, e.category, round(e.confidence, 4)] for e in doc] for doc in predicted]
    sys.stdout.write(json.dumps({"avx512f": bool(__cpu_features__.get("AVX512F")), "predictions": served}) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
