"""Scale-out end to end: 2 ``customner serve`` + 2 ``customner worker`` processes on PostgreSQL, Redis and S3.

Import, train (the fast CRF config), deploy, analyze 200 documents spread over both API processes while a
worker is killed with ``kill -9`` in the middle of a job: every job still ends ``succeeded``. Then a training
whose worker is killed is failed with a message saying so, and the deployed model keeps serving.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from customner.store.tables import Job
from tests.conftest import demo_project_file
from tests.scale.services import HEADERS, Stack, poll, postgres_database, redis_database, s3_bucket, stack_env
from tests.server import AUTHORING, VERSION, free_port

RUNTIME = {"api-version": "2023-04-01"}
PROJECT, DEPLOYMENT = "Scale", "prod"
SENTENCES = [
    "Book a table for two at Le Petit Zinc in Madrid on this weekend.",
    "Find tickets for Adele in Lisbon next Friday.",
    "Is Chez Marie in Paris open on Sunday?",
    "We want dinner at Golden Dragon in Chicago tomorrow night.",
]
DOCUMENTS, PER_JOB = 200, 5


@pytest.fixture
def stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Stack, Engine]]:
    with postgres_database() as database_url, redis_database() as broker_url, s3_bucket() as (blob_url, options):
        stack = Stack(env=stack_env(database_url, broker_url, blob_url, options), workdir=tmp_path)
        engine = create_engine(database_url)
        try:
            yield stack, engine
        finally:
            stack.stop()
            engine.dispose()
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                print(stack.logs())  # noqa: T201 - shown by pytest only when the test fails


def _submit(api: str, job_number: int) -> str:
    # Documents of a few thousand characters, so each job runs long enough to be caught mid-job.
    documents = [{"id": str(i), "language": "en", "text": " ".join([SENTENCES[(job_number + i) % len(SENTENCES)]] * 60)}
                 for i in range(PER_JOB)]
    response = httpx.post(f"{api}/language/analyze-text/jobs", params=RUNTIME, headers=HEADERS, timeout=60, json={
        "analysisInput": {"documents": documents},
        "tasks": [{"kind": "CustomEntityRecognition", "parameters": {"projectName": PROJECT, "deploymentName": DEPLOYMENT}}]})
    assert response.status_code == 202, response.text
    assert response.headers["apim-request-id"]
    return response.headers["operation-location"]


def _running_on(engine: Engine, worker: str) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(Job.id).where(Job.worker == worker, Job.status == "running")))


def _freeze_while_busy(engine: Engine, process: Any, worker: str, timeout: float = 120) -> list[str]:
    """Stop the worker at a moment it runs a job (SIGSTOP, look, SIGCONT and retry), so kill -9 lands mid-job."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        os.kill(process.pid, signal.SIGSTOP)
        running = _running_on(engine, worker)
        if running:
            return running
        os.kill(process.pid, signal.SIGCONT)
        time.sleep(0.05)
    raise AssertionError("the worker never ran a job")


def test_two_apis_two_workers_survive_a_killed_worker(stack: tuple[Stack, Engine]) -> None:
    stack_, engine = stack
    with ThreadPoolExecutor(4) as pool:
        apis = list(pool.map(stack_.serve, ["api-1", "api-2"]))
    w1 = stack_.worker("worker-1")
    metrics_port = free_port()
    w2 = stack_.worker("worker-2", "runtime,authoring,training", 2, "--metrics-port", str(metrics_port))
    api = apis[0]

    ready = httpx.get(f"{api}/ready", timeout=30)
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "up", "broker": "up"}, ready.text

    response = httpx.post(f"{api}{AUTHORING}/{PROJECT}/:import", params=VERSION, headers=HEADERS, json=demo_project_file())
    assert response.status_code == 202, response.text
    assert poll(response.headers["operation-location"])["status"] == "succeeded"
    response = httpx.post(f"{apis[1]}{AUTHORING}/{PROJECT}/:train", params=VERSION, headers=HEADERS, json={
        "modelLabel": "m1", "trainingConfigVersion": "2024-06-01", "evaluationOptions": {"kind": "manual"}})
    assert response.status_code == 202, response.text
    assert poll(response.headers["operation-location"])["status"] == "succeeded"
    response = httpx.put(f"{api}{AUTHORING}/{PROJECT}/deployments/{DEPLOYMENT}", params=VERSION, headers=HEADERS,
                         json={"trainedModelLabel": "m1"})
    assert poll(response.headers["operation-location"])["status"] == "succeeded"

    # 200 documents in 40 jobs, alternating between the two API processes, submitted at once.
    with ThreadPoolExecutor(8) as pool:
        submitted = [pool.submit(_submit, apis[n % 2], n) for n in range(DOCUMENTS // PER_JOB)]
        name = f"{socket.gethostname()}:{w1.pid}"
        orphans = _freeze_while_busy(engine, w1, name)  # watched while the burst is still being submitted
        os.kill(w1.pid, signal.SIGKILL)
        w1.wait(timeout=30)
        locations = [future.result() for future in submitted]
        results = list(pool.map(lambda url: poll(url, timeout=240), locations))

    assert [job["status"] for job in results] == ["succeeded"] * len(locations)
    analyzed = [document for job in results for document in job["tasks"]["items"][0]["results"]["documents"]]
    assert len(analyzed) == DOCUMENTS
    assert all(document["entities"] for document in analyzed)
    with engine.connect() as connection:
        rows = {row.id: row for row in connection.execute(select(Job.id, Job.worker, Job.attempts).where(Job.id.in_(orphans)))}
    with engine.connect() as connection:
        runners = set(connection.scalars(select(Job.worker).where(Job.kind == "analyze")))
    workers = {f"{socket.gethostname()}:{process.pid}" for process in (w1, w2)}
    assert runners and runners <= workers, "every job ran on a worker process, none in an API process"
    for job_id in orphans:  # the jobs the killed worker was running were finished by the other one
        assert rows[job_id].attempts >= 2 and rows[job_id].worker == f"{socket.gethostname()}:{w2.pid}", rows[job_id]

    worker_metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
    assert 'customner_job_duration_seconds_count{kind="analyze",status="succeeded"}' in worker_metrics
    assert 'customner_model_cache_lookups_total{result="hit"}' in worker_metrics

    # A training whose worker dies is failed with a message; the project and its deployment are untouched.
    response = httpx.post(f"{api}{AUTHORING}/{PROJECT}/:train", params=VERSION, headers=HEADERS, json={
        "modelLabel": "m2", "trainingConfigVersion": "2024-06-01", "evaluationOptions": {"kind": "manual"}})
    training = response.headers["operation-location"]
    deadline = time.monotonic() + 120
    while httpx.get(training, headers=HEADERS).json()["status"] != "running":
        assert time.monotonic() < deadline, "the training never started"
        time.sleep(0.05)
    os.kill(w2.pid, signal.SIGKILL)
    w2.wait(timeout=30)
    stack_.worker("worker-3")  # a new worker notices the silent heartbeat
    job = poll(training, timeout=180)
    assert job["status"] == "failed"
    assert "was lost" in job["errors"][0]["message"] and "Submit it again" in job["errors"][0]["message"]
    models = httpx.get(f"{api}{AUTHORING}/{PROJECT}/models", params=VERSION, headers=HEADERS).json()["value"]
    assert [model["label"] for model in models] == ["m1"]
    again = poll(_submit(apis[1], 0))
    assert again["status"] == "succeeded" and again["tasks"]["items"][0]["results"]["documents"][0]["entities"]

    # Cancel crosses processes: asked on one API process, seen by the worker through the job row.
    response = httpx.post(f"{api}{AUTHORING}/{PROJECT}/:train", params=VERSION, headers=HEADERS, json={
        "modelLabel": "m3", "trainingConfigVersion": "latest", "evaluationOptions": {"kind": "manual"}})
    training = response.headers["operation-location"]
    while httpx.get(training, headers=HEADERS).json()["status"] != "running":
        time.sleep(0.1)
    cancel = httpx.post(training.replace(api, apis[1]).replace("?", "/:cancel?"), headers=HEADERS)
    assert cancel.status_code == 202, cancel.text
    assert poll(training, timeout=180)["status"] == "cancelled"

    metrics = httpx.get(f"{api}/metrics").text
    assert 'customner_job_queue_depth{queue="runtime"}' in metrics
    assert 'customner_http_requests_total{method="POST",route="/language/analyze-text/jobs",status="202"}' in metrics
