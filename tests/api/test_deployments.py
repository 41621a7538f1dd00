"""Deployments, swaps and their jobs (A19–A25), and the runtime seeing the result."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.api.conftest import SMALL_MODEL, assert_error, train
from tests.server import AUTHORING, RunningServer

V = {"api-version": "2023-04-01"}


def deploy(server: RunningServer, project: str, name: str, label: str = SMALL_MODEL) -> dict[str, Any]:
    response = server.client.put(f"{AUTHORING}/{project}/deployments/{name}", params=V, json={"trainedModelLabel": label})
    assert response.status_code == 202, response.text
    location = response.headers["operation-location"]
    assert urlsplit(location).path.startswith(f"{AUTHORING}/{project}/deployments/{name}/jobs/")
    assert parse_qs(urlsplit(location).query) == {"api-version": ["2023-04-01"]}
    return server.wait_job(location)


def delete(server: RunningServer, project: str, name: str) -> dict[str, Any]:
    response = server.client.delete(f"{AUTHORING}/{project}/deployments/{name}", params=V)
    assert response.status_code == 202, response.text
    return server.wait_job(response.headers["operation-location"])


def model_id(server: RunningServer, project: str, label: str) -> str:
    value: str = server.client.get(f"{AUTHORING}/{project}/models/{label}", params=V).json()["modelId"]
    return value


def test_deploy_get_list_and_delete(server: RunningServer, small_project: str) -> None:
    job = deploy(server, small_project, "api-prod")
    assert job["status"] == "succeeded" and job["errors"] == []
    deployment = server.client.get(f"{AUTHORING}/{small_project}/deployments/api-prod", params=V)
    assert deployment.status_code == 200
    body = deployment.json()
    assert set(body) == {"deploymentName", "modelId", "lastTrainedDateTime", "lastDeployedDateTime",
                         "deploymentExpirationDate", "modelTrainingConfigVersion"}
    assert body["deploymentName"] == "api-prod" and body["modelId"] == model_id(server, small_project, SMALL_MODEL)
    listed = server.client.get(f"{AUTHORING}/{small_project}/deployments", params=V).json()
    assert "api-prod" in [d["deploymentName"] for d in listed["value"]] and listed["nextLink"] is None
    assert delete(server, small_project, "api-prod")["status"] == "succeeded"
    assert_error(server.client.get(f"{AUTHORING}/{small_project}/deployments/api-prod", params=V), 404, "NotFound")


def test_deployment_errors(server: RunningServer, small_project: str) -> None:
    base = f"{AUTHORING}/{small_project}/deployments"
    assert_error(server.client.put(f"{base}/d1", params=V, json={"trainedModelLabel": "nope"}), 404, "NotFound")
    assert_error(server.client.put(f"{base}/bad name", params=V, json={"trainedModelLabel": SMALL_MODEL}),
                 400, "InvalidRequest", "InvalidParameterValue")
    assert_error(server.client.put(f"{base}/d1", params=V, json={}), 400, "InvalidRequest", "InvalidParameterValue")
    assert_error(server.client.put(f"{AUTHORING}/NoSuchProject/deployments/d1", params=V,
                                   json={"trainedModelLabel": SMALL_MODEL}), 404, "ProjectNotFound")
    assert_error(server.client.delete(f"{base}/never-deployed", params=V), 404, "NotFound")
    assert_error(server.client.get(f"{base}/d1/jobs/nope", params=V), 404, "NotFound")


def test_swap_exchanges_models_and_the_runtime_follows(server: RunningServer, small_project: str) -> None:
    assert train(server, small_project, "other-model")["status"] == "succeeded"
    assert deploy(server, small_project, "swap-a")["status"] == "succeeded"
    assert deploy(server, small_project, "swap-b", "other-model")["status"] == "succeeded"
    response = server.client.post(f"{AUTHORING}/{small_project}/deployments/:swap", params=V,
                                  json={"firstDeploymentName": "swap-a", "secondDeploymentName": "swap-b"})
    assert response.status_code == 202
    location = response.headers["operation-location"]
    assert urlsplit(location).path.startswith(f"{AUTHORING}/{small_project}/deployments/swap/jobs/")
    assert server.wait_job(location)["status"] == "succeeded"
    get = server.client.get
    assert get(f"{AUTHORING}/{small_project}/deployments/swap-a", params=V).json()["modelId"] == model_id(
        server, small_project, "other-model")
    assert get(f"{AUTHORING}/{small_project}/deployments/swap-b", params=V).json()["modelId"] == model_id(
        server, small_project, SMALL_MODEL)
    same = server.client.post(f"{AUTHORING}/{small_project}/deployments/:swap", params=V,
                              json={"firstDeploymentName": "swap-a", "secondDeploymentName": "swap-a"})
    assert_error(same, 400, "InvalidRequest", "InvalidParameterValue")
    missing = server.client.post(f"{AUTHORING}/{small_project}/deployments/:swap", params=V,
                                 json={"firstDeploymentName": "swap-a", "secondDeploymentName": "nope"})
    assert_error(missing, 404, "NotFound")
    # The runtime serves the deployment by name and fails the task once it is gone.
    job_body = {"analysisInput": {"documents": [{"id": "1", "text": "Dinner in Madrid on Friday."}]}, "tasks": [
        {"kind": "CustomEntityRecognition", "taskName": "t",
         "parameters": {"projectName": small_project, "deploymentName": "swap-a"}}]}
    submitted = server.client.post("/language/analyze-text/jobs", params=V, json=job_body)
    assert server.wait_job(submitted.headers["operation-location"])["status"] == "succeeded"
    assert delete(server, small_project, "swap-a")["status"] == "succeeded"
    submitted = server.client.post("/language/analyze-text/jobs", params=V, json=job_body)
    failed = server.wait_job(submitted.headers["operation-location"])
    assert failed["status"] == "failed" and failed["errors"][0]["target"] == "#/tasks/items/0"
    assert delete(server, small_project, "swap-b")["status"] == "succeeded"


def test_ten_deployments_per_project(server: RunningServer, small_project: str) -> None:
    existing = len(server.client.get(f"{AUTHORING}/{small_project}/deployments", params=V).json()["value"])
    names = [f"limit-{i}" for i in range(10 - existing)]
    for name in names:
        assert deploy(server, small_project, name)["status"] == "succeeded"
    response = server.client.put(f"{AUTHORING}/{small_project}/deployments/one-too-many", params=V,
                                 json={"trainedModelLabel": SMALL_MODEL})
    assert "10 deployments" in assert_error(response, 409, "QuotaExceeded")["message"]
    assert deploy(server, small_project, names[0])["status"] == "succeeded"  # redeploying a slot is fine
    for name in names:
        assert delete(server, small_project, name)["status"] == "succeeded"
