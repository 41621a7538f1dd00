"""The spine: import → train → deploy → analyze (v3.2-preview.2) → poll → entities, over real HTTP."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import DEMO_DEPLOYMENT, DEMO_MODEL, DEMO_PROJECT
from tests.server import AUTHORING, VERSION, RunningServer

ANALYZE = "/text/analytics/v3.2-preview.2/analyze"


def analyze_v32(server: RunningServer, documents: list[dict[str, str]], **parameters: Any) -> dict[str, Any]:
    body = {"displayName": "MyJobName", "analysisInput": {"documents": documents}, "tasks": {
        "customEntityRecognitionTasks": [{"parameters": {
            "project-name": DEMO_PROJECT, "deployment-name": DEMO_DEPLOYMENT, **parameters}}]}}
    response = server.client.post(ANALYZE, json=body)
    assert response.status_code == 202, response.text
    location = response.headers["operation-location"]
    assert location.startswith(server.url + ANALYZE + "/jobs/")
    return server.wait_job(location)


def test_seed_request_returns_entities_with_exact_offsets(deployed: RunningServer) -> None:
    text = "Book a table for two at Chez Marie in Lisbon on Friday, and play Nina Simone."
    job = analyze_v32(deployed, [{"id": "doc1", "text": text}], stringIndexType="TextElements_v8")
    assert job["status"] == "succeeded"
    task = job["tasks"]["customEntityRecognitionTasks"][0]
    assert job["tasks"]["tasks"]["customEntityRecognitionTasks"][0] == task  # the seed's nesting
    assert job["tasks"]["details"]["status"] == "succeeded"
    document = task["results"]["documents"][0]
    found = {(e["text"], e["category"]) for e in document["entities"]}
    assert ("Chez Marie", "restaurant_name") in found
    assert ("Lisbon", "city") in found
    for entity in document["entities"]:
        assert text[entity["offset"] : entity["offset"] + entity["length"]] == entity["text"]
        assert 0.0 <= entity["confidenceScore"] <= 1.0


def test_evaluation_summary_has_azure_shape(deployed: RunningServer) -> None:
    response = deployed.client.get(f"{AUTHORING}/{DEMO_PROJECT}/models/{DEMO_MODEL}/evaluation/summary-result",
                                   params=VERSION)
    assert response.status_code == 200
    summary = response.json()
    evaluation = summary["customEntityRecognitionEvaluation"]
    assert summary["evaluationOptions"] == {"kind": "manual"}
    assert set(evaluation["entities"]) == {"restaurant_name", "artist", "city", "date"}
    assert 0.5 < evaluation["microF1"] <= 1.0
    assert "$none" in evaluation["confusionMatrix"]


def test_training_job_reports_progress_and_result(deployed: RunningServer) -> None:
    response = deployed.client.get(f"{AUTHORING}/{DEMO_PROJECT}/train/jobs", params=VERSION)
    jobs = response.json()["value"]
    assert jobs and jobs[0]["status"] == "succeeded"
    result = jobs[0]["result"]
    assert result["modelLabel"] == DEMO_MODEL
    assert result["trainingStatus"]["percentComplete"] == 100
    assert result["evaluationStatus"]["status"] == "succeeded"


def test_job_polling_before_completion_carries_retry_after(deployed: RunningServer) -> None:
    body = {"analysisInput": {"documents": [{"id": "1", "text": "Play Adele."}]}, "tasks": {
        "customEntityRecognitionTasks": [{"parameters": {"project-name": DEMO_PROJECT, "deployment-name": DEMO_DEPLOYMENT}}]}}
    location = deployed.client.post(ANALYZE, json=body).headers["operation-location"]
    first = deployed.client.get(location)
    if first.json()["status"] in ("notStarted", "running"):
        assert first.headers["Retry-After"] == "1"
    time.sleep(0.1)
    assert deployed.wait_job(location)["status"] == "succeeded"
