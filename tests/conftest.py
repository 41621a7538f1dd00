"""Shared fixtures: one real server per session, with the demo project imported, trained and deployed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.server import AUTHORING, VERSION, RunningServer, run_server

DEMO_PROJECT = "MyProject"
DEMO_DEPLOYMENT = "MyDeploymentName"
DEMO_MODEL = "demo-model"


def demo_project_file() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("customner.demo").joinpath("project.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with run_server(Path(tmp_path_factory.mktemp("data"))) as running:
        yield running


@pytest.fixture(scope="session")
def deployed(server: RunningServer) -> RunningServer:
    """The demo project imported, trained (manual split) and deployed: the path every runtime test needs."""
    client = server.client
    response = client.post(f"{AUTHORING}/{DEMO_PROJECT}/:import", params=VERSION, json=demo_project_file())
    assert response.status_code == 202, response.text
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    response = client.post(f"{AUTHORING}/{DEMO_PROJECT}/:train", params=VERSION, json={
        "modelLabel": DEMO_MODEL, "trainingConfigVersion": "latest", "evaluationOptions": {"kind": "manual"}})
    assert response.status_code == 202, response.text
    job = server.wait_job(response.headers["operation-location"])
    assert job["status"] == "succeeded", job
    response = client.put(f"{AUTHORING}/{DEMO_PROJECT}/deployments/{DEMO_DEPLOYMENT}", params=VERSION,
                          json={"trainedModelLabel": DEMO_MODEL})
    assert response.status_code == 202, response.text
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    return server
