"""Gaps found against Azure's REST specs and SDK recordings (issue 12, item 2), each pinned by a test.

Runtime GA 2025-11-01 with ``cancelAfter``; ``stringIndexType`` in any letter case; Azure's exact answer to
cancelling a finished job; no other job in a project while it trains; ``projects/global/...`` never read as a
project named "global".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import assert_error, import_project, small_project_file, train
from tests.server import AUTHORING, RunningServer

PROJECT = "GapsProject"
MODEL = "gaps-model"
DEPLOYMENT = "gaps-deployment"
JOBS = "/language/analyze-text/jobs"
V = {"api-version": "2023-04-01"}
PREVIEW = {"api-version": "2023-04-15-preview"}
SEED = "Book a table for two at Chez Marie in Lisbon on Friday, and play Nina Simone."


def deploy(server: RunningServer, name: str) -> dict[str, Any]:
    response = server.client.put(f"{AUTHORING}/{PROJECT}/deployments/{name}", params=V, json={"trainedModelLabel": MODEL})
    assert response.status_code == 202, response.text
    return server.wait_job(response.headers["operation-location"])


@pytest.fixture(scope="module")
def gaps_project(server: RunningServer) -> str:
    """GapsProject: 66 demo documents, a CRF model and two deployments."""
    assert import_project(server, small_project_file(PROJECT, documents=66), PROJECT)["status"] == "succeeded"
    assert train(server, PROJECT, MODEL)["status"] == "succeeded"
    for name in (DEPLOYMENT, "gaps-staging"):
        assert deploy(server, name)["status"] == "succeeded"
    return PROJECT


def job_body(count: int = 1, **extra: Any) -> dict[str, Any]:
    return {"analysisInput": {"documents": [{"id": str(i), "text": SEED, "language": "en"} for i in range(count)]},
            "tasks": [{"kind": "CustomEntityRecognition", "taskName": "ner",
                       "parameters": {"projectName": PROJECT, "deploymentName": DEPLOYMENT}}], **extra}


def submit(server: RunningServer, body: dict[str, Any], version: str) -> str:
    response = server.client.post(JOBS, params={"api-version": version}, json=body)
    assert response.status_code == 202, response.text
    location: str = response.headers["operation-location"]
    return location


# ------------------------------------------------------------------ runtime GA 2025-11-01

def test_runtime_2025_11_01_serves_custom_ner(server: RunningServer, gaps_project: str) -> None:
    location = submit(server, job_body(), "2025-11-01")
    assert parse_qs(urlsplit(location).query) == {"api-version": ["2025-11-01"]}
    job = server.wait_job(location)
    assert job["status"] == "succeeded", job
    (item,) = job["tasks"]["items"]
    assert item["kind"] == "CustomEntityRecognitionLROResults" and item["taskName"] == "ner"
    (document,) = item["results"]["documents"]
    assert {"Lisbon"} <= {entity["text"] for entity in document["entities"]}


def test_cancel_after_cancels_a_job_not_completed_in_time(server: RunningServer, gaps_project: str) -> None:
    """``cancelAfter: 0``: the deadline has passed before the first task, so the job ends cancelled."""
    job = server.wait_job(submit(server, job_body(cancelAfter=0), "2025-11-01"))
    assert job["status"] == "cancelled", job
    assert [item["status"] for item in job["tasks"]["items"]] == ["cancelled"]
    assert job["tasks"]["items"][0]["results"]["documents"] == []
    roomy = server.wait_job(submit(server, job_body(cancelAfter=3600), "2025-11-01"))
    assert roomy["status"] == "succeeded"


def test_cancel_after_is_ignored_before_2025_11_01_and_checked_on_it(server: RunningServer, gaps_project: str) -> None:
    job = server.wait_job(submit(server, job_body(cancelAfter=0), "2024-11-01"))
    assert job["status"] == "succeeded"
    negative = server.client.post(JOBS, params={"api-version": "2025-11-01"}, json=job_body(cancelAfter=-1))
    assert_error(negative, 400, "InvalidRequest")


def test_cancel_of_a_finished_job_answers_exactly_as_azure(server: RunningServer, gaps_project: str) -> None:
    location = submit(server, job_body(), "2023-04-01")
    assert server.wait_job(location)["status"] == "succeeded"
    job_id = urlsplit(location).path.rsplit("/", 1)[1]
    response = server.client.post(f"{JOBS}/{job_id}:cancel", params={"api-version": "2023-04-01"})
    assert response.status_code == 400
    assert response.json() == {"error": {
        "code": "InvalidRequest", "message": f"Failed to cancel job with job id {job_id} as its already completed."}}


# ------------------------------------------------------------------ stringIndexType letter case

@pytest.mark.parametrize("unit", ["UTF16CodeUnit", "utf16codeunit", "Utf16CodeUnit"])
def test_string_index_type_in_any_case_on_export_and_evaluation(server: RunningServer, gaps_project: str,
                                                                unit: str) -> None:
    results = server.client.get(f"{AUTHORING}/{PROJECT}/models/{MODEL}/evaluation/result",
                                params=dict(V, stringIndexType=unit))
    assert results.status_code == 200, results.text
    assert results.json()["value"]
    export = server.client.post(f"{AUTHORING}/{PROJECT}/:export", params=dict(V, stringIndexType=unit))
    assert export.status_code == 202, export.text
    assert server.wait_job(export.headers["operation-location"])["status"] == "succeeded"


def test_other_string_index_types_are_still_refused(server: RunningServer, gaps_project: str) -> None:
    response = server.client.get(f"{AUTHORING}/{PROJECT}/models/{MODEL}/evaluation/result",
                                 params=dict(V, stringIndexType="UnicodeCodePoint"))
    assert_error(response, 400, "InvalidRequest", "InvalidParameterValue")


# ------------------------------------------------------------------ nothing else while a project trains

@pytest.fixture
def training_running(server: RunningServer, gaps_project: str) -> Iterator[str]:
    """A training job (the transformer recipe: minutes) running in GapsProject; cancelled afterwards."""
    response = server.client.post(f"{AUTHORING}/{PROJECT}/:train", params=V,
                                  json={"modelLabel": "slow", "trainingConfigVersion": "latest"})
    assert response.status_code == 202, response.text
    location = response.headers["operation-location"]
    yield location
    job_id = urlsplit(location).path.rsplit("/", 1)[1]
    server.client.post(f"{AUTHORING}/{PROJECT}/train/jobs/{job_id}/:cancel", params=V)
    assert server.wait_job(location)["status"] in ("cancelled", "succeeded")


def test_no_other_job_starts_in_a_project_while_it_trains(server: RunningServer, training_running: str) -> None:
    project = f"{AUTHORING}/{PROJECT}"
    attempts = {
        "import": server.client.post(f"{project}/:import", params=V, json=small_project_file(PROJECT, documents=66)),
        "export": server.client.post(f"{project}/:export", params=dict(V, stringIndexType="Utf16CodeUnit")),
        "deploy": server.client.put(f"{project}/deployments/another", params=V, json={"trainedModelLabel": MODEL}),
        "swap": server.client.post(f"{project}/deployments/:swap", params=V, json={
            "firstDeploymentName": DEPLOYMENT, "secondDeploymentName": "gaps-staging"}),
        "delete deployment": server.client.delete(f"{project}/deployments/gaps-staging", params=V),
        "delete project": server.client.delete(project, params=V),
        "load snapshot": server.client.post(f"{project}/models/{MODEL}/:load-snapshot", params=V),
    }
    assert server.client.get(training_running).json()["status"] in ("notStarted", "running"), "training ended too soon"
    for name, response in attempts.items():
        error = assert_error(response, 409, "Conflict", "TrainingJobRunning")
        assert "no other job can start in a project while it trains" in error["message"], name
    # Other projects are not affected, and nothing was half-done here.
    assert server.client.get(f"{project}/deployments/gaps-staging", params=V).status_code == 200
    assert server.client.get(project, params=V).status_code == 200


# ------------------------------------------------------------------ projects/global/...

def test_global_deployments_resources_is_not_a_project(server: RunningServer, gaps_project: str) -> None:
    response = server.client.get(f"{AUTHORING}/global/deployments/resources", params=PREVIEW)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["nextLink"] is None
    (entry,) = [item for item in body["value"] if item["projectName"] == PROJECT]
    names = sorted(d["deploymentName"] for d in entry["deploymentsMetadata"])
    assert names == [DEPLOYMENT, "gaps-staging"]
    for deployment in entry["deploymentsMetadata"]:
        assert deployment["lastDeployedDateTime"].endswith("Z") and len(deployment["deploymentExpirationDate"]) == 10


def test_prebuilt_entities_is_an_honest_empty_list(server: RunningServer) -> None:
    response = server.client.get(f"{AUTHORING}/global/prebuilt-entities", params=PREVIEW)
    assert response.status_code == 200 and response.json() == {"value": [], "nextLink": None}
    older = server.client.get(f"{AUTHORING}/global/prebuilt-entities", params=V)
    assert_error(older, 404, "404", "UnsupportedApiVersion")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "global/nothing-here"), ("GET", "global/deployments"), ("POST", "global/:import"),
    ("GET", "global/models"), ("DELETE", "global/deployments/resources"), ("POST", "global/:train"),
])
def test_other_paths_under_global_are_404_not_a_project(server: RunningServer, method: str, path: str) -> None:
    response = server.client.request(method, f"{AUTHORING}/{path}", params=V, json={})
    error = assert_error(response, 404, "NotFound")
    assert "projects/global/" in error["message"]


def test_global_is_a_reserved_project_name(server: RunningServer) -> None:
    response = server.client.patch(f"{AUTHORING}/global", params=V, json={
        "projectKind": "CustomEntityRecognition", "storageInputContainerName": "global-texts", "projectName": "global",
        "language": "en"}, headers={"content-type": "application/merge-patch+json"})
    assert "reserved" in assert_error(response, 400, "InvalidRequest", "InvalidParameterValue")["innererror"]["message"]
    assert_error(server.client.get(f"{AUTHORING}/global", params=V), 404, "ProjectNotFound")

