"""Run an SDK driver under its own venv's python against the session server and parse its JSON."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.server import API_KEY, RunningServer

ROOT = Path(__file__).resolve().parents[2]
DRIVERS = Path(__file__).resolve().parent / "drivers"
VENVS = {"sdk52": ".venv-sdk52", "sdk54": ".venv-sdk54", "sdk6": ".venv-sdk6"}


def sdk_python(flavor: str) -> Path:
    """The venv's python; skip (locally) or fail (in CI) when scripts/sdk_venvs.sh has not been run."""
    python = ROOT / VENVS[flavor] / "bin" / "python"
    if not python.exists() or not (ROOT / VENVS[flavor] / ".sdk-pins").exists():
        reason = f"{VENVS[flavor]} is missing: run scripts/sdk_venvs.sh to create the Azure SDK venvs"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return python


def run_driver(flavor: str, driver: str, server: RunningServer, *args: str, stdin: Any = None,
               timeout: float = 600) -> dict[str, Any]:
    python = sdk_python(flavor)
    env = {"PATH": os.environ.get("PATH", ""), "CUSTOMNER_URL": server.url, "CUSTOMNER_KEY": API_KEY,
           "PYTHONDONTWRITEBYTECODE": "1", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    completed = subprocess.run(
        [str(python), str(DRIVERS / driver), *args], input=None if stdin is None else json.dumps(stdin),
        capture_output=True, text=True, timeout=timeout, env=env, cwd=DRIVERS, check=False)
    assert completed.returncode == 0, f"{driver} exited {completed.returncode}:\n{completed.stderr[-4000:]}"
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{driver} printed no JSON:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def ok(step: dict[str, Any]) -> Any:
    """The value of a successful driver step; a readable failure with the SDK's traceback otherwise."""
    assert "error" not in step, f"{step['error']['type']}: {step['error']['message']}\n{step['error']['traceback']}"
    assert "skipped" not in step, "an earlier step failed"
    return step["ok"] if "ok" in step else step
