#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, then pytest (API, SDKs, ML, Studio in a real browser).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

# Browser tests need Debian's Chromium (never `playwright install`: it downloads a browser); the reproducibility
# tests need gdb and nm (binutils) to watch a training's MKL calls.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
command -v gdb >/dev/null || missing+=(gdb)
command -v nm >/dev/null || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing: run 'sudo apt-get install -y ${missing[*]}' for the Studio and reproducibility tests" >&2
  fi
fi
# mypy (--strict on the packages listed in pyproject's [tool.mypy] files) takes about 100 s of one core on a slow
# machine: it starts first, runs while the SDK venvs install (mostly waiting on pip) and beside pytest, whose workers
# often wait on servers and browsers; its verdict comes last.
mypy_log=$(mktemp)
"$VENV/bin/mypy" >"$mypy_log" 2>&1 &
mypy_pid=$!
# The official Azure SDKs, each in a venv of its own (their versions conflict).
if [ -f scripts/sdk_venvs.sh ]; then bash scripts/sdk_venvs.sh; fi

"$VENV/bin/ruff" check customner tests benchmarks scripts
# Compile our own modules once: where PYTHONDONTWRITEBYTECODE is set (as on the CI machines) every server, worker
# and CLI process the tests start would otherwise compile them again (about 1.5 s per server start on a slow CPU).
"$VENV/bin/python" -m compileall -q customner >/dev/null
# Two pytest workers (TEST_WORKERS=0: one process), each taking whole files so a module's fixtures are built once;
# every test makes its own databases, Redis numbers, ports and folders, so workers never share state. The demo
# deployment and the English fixture model are trained once per run, by the first worker to need them, and each
# worker serves its own copy (tests/conftest.py, tests/ner/conftest.py).
status=0
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -n "${TEST_WORKERS:-2}" --dist loadfile --durations=10 "$@" || status=$?
mypy_status=0
wait "$mypy_pid" || mypy_status=$?
cat "$mypy_log"
rm -f "$mypy_log"
[ "$status" -eq 0 ] && [ "$mypy_status" -eq 0 ]
