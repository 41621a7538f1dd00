#!/usr/bin/env bash
# The spaCy peer runs in a venv of its own (its numpy/thinc pins differ from ours).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/pip install --quiet "spacy==3.8.18"
.venv-bench/bin/python -c "import spacy; print('spaCy', spacy.__version__)"
