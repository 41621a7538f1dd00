#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, then pytest (API, SDKs, ML, Studio in a real browser).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

# Browser tests need Debian's Chromium (never `playwright install`: it downloads a browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium chromium-driver' for the Studio tests" >&2
  fi
fi
# The official Azure SDKs, each in a venv of its own (their versions conflict).
if [ -f scripts/sdk_venvs.sh ]; then bash scripts/sdk_venvs.sh; fi

"$VENV/bin/ruff" check customner tests benchmarks scripts
"$VENV/bin/mypy"  # --strict on the packages listed in pyproject's [tool.mypy] files
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
