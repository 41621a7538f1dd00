"""The same code on a non-local blob store: every text, model and export in fsspec's memory filesystem."""

from __future__ import annotations

from pathlib import Path

import fsspec

from tests.conftest import demo_project_file
from tests.server import AUTHORING, VERSION, run_server


def test_lifecycle_with_blobs_in_an_object_store(tmp_path: Path) -> None:
    with run_server(tmp_path, blob_url="memory://customner-object-store") as server:
        client = server.client
        response = client.post(f"{AUTHORING}/remote/:import", params=VERSION, json=demo_project_file())
        assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        response = client.post(f"{AUTHORING}/remote/:train", params=VERSION, json={
            "modelLabel": "m", "trainingConfigVersion": "2024-06-01", "evaluationOptions": {"kind": "manual"}})
        assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        response = client.put(f"{AUTHORING}/remote/deployments/prod", params=VERSION, json={"trainedModelLabel": "m"})
        assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        response = client.post("/language/analyze-text/jobs", params={"api-version": "2023-04-01"}, json={
            "analysisInput": {"documents": [{"id": "1", "text": "Book a table at Chez Marie in Lisbon on Friday."}]},
            "tasks": [{"kind": "CustomEntityRecognition", "parameters": {"projectName": "remote", "deploymentName": "prod"}}]})
        job = server.wait_job(response.headers["operation-location"])
        entities = job["tasks"]["items"][0]["results"]["documents"][0]["entities"]
        assert ("Lisbon", "city") in {(e["text"], e["category"]) for e in entities}

    memory = fsspec.filesystem("memory")
    assert memory.exists("/customner-object-store/storage/demo/demo_001.txt")
    assert memory.ls("/customner-object-store/models/remote")
    assert not (tmp_path / "storage").exists() and not (tmp_path / "models").exists()
