"""``customner projects|models|deployments|jobs`` against a real server, as a user or a script would call them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import import_project, small_project_file, train
from tests.server import API_KEY, AUTHORING, RunningServer

PROJECT = "CliManage"
V = {"api-version": "2023-04-01"}


def run(server: RunningServer | None, *args: str, cwd: Path | None = None, stdin: str = "",
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    variables = dict(os.environ, COLUMNS="250", **(env or {}))
    if server is not None:
        variables.update(CUSTOMNER_ENDPOINT=server.url, CUSTOMNER_API_KEY=API_KEY)
    return subprocess.run([sys.executable, "-m", "customner", *args], env=variables, capture_output=True, text=True,
                          input=stdin, timeout=600, cwd=cwd)


def ok(server: RunningServer, *args: str) -> str:
    process = run(server, *args)
    assert process.returncode == 0, process.stdout + process.stderr
    return process.stdout


def as_json(server: RunningServer, *args: str) -> Any:
    return json.loads(ok(server, *args, "--json"))


def deploy(server: RunningServer, deployment: str, model: str) -> None:
    response = server.client.put(f"{AUTHORING}/{PROJECT}/deployments/{deployment}", params=V,
                                 json={"trainedModelLabel": model})
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"


@pytest.fixture(scope="module")
def project(server: RunningServer) -> str:
    """CliManage: two CRF models, m1 deployed to prod and m2 to staging."""
    assert import_project(server, small_project_file(PROJECT, documents=30), PROJECT)["status"] == "succeeded"
    for model in ("m1", "m2"):
        assert train(server, PROJECT, model)["status"] == "succeeded"
    deploy(server, "prod", "m1")
    deploy(server, "staging", "m2")
    return PROJECT


def test_projects_list_and_show(server: RunningServer, project: str) -> None:
    assert project in ok(server, "projects", "list")
    assert project in ok(server, "projects")  # no subcommand: the list, as before
    listed = as_json(server, "projects", "list")
    (entry,) = [p for p in listed if p["projectName"] == project]
    assert entry["language"] == "en-us" and entry["lastTrainedDateTime"]
    shown = ok(server, "projects", "show", project)
    assert "m1, m2" in shown and "prod" in shown and "staging" in shown and "en-us" in shown
    details = as_json(server, "projects", "show", project)
    assert sorted(m["label"] for m in details["models"]) == ["m1", "m2"]
    assert sorted(d["deploymentName"] for d in details["deployments"]) == ["prod", "staging"]


def test_models_list(server: RunningServer, project: str) -> None:
    table = ok(server, "models", "list", project)
    assert "m1" in table and "m2" in table and "2024-06-01" in table
    summary = server.client.get(f"{AUTHORING}/{project}/models/m1/evaluation/summary-result", params=V).json()
    assert f"{summary['customEntityRecognitionEvaluation']['microF1']:.3f}" in table
    assert [m["label"] for m in as_json(server, "models", "list", project)] == ["m1", "m2"]


def test_deployments_list_and_swap(server: RunningServer, project: str) -> None:
    ids = {m["label"]: m["modelId"] for m in as_json(server, "models", "list", project)}
    before = {d["deploymentName"]: d["modelId"] for d in as_json(server, "deployments", "list", project)}
    assert before == {"prod": ids["m1"], "staging": ids["m2"]}
    table = ok(server, "deployments", "list", project)
    assert any("prod" in line and "m1" in line for line in table.splitlines())
    assert "Swapped" in ok(server, "deployments", "swap", project, "prod", "staging")
    after = {d["deploymentName"]: d["modelId"] for d in as_json(server, "deployments", "list", project)}
    assert after == {"prod": ids["m2"], "staging": ids["m1"]}


def test_jobs_list_show_and_cancel(server: RunningServer, project: str) -> None:
    jobs = as_json(server, "jobs", "list", project)
    assert [(j["result"]["modelLabel"], j["status"]) for j in jobs] == [("m1", "succeeded"), ("m2", "succeeded")]
    assert jobs[0]["jobId"] in ok(server, "jobs", "list", project)
    shown = ok(server, "jobs", "show", project, jobs[0]["jobId"])
    assert "succeeded" in shown and "m1" in shown
    assert as_json(server, "jobs", "show", project, jobs[0]["jobId"]) == jobs[0]
    finished = run(server, "jobs", "cancel", project, jobs[0]["jobId"])
    assert finished.returncode == 1 and "InvalidRequest" in finished.stdout and "Traceback" not in finished.stderr
    # A real running job: the transformer recipe takes minutes, the cancel stops it.
    response = server.client.post(f"{AUTHORING}/{project}/:train", params=V,
                                  json={"modelLabel": "slow", "trainingConfigVersion": "latest"})
    job_id = response.headers["operation-location"].split("?")[0].rsplit("/", 1)[1]
    assert f"Training job {job_id} ended cancelled" in ok(server, "jobs", "cancel", project, job_id)


def test_analyze_says_when_nothing_was_found(server: RunningServer, project: str) -> None:
    deploy(server, "quiet", "m2")
    output = ok(server, "analyze", project, "quiet", "...")
    assert output.strip() == "No entities found."


def test_deletes_ask_first_and_then_delete(server: RunningServer, project: str) -> None:
    refused = run(server, "deployments", "delete", project, "staging", stdin="n\n")
    assert refused.returncode == 1 and "Nothing deleted." in refused.stdout
    assert "Deleted deployment staging" in ok(server, "deployments", "delete", project, "staging", "--yes")
    assert "staging" not in [d["deploymentName"] for d in as_json(server, "deployments", "list", project)]
    assert "Deleted model m1" in ok(server, "models", "delete", project, "m1", "-y")
    assert [m["label"] for m in as_json(server, "models", "list", project)] == ["m2"]
    assert "Deleted project CliManage" in ok(server, "projects", "delete", project, "--yes")
    assert project not in [p["projectName"] for p in as_json(server, "projects", "list")]
    missing = run(server, "projects", "show", project)
    assert missing.returncode == 1 and "ProjectNotFound" in missing.stdout


def test_endpoint_and_key_flags_and_a_missing_key(server: RunningServer, tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMNER_")}
    flags = subprocess.run([sys.executable, "-m", "customner", "projects", "list", "--json", "--endpoint", server.url,
                            "--key", API_KEY], env=clean, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert flags.returncode == 0, flags.stderr
    assert isinstance(json.loads(flags.stdout), list)
    no_key = subprocess.run([sys.executable, "-m", "customner", "projects", "list", "--endpoint", server.url],
                            env=dict(clean, COLUMNS="250", PYTHONPATH=os.environ.get("PYTHONPATH", "")),
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert no_key.returncode == 1 and "Traceback" not in no_key.stderr
    message = " ".join(no_key.stdout.split())
    assert f"Looked for the key file at {tmp_path / 'customner-data' / 'api-key'}" in message
    assert "relative to the current folder" in message
