"""Durable jobs: after a hard crash no job is left running forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import demo_project_file
from tests.server import API_KEY, AUTHORING, VERSION, free_port

HEADERS = {"Ocp-Apim-Subscription-Key": API_KEY}


@contextmanager
def serve_process(data_dir: Path) -> Iterator[str]:
    """``customner serve`` as its own process, as a user runs it."""
    port = free_port()
    env = dict(os.environ, CUSTOMNER_API_KEY=API_KEY)
    log = data_dir / "server.log"
    with open(log, "ab") as output:
        process = subprocess.Popen([sys.executable, "-m", "customner", "serve", "--port", str(port), "--data-dir", str(data_dir)],
                                   env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"customner serve did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


def poll(url: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = httpx.get(url, headers=HEADERS).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise TimeoutError(url)


def test_training_interrupted_by_a_crash_is_marked_failed(tmp_path: Path) -> None:
    with serve_process(tmp_path) as url:
        response = httpx.post(f"{url}{AUTHORING}/MyProject/:import", params=VERSION, headers=HEADERS, json=demo_project_file())
        assert poll(response.headers["operation-location"])["status"] == "succeeded"
        response = httpx.post(f"{url}{AUTHORING}/MyProject/:train", params=VERSION, headers=HEADERS,
                              json={"modelLabel": "m", "trainingConfigVersion": "latest"})
        location = response.headers["operation-location"]
        for _ in range(600):
            if httpx.get(location, headers=HEADERS).json()["status"] == "running":
                break
            time.sleep(0.1)
        # leaving the block kills the process with SIGKILL while it trains
    with serve_process(tmp_path) as url:
        job = poll(location.replace(location.split("/language")[0], url))
        assert job["status"] == "failed"
        assert "restarted" in job["errors"][0]["message"]
        # and the project still trains after the crash
        response = httpx.post(f"{url}{AUTHORING}/MyProject/:train", params=VERSION, headers=HEADERS,
                              json={"modelLabel": "m", "trainingConfigVersion": "2024-06-01"})
        assert response.status_code == 202, response.text
        assert poll(response.headers["operation-location"], timeout=300)["status"] == "succeeded"
