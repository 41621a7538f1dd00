"""Fixtures for the wire tests: a small CRF-trained project of their own, so the demo project stays untouched."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import demo_project_file
from tests.server import AUTHORING, VERSION, RunningServer

SMALL_PROJECT = "ApiSmallProject"
SMALL_MODEL = "small-model"
FAST_CONFIG = "2024-06-01"


def small_project_file(name: str = SMALL_PROJECT, documents: int = 30) -> dict[str, Any]:
    """The first demo documents (inline texts, a customner extension), renamed."""
    data = copy.deepcopy(demo_project_file())
    data["metadata"]["projectName"] = name
    data["metadata"]["storageInputContainerName"] = f"{name.lower()}-container"
    train = [d for d in data["assets"]["documents"] if d["dataset"] == "Train"][: documents - 6]
    test = [d for d in data["assets"]["documents"] if d["dataset"] == "Test"][:6]
    data["assets"]["documents"] = train + test
    return data


def import_project(server: RunningServer, body: dict[str, Any], name: str) -> dict[str, Any]:
    response = server.client.post(f"{AUTHORING}/{name}/:import", params=VERSION, json=body)
    assert response.status_code == 202, response.text
    return server.wait_job(response.headers["operation-location"])


def train(server: RunningServer, name: str, label: str, **extra: Any) -> dict[str, Any]:
    response = server.client.post(f"{AUTHORING}/{name}/:train", params=VERSION, json={
        "modelLabel": label, "trainingConfigVersion": FAST_CONFIG, "evaluationOptions": {"kind": "manual"}, **extra})
    assert response.status_code == 202, response.text
    return server.wait_job(response.headers["operation-location"])


@pytest.fixture(scope="session")
def small_project(server: RunningServer) -> str:
    """ApiSmallProject imported and trained once (feature CRF, manual split) as model ``small-model``."""
    assert import_project(server, small_project_file(), SMALL_PROJECT)["status"] == "succeeded"
    job = train(server, SMALL_PROJECT, SMALL_MODEL)
    assert job["status"] == "succeeded", job
    return SMALL_PROJECT


def assert_error(response: Any, status: int, code: str, inner_code: str | None = None) -> dict[str, Any]:
    """Azure's envelope with exactly this status and code (and inner code when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    if inner_code is not None:
        assert error["innererror"]["code"] == inner_code, error
    return error
