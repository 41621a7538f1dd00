"""Shared fixtures: one real server per session, and one with the demo project imported, trained and deployed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

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


def deploy_demo(server: RunningServer) -> None:
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


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A stopped server's data folder holding the deployed demo. Built once per run: the first pytest-xdist worker
    to need it trains it in the run's common folder, the others wait and copy it (one training, not one a worker)."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    folder, ready = shared / "demo-data", shared / "demo-data.ready"
    with FileLock(str(shared / "demo-data.lock")):
        if not ready.exists():
            with run_server(folder) as server:
                deploy_demo(server)
            ready.touch()
    return folder


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory, demo_data: Path) -> Iterator[RunningServer]:
    """A server of its own on a copy of the demo's data: runtime tests share it, and nothing they do reaches
    another worker's copy."""
    data_dir = Path(tmp_path_factory.mktemp("deployed"))
    shutil.copytree(demo_data, data_dir, dirs_exist_ok=True)
    with run_server(data_dir) as running:
        yield running
