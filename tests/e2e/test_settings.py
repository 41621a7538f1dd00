"""The API key: taken from CUSTOMNER_API_KEY, or generated once, stored and printed once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def start_and_stop(data_dir: Path, env: dict[str, str]) -> str:
    """Run `customner serve` briefly and return what it printed."""
    script = ("import sys, pathlib, uvicorn; from customner.cli import server; uvicorn.run = lambda *a, **k: None; "
              "server.serve(host='127.0.0.1', port=1, data_dir=pathlib.Path(sys.argv[1]), demo=False)")
    process = subprocess.run([sys.executable, "-c", script, str(data_dir)], env=env, capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr
    return process.stdout + process.stderr


def test_key_is_generated_once_and_printed_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CUSTOMNER_API_KEY"}
    first = start_and_stop(tmp_path, env)
    key = (tmp_path / "api-key").read_text().strip()
    assert len(key) == 32 and key in first
    assert (tmp_path / "api-key").stat().st_mode & 0o077 == 0
    second = start_and_stop(tmp_path, env)
    assert key not in second


def test_key_from_the_environment_is_not_stored(tmp_path: Path) -> None:
    output = start_and_stop(tmp_path, dict(os.environ, CUSTOMNER_API_KEY="mine"))
    assert not (tmp_path / "api-key").exists() and "Generated" not in output


def test_serve_creates_a_new_data_dir_when_the_key_comes_from_the_environment(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "nested"
    output = start_and_stop(data_dir, dict(os.environ, CUSTOMNER_API_KEY="mine"))
    assert (data_dir / "customner.db").exists() and "Traceback" not in output


def test_a_wrong_setting_stops_serve_with_its_variable_named_not_a_traceback(tmp_path: Path) -> None:
    env = dict(os.environ, CUSTOMNER_NER_PRECISION="fp16", CUSTOMNER_WORKERS="many")
    process = subprocess.run([sys.executable, "-m", "customner", "serve", "--data-dir", str(tmp_path), "--port", "1"],
                             env=env, capture_output=True, text=True, timeout=120)
    assert process.returncode == 2
    assert "Traceback" not in process.stderr and not (tmp_path / "customner.db").exists()
    assert "CUSTOMNER_NER_PRECISION" in process.stderr and "'auto' or 'fp32'" in process.stderr and "fp16" in process.stderr
    assert "CUSTOMNER_WORKERS" in process.stderr
