"""Training jobs, trained models and evaluation (A11–A18, A28) over real HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.api.conftest import FAST_CONFIG, SMALL_MODEL, assert_error, import_project, small_project_file, train
from tests.server import AUTHORING, RunningServer

V1 = {"api-version": "2022-05-01"}
V2 = {"api-version": "2023-04-01"}


def test_training_job_state_has_azure_shape(server: RunningServer, small_project: str) -> None:
    jobs = server.client.get(f"{AUTHORING}/{small_project}/train/jobs", params=V1).json()
    assert jobs["nextLink"] is None
    job = jobs["value"][0]
    assert set(job) >= {"jobId", "createdDateTime", "lastUpdatedDateTime", "expirationDateTime", "status", "result"}
    assert job["status"] == "succeeded"
    result = job["result"]
    assert result["modelLabel"] == SMALL_MODEL and result["trainingConfigVersion"] == FAST_CONFIG
    for phase in ("trainingStatus", "evaluationStatus"):
        assert result[phase]["status"] == "succeeded" and result[phase]["percentComplete"] == 100
        assert result[phase]["startDateTime"] <= result[phase]["endDateTime"]
    same = server.client.get(f"{AUTHORING}/{small_project}/train/jobs/{job['jobId']}", params=V1).json()
    assert same == job


def test_train_submission_errors(server: RunningServer, small_project: str) -> None:
    url = f"{AUTHORING}/{small_project}/:train"
    bad_config = server.client.post(url, params=V1, json={"modelLabel": "m", "trainingConfigVersion": "1999-01-01"})
    assert "1999-01-01" in assert_error(bad_config, 400, "InvalidRequest", "InvalidParameterValue")["message"]
    bad_label = server.client.post(url, params=V1, json={"modelLabel": "has space", "trainingConfigVersion": FAST_CONFIG})
    assert_error(bad_label, 400, "InvalidRequest", "InvalidParameterValue")
    bad_split = server.client.post(url, params=V1, json={
        "modelLabel": "m", "trainingConfigVersion": FAST_CONFIG,
        "evaluationOptions": {"kind": "percentage", "trainingSplitPercentage": 70, "testingSplitPercentage": 20}})
    assert_error(bad_split, 400, "InvalidRequest")
    missing = server.client.post(url, params=V1, json={"trainingConfigVersion": FAST_CONFIG})
    assert_error(missing, 400, "InvalidRequest", "InvalidParameterValue")
    unknown = server.client.post(f"{AUTHORING}/NoSuchProject/:train", params=V1,
                                 json={"modelLabel": "m", "trainingConfigVersion": FAST_CONFIG})
    assert_error(unknown, 404, "ProjectNotFound")


def test_one_training_job_per_project_and_cancel(server: RunningServer) -> None:
    name = "ApiTrainOnce"
    assert import_project(server, small_project_file(name, documents=66), name)["status"] == "succeeded"
    body = {"modelLabel": "first", "trainingConfigVersion": FAST_CONFIG}
    first = server.client.post(f"{AUTHORING}/{name}/:train", params=V2, json=body)
    assert first.status_code == 202
    location = first.headers["operation-location"]
    assert urlsplit(location).path.startswith(f"{AUTHORING}/{name}/train/jobs/")
    assert parse_qs(urlsplit(location).query) == {"api-version": ["2023-04-01"]}
    second = server.client.post(f"{AUTHORING}/{name}/:train", params=V2, json=dict(body, modelLabel="second"))
    assert "one training job runs per project" in assert_error(second, 409, "Conflict")["message"]
    job_id = urlsplit(location).path.rsplit("/", 1)[1]
    cancel = server.client.post(f"{AUTHORING}/{name}/train/jobs/{job_id}/:cancel", params=V2)
    assert cancel.status_code == 202 and cancel.headers["operation-location"] == location
    cancelled = server.wait_job(location)
    assert cancelled["status"] == "cancelled"
    for phase in ("trainingStatus", "evaluationStatus"):
        assert cancelled["result"][phase]["status"] not in ("notStarted", "running")
    assert server.client.get(f"{AUTHORING}/{name}/models/first", params=V2).status_code == 404
    again = server.client.post(f"{AUTHORING}/{name}/train/jobs/{job_id}/:cancel", params=V2)
    assert_error(again, 400, "InvalidRequest")
    assert_error(server.client.post(f"{AUTHORING}/{name}/train/jobs/nope/:cancel", params=V2), 404, "NotFound")
    assert_error(server.client.get(f"{AUTHORING}/{name}/train/jobs/nope", params=V2), 404, "NotFound")


def test_models_are_listed_fetched_and_versioned(server: RunningServer, small_project: str) -> None:
    listed = server.client.get(f"{AUTHORING}/{small_project}/models", params=V1).json()
    (model,) = [m for m in listed["value"] if m["label"] == SMALL_MODEL]
    assert set(model) == {"label", "modelId", "lastTrainedDateTime", "lastTrainingDurationInSeconds",
                          "modelExpirationDate", "modelTrainingConfigVersion"}
    assert model["modelTrainingConfigVersion"] == FAST_CONFIG and len(model["modelExpirationDate"]) == 10
    newer = server.client.get(f"{AUTHORING}/{small_project}/models/{SMALL_MODEL}", params=V2).json()
    assert newer == dict(model, hasSnapshot=True)
    assert_error(server.client.get(f"{AUTHORING}/{small_project}/models/nope", params=V1), 404, "NotFound")
    assert_error(server.client.delete(f"{AUTHORING}/{small_project}/models/nope", params=V1), 404, "NotFound")


def test_evaluation_summary_and_paged_results(server: RunningServer, small_project: str) -> None:
    base = f"{AUTHORING}/{small_project}/models/{SMALL_MODEL}/evaluation"
    summary = server.client.get(f"{base}/summary-result", params=V1).json()
    assert summary["projectKind"] == "CustomEntityRecognition"
    assert summary["evaluationOptions"] == {"kind": "manual"}
    evaluation = summary["customEntityRecognitionEvaluation"]
    for key in ("microF1", "microPrecision", "microRecall", "macroF1", "macroPrecision", "macroRecall"):
        assert 0 <= evaluation[key] <= 1
    for counts in evaluation["entities"].values():
        assert set(counts) >= {"f1", "precision", "recall", "truePositiveCount", "trueNegativeCount",
                               "falsePositiveCount", "falseNegativeCount"}
    for row in evaluation["confusionMatrix"].values():
        for cell in row.values():
            assert set(cell) == {"normalizedValue", "rawValue"}
    params = dict(V1, stringIndexType="Utf16CodeUnit", maxpagesize=2)
    first = server.client.get(f"{base}/result", params=params).json()
    assert len(first["value"]) == 2
    rest = server.client.get(first["nextLink"]).json()
    everything = first["value"] + rest["value"]
    while rest["nextLink"]:
        rest = server.client.get(rest["nextLink"]).json()
        everything += rest["value"]
    assert len(everything) == 6  # the manual test set of small_project_file
    for document in everything:
        assert document["projectKind"] == "CustomEntityRecognition" and document["language"] == "en-us"
        for region in document["customEntityRecognitionResult"]["entities"]:
            assert set(region) == {"regionOffset", "regionLength", "expectedEntities", "predictedEntities"}
    wrong_unit = server.client.get(f"{base}/result", params=dict(V1, stringIndexType="UnicodeCodePoint"))
    assert_error(wrong_unit, 400, "InvalidRequest", "InvalidParameterValue")


def test_load_snapshot_restores_the_trained_data(server: RunningServer, small_project: str) -> None:
    url = f"{AUTHORING}/{small_project}/models/{SMALL_MODEL}/:load-snapshot"
    response = server.client.post(url, params=V2)
    assert response.status_code == 202
    location = response.headers["operation-location"]
    assert urlsplit(location).path.startswith(f"{AUTHORING}/{small_project}/models/{SMALL_MODEL}/load-snapshot/jobs/")
    assert server.wait_job(location)["status"] == "succeeded"
    assert_error(server.client.post(f"{AUTHORING}/{small_project}/models/nope/:load-snapshot", params=V2), 404, "NotFound")
    assert_error(server.client.post(url, params=V1), 404, "404", "UnsupportedApiVersion")  # snapshots came with 2023-04-01


def test_ten_models_per_project(server: RunningServer) -> None:
    name = "ApiModelLimit"
    assert import_project(server, small_project_file(name, documents=12), name)["status"] == "succeeded"
    for index in range(10):
        assert train(server, name, f"m{index}")["status"] == "succeeded"
    response = server.client.post(f"{AUTHORING}/{name}/:train", params=V1,
                                  json={"modelLabel": "m10", "trainingConfigVersion": FAST_CONFIG})
    assert "10 trained models" in assert_error(response, 409, "QuotaExceeded")["message"]
    assert train(server, name, "m3")["status"] == "succeeded"  # retraining an existing label is allowed
    deleted = server.client.delete(f"{AUTHORING}/{name}/models/m0", params=V1)
    assert deleted.status_code == 204 and deleted.content == b""
    assert train(server, name, "m10")["status"] == "succeeded"
