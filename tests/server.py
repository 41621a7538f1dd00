"""Run the real service on a free local port for tests (uvicorn in a thread, real SQLite, real files)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from customner.app import create_app
from customner.context import AppContext
from customner.settings import Settings

API_KEY = "test-key-0123456789"
AUTHORING = "/language/authoring/analyze-text/projects"
VERSION = {"api-version": "2022-05-01"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    data_dir: Path
    client: httpx.Client
    context: AppContext

    def wait_job(self, operation_location: str, timeout: float = 600) -> dict[str, Any]:
        """Poll an operation-location until the job is terminal."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body: dict[str, Any] = self.client.get(operation_location).json()
            if body.get("status") in ("succeeded", "failed", "cancelled", "partiallyCompleted"):
                return body
            time.sleep(0.2)
        raise TimeoutError(operation_location)


@contextmanager
def run_server(data_dir: Path, **settings: Any) -> Iterator[RunningServer]:
    port = free_port()
    # Set CUSTOMNER_TEST_DATABASE_URL (e.g. postgresql+psycopg://…) to run a selection of tests on another database.
    settings.setdefault("database_url", os.environ.get("CUSTOMNER_TEST_DATABASE_URL"))
    app = create_app(Settings(data_dir=data_dir, api_key=API_KEY, **settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, headers={"Ocp-Apim-Subscription-Key": API_KEY}, timeout=120) as client:
        try:
            yield RunningServer(url=url, data_dir=data_dir, client=client, context=app.state.context)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
