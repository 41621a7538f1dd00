#!/usr/bin/env bash
# Create the three Azure SDK venvs used by tests/sdk (idempotent: a venv whose
# marker file records the same pins is left alone). Only PyPI is needed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

make_venv() {
  local name="$1"; shift
  local dir="$ROOT/$name"
  local pins="$*"
  local marker="$dir/.sdk-pins"
  if [[ -x "$dir/bin/python" && -f "$marker" && "$(cat "$marker")" == "$pins" ]]; then
    echo "$name: up to date ($pins)"
    return 0
  fi
  echo "$name: creating with $pins"
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
  "$dir/bin/python" -c "import azure.ai.textanalytics"
  echo "$pins" > "$marker"
}

make_venv .venv-sdk52 "azure-ai-textanalytics==5.2.0b2" "azure-core==1.21.1" "msrest==0.6.21"
make_venv .venv-sdk54 "azure-ai-textanalytics==5.4.0"
make_venv .venv-sdk6 --pre "azure-ai-textanalytics-authoring==1.0.0b1"
