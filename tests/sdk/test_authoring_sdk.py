"""azure-ai-textanalytics-authoring 1.0.0b1 drives the whole authoring life cycle of a fresh project.

Document texts go into a storage container over ``/storage`` first (Azure keeps them in blob storage),
so the import body is a plain Azure project file with no inline text.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import demo_project_file
from tests.sdk.runner import ok, run_driver
from tests.server import RunningServer

CONTAINER = "sdk-authoring"
MODEL = "sdk-model"


def project_file(server: RunningServer, name: str) -> dict[str, Any]:
    """The demo project renamed, its texts uploaded to CONTAINER and removed from the file."""
    data = copy.deepcopy(demo_project_file())
    data["metadata"].update(projectName=name, storageInputContainerName=CONTAINER)
    for document in data["assets"]["documents"]:
        response = server.client.put(f"/storage/{CONTAINER}/{document['location']}",
                                     content=document.pop("text").encode("utf-8"))
        assert response.status_code in (200, 201), response.text
    return data


@pytest.fixture(scope="module", params=["2023-04-01", "2022-05-01", None], ids=["2023-04-01", "2022-05-01", "sdk-default"])
def authoring_run(request: pytest.FixtureRequest, server: RunningServer) -> dict[str, Any]:
    """One full life cycle per api-version (None: the SDK default, 2025-05-15-preview).

    Import always goes out as 2025-05-15-preview (get_project_client() drops api_version), which also avoids
    the client-side ValueError begin_import raises on 2022-05-01.
    """
    name = f"SdkProject-{request.param or 'default'}"
    spec = {"project": name, "project_file": project_file(server, name), "model": MODEL,
            "config_version": "2024-06-01", "api_version": request.param}
    result = run_driver("sdk6", "sdk6_authoring.py", server, stdin=spec, timeout=900)
    result["name"], result["version"] = name, request.param
    return result


def test_create_get_and_list_project(authoring_run: dict[str, Any]) -> None:
    name = authoring_run["name"]
    created = ok(authoring_run["create_project"])
    assert created["projectName"] == name and created["projectKind"] == "CustomEntityRecognition"
    assert created["storageInputContainerName"] == CONTAINER
    assert ok(authoring_run["get_project"])["language"] == "en-us"
    assert name in ok(authoring_run["list_projects"])


def test_import_then_train_with_a_fast_config(authoring_run: dict[str, Any]) -> None:
    assert ok(authoring_run["begin_import"]) is None
    result = ok(authoring_run["begin_train"])
    assert result["modelLabel"] == MODEL and result["trainingConfigVersion"] == "2024-06-01"
    assert result["trainingStatus"]["status"] == "succeeded" and result["trainingStatus"]["percentComplete"] == 100
    assert result["evaluationStatus"]["status"] == "succeeded"
    jobs = ok(authoring_run["list_training_jobs"])
    assert [job["status"] for job in jobs] == ["succeeded"]


def test_models_and_evaluation(authoring_run: dict[str, Any]) -> None:
    (listed,) = ok(authoring_run["list_trained_models"])
    model = ok(authoring_run["get_trained_model"])
    assert listed == model
    assert model["label"] == MODEL and model["modelTrainingConfigVersion"] == "2024-06-01"
    assert model.get("hasSnapshot") is (None if authoring_run["version"] == "2022-05-01" else True)
    summary = ok(authoring_run["evaluation_summary"])
    assert summary["projectKind"] == "CustomEntityRecognition"
    assert summary["evaluationOptions"] == {"kind": "percentage", "trainingSplitPercentage": 80,
                                            "testingSplitPercentage": 20}
    evaluation = summary["customEntityRecognitionEvaluation"]
    assert set(evaluation["entities"]) == {"restaurant_name", "artist", "city", "date"}
    assert 0 <= evaluation["microF1"] <= 1
    results = ok(authoring_run["evaluation_results"])
    assert results and all(r["projectKind"] == "CustomEntityRecognition" for r in results)
    assert all(r["customEntityRecognitionResult"]["entities"] for r in results)


def test_deploy_swap_and_delete_deployment(authoring_run: dict[str, Any]) -> None:
    assert ok(authoring_run["deploy_production"]) is None
    assert ok(authoring_run["deploy_staging"]) is None
    deployment = ok(authoring_run["get_deployment"])
    assert deployment["deploymentName"] == "production" and deployment["modelTrainingConfigVersion"] == "2024-06-01"
    assert {d["deploymentName"] for d in ok(authoring_run["list_deployments"])} == {"production", "staging"}
    assert ok(authoring_run["swap"]) is None
    assert ok(authoring_run["delete_deployment"]) is None


def test_export_and_global_lists(authoring_run: dict[str, Any]) -> None:
    assert ok(authoring_run["export"]) is None
    languages = ok(authoring_run["languages"])
    assert {"languageName": "English", "languageCode": "en"} in languages
    versions = [v["trainingConfigVersion"] for v in ok(authoring_run["training_config_versions"])]
    assert "2024-06-01" in versions


def test_delete_model_and_project(authoring_run: dict[str, Any]) -> None:
    assert ok(authoring_run["delete_trained_model"]) is None
    assert ok(authoring_run["delete_project"]) is None
    assert ok(authoring_run["get_after_delete"]).startswith("ProjectNotFound")


def test_string_index_type_in_azure_sdk_test_spelling(authoring_run: dict[str, Any]) -> None:
    """``UTF16CodeUnit`` (as Azure's own authoring SDK test sends it) on evaluation results and export."""
    upper, exact = ok(authoring_run["evaluation_results_upper"]), ok(authoring_run["evaluation_results"])
    assert upper == exact and upper
    assert ok(authoring_run["export_upper"]) is None


def test_preview_operations_through_the_sdk(authoring_run: dict[str, Any]) -> None:
    if authoring_run["version"] is not None:
        pytest.skip("preview-only operations: checked on the SDK default, 2025-05-15-preview")
    result = ok(authoring_run["evaluate_model"])
    assert result["modelLabel"] == MODEL and result["percentComplete"] == 100
    assert result["evaluationOptions"] == {"kind": "percentage", "trainingSplitPercentage": 60, "testingSplitPercentage": 40}
    assert ok(authoring_run["prebuilt_entities"]) == []
    assigned = {entry["projectName"]: entry for entry in ok(authoring_run["assigned_deployments"])}
    assert authoring_run["name"] in assigned
    grant = ok(authoring_run["authorize_copy"])
    assert grant["targetProjectName"] == f"{authoring_run['name']}-copy" and grant["accessToken"]
    assert ok(authoring_run["copy_project"]) is None
    assert ok(authoring_run["copied_models"]) == [MODEL]
    assert ok(authoring_run["delete_copy"]) is None
