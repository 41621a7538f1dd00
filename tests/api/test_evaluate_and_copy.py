"""The 2023-04-15-preview operations: ``models/{label}/:evaluate`` with its job, and ``:authorize-copy`` / ``:copy``
of a project with its models between two real customner servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import assert_error, import_project, small_project_file, train
from tests.server import AUTHORING, RunningServer, run_server

PREVIEW = {"api-version": "2023-04-15-preview"}
GA = {"api-version": "2023-04-01"}
SEED = "Book a table for two at Chez Marie in Lisbon on Friday, and play Nina Simone."


def trained_project(server: RunningServer, name: str, label: str = "m1") -> str:
    assert import_project(server, small_project_file(name, documents=30), name)["status"] == "succeeded"
    assert train(server, name, label)["status"] == "succeeded"
    return name


@pytest.fixture(scope="module")
def evaluate_project(server: RunningServer) -> str:
    return trained_project(server, "EvaluateProject")


@pytest.fixture(scope="module")
def copy_source(server: RunningServer) -> str:
    return trained_project(server, "CopySource")


# ------------------------------------------------------------------ :evaluate

def test_evaluate_replaces_the_models_evaluation_with_a_new_split(server: RunningServer, evaluate_project: str) -> None:
    name = evaluate_project
    before = server.client.get(f"{AUTHORING}/{name}/models/m1/evaluation/summary-result", params=GA).json()
    assert before["evaluationOptions"] == {"kind": "manual"}
    response = server.client.post(f"{AUTHORING}/{name}/models/m1/:evaluate", params=PREVIEW, json={
        "kind": "percentage", "trainingSplitPercentage": 50, "testingSplitPercentage": 50})
    assert response.status_code == 202 and response.content == b"", response.text
    location = response.headers["operation-location"]
    assert urlsplit(location).path.startswith(f"{AUTHORING}/{name}/models/m1/evaluate/jobs/")
    assert parse_qs(urlsplit(location).query) == {"api-version": ["2023-04-15-preview"]}
    job = server.wait_job(location)
    assert job["status"] == "succeeded", job
    assert job["result"] == {"evaluationOptions": {"kind": "percentage", "trainingSplitPercentage": 50,
                                                   "testingSplitPercentage": 50},
                             "modelLabel": "m1", "trainingConfigVersion": "2024-06-01", "percentComplete": 100}
    # Half of the 30 documents are now the test set, and most of them were trained on: the job says so.
    (warning,) = job["warnings"]
    assert warning["code"] == "TestDocumentsSeenInTraining" and "of the 15 test documents" in warning["message"]
    after = server.client.get(f"{AUTHORING}/{name}/models/m1/evaluation/summary-result", params=GA).json()
    assert after["evaluationOptions"] == job["result"]["evaluationOptions"]
    assert after["customEntityRecognitionEvaluation"]["testDocumentCount"] == 15
    results = server.client.get(f"{AUTHORING}/{name}/models/m1/evaluation/result",
                                params=dict(GA, stringIndexType="Utf16CodeUnit")).json()
    assert len(results["value"]) == 15


def test_evaluate_refusals(server: RunningServer, evaluate_project: str) -> None:
    name = evaluate_project
    url = f"{AUTHORING}/{name}/models/m1/:evaluate"
    assert_error(server.client.post(url, params=GA, json={"kind": "manual"}), 404, "404", "UnsupportedApiVersion")
    assert_error(server.client.post(f"{AUTHORING}/{name}/models/nope/:evaluate", params=PREVIEW, json={}), 404, "NotFound")
    bad_split = server.client.post(url, params=PREVIEW, json={
        "kind": "percentage", "trainingSplitPercentage": 70, "testingSplitPercentage": 20})
    assert_error(bad_split, 400, "InvalidRequest")
    assert_error(server.client.get(f"{AUTHORING}/{name}/models/m1/evaluate/jobs/nope", params=PREVIEW), 404, "NotFound")


# ------------------------------------------------------------------ :authorize-copy and :copy

def target_dir(tmp_path: Path) -> Path:
    """The second server's own data folder (its own database, texts and models)."""
    folder = tmp_path / "target"
    folder.mkdir()
    return folder


def export(server: RunningServer, project: str) -> dict[str, Any]:
    response = server.client.post(f"{AUTHORING}/{project}/:export", params=dict(GA, stringIndexType="Utf16CodeUnit"))
    assert response.status_code == 202, response.text
    job = server.wait_job(response.headers["operation-location"])
    body: dict[str, Any] = server.client.get(job["resultUrl"]).json()
    return body


def analyze(server: RunningServer, project: str, deployment: str) -> list[tuple[str, str, float]]:
    response = server.client.put(f"{AUTHORING}/{project}/deployments/{deployment}", params=GA,
                                 json={"trainedModelLabel": "m1"})
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    response = server.client.post("/language/analyze-text/jobs", params=GA, json={
        "analysisInput": {"documents": [{"id": "1", "text": SEED}]},
        "tasks": [{"kind": "CustomEntityRecognition", "parameters": {"projectName": project, "deploymentName": deployment}}]})
    job = server.wait_job(response.headers["operation-location"])
    entities = job["tasks"]["items"][0]["results"]["documents"][0]["entities"]
    return [(e["text"], e["category"], e["confidenceScore"]) for e in entities]


def copy(source: RunningServer, project: str, details: dict[str, Any]) -> dict[str, Any]:
    response = source.client.post(f"{AUTHORING}/{project}/:copy", params=PREVIEW, json=details)
    assert response.status_code == 202, response.text
    location = response.headers["operation-location"]
    assert urlsplit(location).path.startswith(f"{AUTHORING}/{project}/copy/jobs/")
    return source.wait_job(location)


def test_copy_a_project_with_its_models_to_another_server(server: RunningServer, copy_source: str, tmp_path: Path) -> None:
    source_name = copy_source
    # A small general body limit: the copy (texts and model files) travels under the import limit instead.
    with run_server(target_dir(tmp_path), max_body_bytes=4096) as target:
        response = target.client.post(f"{AUTHORING}/CopyTarget/:authorize-copy", params=PREVIEW,
                                      json={"projectKind": "CustomEntityRecognition"})
        assert response.status_code == 200, response.text
        details = response.json()
        assert details["targetProjectName"] == "CopyTarget" and details["projectKind"] == "CustomEntityRecognition"
        assert details["targetResourceId"] == target.url and details["accessToken"]
        assert details["expiresAt"].endswith("Z") and details["targetResourceRegion"]

        job = copy(server, source_name, details)
        assert job["status"] == "succeeded", job

        copied, original = export(target, "CopyTarget"), export(server, source_name)
        assert copied["metadata"]["projectName"] == "CopyTarget"
        assert copied["assets"] == original["assets"]
        for field in ("language", "multilingual", "storageInputContainerName"):
            assert copied["metadata"][field] == original["metadata"][field]
        (model,) = target.client.get(f"{AUTHORING}/CopyTarget/models", params=GA).json()["value"]
        source_model = server.client.get(f"{AUTHORING}/{source_name}/models/m1", params=GA).json()
        assert model["label"] == "m1" and model["hasSnapshot"] is True
        assert model["lastTrainedDateTime"] == source_model["lastTrainedDateTime"]
        summaries = [s.client.get(f"{AUTHORING}/{p}/models/m1/evaluation/summary-result", params=GA).json()
                     for s, p in ((target, "CopyTarget"), (server, source_name))]
        assert summaries[0] == summaries[1]
        # The same model files: the same predictions, to the last digit of confidence.
        found = analyze(target, "CopyTarget", "prod")
        assert found and found == analyze(server, source_name, "prod")

        # The project now exists on the target, and the authorization did not allow overwriting.
        again = copy(server, source_name, details)
        assert again["status"] == "failed" and "does not allow overwriting" in again["errors"][0]["message"]
        refused = target.client.post(f"{AUTHORING}/CopyTarget/:authorize-copy", params=PREVIEW,
                                     json={"projectKind": "CustomEntityRecognition"})
        assert_error(refused, 409, "Conflict", "ProjectAlreadyExists")
        overwrite = target.client.post(f"{AUTHORING}/CopyTarget/:authorize-copy", params=PREVIEW,
                                       json={"projectKind": "CustomEntityRecognition", "allowOverwrite": True}).json()
        assert copy(server, source_name, overwrite)["status"] == "succeeded"
        assert [m["label"] for m in target.client.get(f"{AUTHORING}/CopyTarget/models", params=GA).json()["value"]] == ["m1"]


def test_copy_refusals(server: RunningServer, copy_source: str, tmp_path: Path) -> None:
    with run_server(target_dir(tmp_path)) as target:
        grant = target.client.post(f"{AUTHORING}/Elsewhere/:authorize-copy", params=PREVIEW,
                                   json={"projectKind": "CustomEntityRecognition"}).json()
        forged = copy(server, "CopySource", dict(grant, accessToken=grant["accessToken"] + "x"))
        assert forged["status"] == "failed" and "HTTP 401" in forged["errors"][0]["message"]
        wrong_project = copy(server, "CopySource", dict(grant, targetProjectName="Other"))
        assert wrong_project["status"] == "failed" and "issued for project 'Elsewhere'" in wrong_project["errors"][0]["message"]
        assert target.client.get(f"{AUTHORING}/Other", params=GA).status_code == 404
        # The receiving end wants the token, not a key; without it, nothing is read.
        bare = target.client.post(f"{AUTHORING}/Elsewhere/:receive-copy", params=PREVIEW, content=b"not an archive",
                                  headers={"Ocp-Apim-Subscription-Key": ""})
        assert_error(bare, 401, "401")
        garbage = target.client.post(f"{AUTHORING}/Elsewhere/:receive-copy", params=PREVIEW, content=b"not an archive",
                                     headers={"customner-copy-token": grant["accessToken"]})
        assert "unreadable" in assert_error(garbage, 400, "InvalidRequest")["message"]
        assert target.client.get(f"{AUTHORING}/Elsewhere", params=GA).status_code == 404
    bad_kind = server.client.post(f"{AUTHORING}/X/:authorize-copy", params=PREVIEW, json={"projectKind": "Other"})
    assert_error(bad_kind, 400, "InvalidRequest", "InvalidParameterValue")
    not_a_url = server.client.post(f"{AUTHORING}/CopySource/:copy", params=PREVIEW, json=dict(grant, targetResourceId="/subscriptions/x"))
    assert_error(not_a_url, 400, "InvalidRequest", "InvalidParameterValue")
    assert_error(server.client.post(f"{AUTHORING}/CopySource/:copy", params=GA, json=grant), 404, "404", "UnsupportedApiVersion")
    assert_error(server.client.post(f"{AUTHORING}/NoSuch/:copy", params=PREVIEW, json=grant), 404, "ProjectNotFound")
