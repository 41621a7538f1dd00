"""azure-ai-textanalytics-authoring 1.0.0b1: the whole authoring life cycle of one project.

Reads a JSON spec on stdin: {"project", "project_file", "model", "config_version", "api_version"};
prints one JSON object with a key per step ({"ok": ...} or {"error": ...}). Steps run in order and
later steps are skipped once one fails, so the first failure is the one reported.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from _common import emit, endpoint, error_info, key


def as_data(value: Any) -> Any:
    """SDK models are MutableMappings; lists of them come from pagers."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, dict):
        return {k: as_data(v) for k, v in value.items()}
    return [as_data(v) for v in value]


def main() -> None:
    from azure.ai.textanalytics.authoring import TextAuthoringClient, TextAuthoringProjectClient
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ResourceNotFoundError

    spec = json.load(sys.stdin)
    name, model = spec["project"], spec["model"]
    credential = AzureKeyCredential(key())
    versioned = {"api_version": spec["api_version"]} if spec.get("api_version") else {}
    client = TextAuthoringClient(endpoint(), credential, **versioned)
    # get_project_client() drops api_version (SDK quirk): its calls go out as the SDK default.
    quirky = client.get_project_client(name)
    project = TextAuthoringProjectClient(endpoint(), credential, project_name=name, **versioned)
    out: dict[str, Any] = {}
    failed = False

    def step(label: str, run: Any) -> None:
        nonlocal failed
        if failed:
            out[label] = {"skipped": True}
            return
        try:
            out[label] = {"ok": as_data(run())}
        except Exception as error:  # noqa: BLE001 - reported to the test as data
            out[label] = {"error": error_info(error)}
            failed = True

    metadata = spec["project_file"]["metadata"]
    step("create_project", lambda: client.create_project(project_name=name, body={
        "projectKind": "CustomEntityRecognition", "storageInputContainerName": metadata["storageInputContainerName"],
        "projectName": name, "language": metadata["language"], "multilingual": False, "description": "sdk test"}))
    step("get_project", lambda: client.get_project(project_name=name))
    step("list_projects", lambda: [p["projectName"] for p in client.list_projects()])
    step("begin_import", lambda: quirky.project.begin_import(body=spec["project_file"], polling_interval=0).result())
    step("begin_train", lambda: project.project.begin_train(body={
        "modelLabel": model, "trainingConfigVersion": spec["config_version"],
        "evaluationOptions": {"kind": "percentage", "trainingSplitPercentage": 80, "testingSplitPercentage": 20}},
        polling_interval=1).result())
    step("list_training_jobs", lambda: list(project.project.list_training_jobs()))
    step("list_trained_models", lambda: list(project.project.list_trained_models()))
    step("get_trained_model", lambda: project.trained_model.get_trained_model(model))
    step("evaluation_summary", lambda: project.trained_model.get_model_evaluation_summary(model))
    step("evaluation_results", lambda: list(project.trained_model.list_model_evaluation_results(
        model, string_index_type="Utf16CodeUnit")))
    for deployment in ("production", "staging"):
        step(f"deploy_{deployment}", lambda d=deployment: project.deployment.begin_deploy_project(
            d, body={"trainedModelLabel": model}, polling_interval=0).result())
    step("get_deployment", lambda: project.deployment.get_deployment("production"))
    step("list_deployments", lambda: list(project.project.list_deployments()))
    step("swap", lambda: project.project.begin_swap_deployments(
        body={"firstDeploymentName": "production", "secondDeploymentName": "staging"}, polling_interval=0).result())
    step("delete_deployment", lambda: project.deployment.begin_delete_deployment("staging", polling_interval=0).result())
    step("export", lambda: project.project.begin_export(string_index_type="Utf16CodeUnit", polling_interval=0).result())
    # Azure's own SDK test sends this spelling, and Azure answers 200.
    step("evaluation_results_upper", lambda: list(project.trained_model.list_model_evaluation_results(
        model, string_index_type="UTF16CodeUnit")))
    step("export_upper", lambda: project.project.begin_export(string_index_type="UTF16CodeUnit",
                                                              polling_interval=0).result())
    if not spec.get("api_version"):  # the preview-only operations, on the SDK default 2025-05-15-preview
        step("evaluate_model", lambda: project.trained_model.begin_evaluate_model(model, body={
            "kind": "percentage", "trainingSplitPercentage": 60, "testingSplitPercentage": 40},
            polling_interval=0).result())
        step("prebuilt_entities", lambda: list(client.list_supported_prebuilt_entities()))
        step("assigned_deployments", lambda: list(client.list_assigned_resource_deployments()))
        copy_name = f"{name}-copy"
        copy_target = TextAuthoringProjectClient(endpoint(), credential, project_name=copy_name)
        grant: dict[str, Any] = {}
        step("authorize_copy", lambda: grant.update(as_data(copy_target.project.copy_project_authorization(
            project_kind="CustomEntityRecognition", allow_overwrite=True))) or grant)
        step("copy_project", lambda: project.project.begin_copy_project(body=grant, polling_interval=0).result())
        step("copied_models", lambda: [m["label"] for m in copy_target.project.list_trained_models()])
        step("delete_copy", lambda: client.begin_delete_project(copy_name, polling_interval=0).result())
    step("languages", lambda: list(client.list_supported_languages(project_kind="CustomEntityRecognition")))
    step("training_config_versions", lambda: list(client.list_training_config_versions(
        project_kind="CustomEntityRecognition")))
    step("delete_trained_model", lambda: project.trained_model.delete_trained_model(model))
    step("delete_project", lambda: client.begin_delete_project(name, polling_interval=0).result())

    def gone() -> str:
        try:
            client.get_project(project_name=name)
        except ResourceNotFoundError as error:
            return f"{error.error.code if error.error else ''}: {error.message}"
        return "still there"

    step("get_after_delete", gone)
    emit(out)


if __name__ == "__main__":
    main()
