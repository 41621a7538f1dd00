"""A small authoring/runtime client over HTTP, for the CLI: the same API a user's scripts call."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from customner.jobs.status import TERMINAL

# The authoring API's project paths (the server's ``api.authoring.render.PREFIX``; a test keeps them equal). Not
# imported from there: that would load the whole server into every CLI command.
AUTHORING = "/language/authoring/analyze-text/projects"
API_VERSION = "2023-04-01"


class ApiError(Exception):
    """An error answer from the service, carrying Azure's error body."""


def resolve_key(key: str | None, data_dir: Path) -> str:
    if key:
        return key
    if os.environ.get("CUSTOMNER_API_KEY"):
        return os.environ["CUSTOMNER_API_KEY"]
    key_file = data_dir / "api-key"
    if key_file.exists():
        return key_file.read_text().strip()
    raise ApiError(f"No API key: pass --key, set CUSTOMNER_API_KEY, or point --data-dir (CUSTOMNER_DATA_DIR) at the "
                   f"server's data folder. Looked for the key file at {key_file.resolve()} (the data folder is "
                   "taken relative to the current folder, like `customner serve` does).")


class Client:
    def __init__(self, endpoint: str, key: str) -> None:
        self.http = httpx.Client(base_url=endpoint.rstrip("/"), timeout=300,
                                 headers={"Ocp-Apim-Subscription-Key": key})

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = {"api-version": API_VERSION, **kwargs.pop("params", {})}
        try:
            response = self.http.request(method, path, params=params, **kwargs)
        except httpx.ConnectError as error:
            raise ApiError(f"Cannot reach {self.http.base_url}: is `customner serve` running?") from error
        if response.status_code >= 400:
            raise ApiError(_describe(response))
        return response

    def wait(self, location: str, on_progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        """Poll an operation-location until the job ends; raise with the job's errors if it failed."""
        while True:
            job: dict[str, Any] = self.http.get(location).json()
            if on_progress is not None:
                on_progress(job)
            if job.get("status") in TERMINAL:
                if job["status"] != "succeeded":
                    details = "; ".join(str(e.get("message")) for e in job.get("errors", []))
                    raise ApiError(f"Job {job['status']}: {details}")
                return job
            time.sleep(0.5)

    def start(self, method: str, path: str, **kwargs: Any) -> str:
        return self.call(method, path, **kwargs).headers["operation-location"]


def _describe(response: httpx.Response) -> str:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}: {response.text[:500]}"
    inner = error.get("innererror") or {}
    detail = f" ({inner.get('code')}: {inner.get('message')})" if inner else ""
    return f"HTTP {response.status_code} {error.get('code')}: {error.get('message')}{detail}"
