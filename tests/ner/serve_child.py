"""Child process of test_reproducibility: ``python serve_child.py MODEL_DIR TEXT...`` prints the served entities,
served by the int8 model and by the kept fp32 one (``CUSTOMNER_NER_PRECISION``).

Run natively and under valgrind (an emulated CPU without AVX-512) to compare ONNX Runtime's kernels across CPUs.
The fp32 model serves only the first texts: under valgrind its kernels run about 30 times slower than int8's
(7 s a short text), and int8 is the precision whose kernels differ most between CPUs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from numpy._core._multiarray_umath import __cpu_features__  # type: ignore[attr-defined]

from customner.ner import load

FP32_TEXTS = 3


def main(model_dir: Path, texts: list[str]) -> None:
    served = {}
    for precision, served_texts in (("auto", texts), ("fp32", texts[:FP32_TEXTS])):
        os.environ["CUSTOMNER_NER_PRECISION"] = precision
        predicted = load(model_dir).predict(served_texts)
        served[precision] = [[[e.start, e.end, e.category, round(e.confidence, 4)] for e in doc] for doc in predicted]
    sys.stdout.write(json.dumps({"avx512f": bool(__cpu_features__.get("AVX512F")), "predictions": served}) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
