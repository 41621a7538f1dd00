"""Operations: readiness names what is down, no request hangs without a broker, request ids, metrics."""

from __future__ import annotations

from pathlib import Path

import httpx

from customner.jobs import lifecycle
from customner.store.database import Database
from tests.server import AUTHORING, VERSION, free_port, run_server

RUNTIME = {"api-version": "2023-04-01"}
ANALYZE = {
    "analysisInput": {"documents": [{"id": "1", "text": "Dinner in Lisbon on Friday."}]},
    "tasks": [{"kind": "CustomEntityRecognition", "parameters": {"projectName": "P", "deploymentName": "d"}}],
}


def test_serve_with_celery_and_no_broker_stays_live_and_refuses_work_clearly(tmp_path: Path) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # a port nothing listens on
    with run_server(tmp_path, job_engine="celery", broker_url=nobody) as server:
        client = server.client
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["down"] == ["broker"] and ready.json()["checks"]["database"] == "up"
        assert ready.json()["checks"]["broker"].startswith("down: broker redis://127.0.0.1:")

        response = client.post("/language/analyze-text/jobs", params=RUNTIME, json=ANALYZE, timeout=30)
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "ServiceUnavailable"
        assert "broker" in response.json()["error"]["message"]
        response = client.post(f"{AUTHORING}/P/:export", params=VERSION, timeout=30)
        assert response.status_code in (404, 503)  # no such project, or the queue is down: never a hang
        # the job the refused request created is failed, not left waiting forever
        database = Database(f"sqlite:///{tmp_path / 'customner.db'}")
        waiting = lifecycle.queued(database)
        assert waiting == []


def test_request_ids_reach_the_job_and_metrics_are_exported(tmp_path: Path) -> None:
    with run_server(tmp_path) as server:
        client = server.client
        ready = client.get("/ready")
        assert ready.status_code == 200 and ready.json()["checks"] == {"database": "up"}
        response = client.post("/language/analyze-text/jobs", params=RUNTIME, json=ANALYZE)
        assert response.status_code == 202
        request_id = response.headers["apim-request-id"]
        other = client.get("/health").headers["apim-request-id"]
        assert request_id and other and request_id != other
        job_id = response.headers["operation-location"].split("/jobs/")[1].split("?")[0]
        server.wait_job(response.headers["operation-location"])
        job = lifecycle.load(Database(f"sqlite:///{tmp_path / 'customner.db'}"), job_id)
        assert job is not None and job.request_id == request_id

        metrics = httpx.get(f"{server.url}/metrics").text
        assert 'customner_http_requests_total{method="POST",route="/language/analyze-text/jobs",status="202"}' in metrics
        assert 'route="/language/analyze-text/jobs/{job_id}"' in metrics  # route templates, not raw paths
        assert 'customner_job_duration_seconds_count{kind="analyze",status="failed"}' in metrics  # no such project
        assert 'customner_job_queue_depth{queue="runtime"} 0.0' in metrics
        assert "customner_job_queue_oldest_age_seconds" in metrics and "customner_training_progress" in metrics
        assert "customner_model_cache_lookups" in metrics
