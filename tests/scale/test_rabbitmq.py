"""RabbitMQ by URL: the same engine with an AMQP broker, and a shared folder as the blob store."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from tests.conftest import demo_project_file
from tests.scale.services import Stack, unavailable
from tests.server import AUTHORING, VERSION, run_server

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def test_jobs_run_through_rabbitmq_on_a_shared_folder(tmp_path: Path) -> None:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=3).close()
    except OSError as error:
        unavailable("RabbitMQ", error)
    shared = tmp_path / "shared"
    shared.mkdir()
    database = f"sqlite:///{shared / 'customner.db'}"
    with run_server(shared, job_engine="celery", broker_url=RABBITMQ, database_url=database) as server:
        ready = server.client.get("/ready")
        assert ready.status_code == 200 and ready.json()["checks"]["broker"] == "up", ready.text
        stack = Stack(env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]), CUSTOMNER_JOB_ENGINE="celery",
                         CUSTOMNER_BROKER_URL=RABBITMQ, CUSTOMNER_DATABASE_URL=database,
                         CUSTOMNER_BLOB_URL=str(shared), CUSTOMNER_API_KEY="unused"), workdir=tmp_path)
        worker = stack.worker("worker", queues="authoring", concurrency=1)
        try:
            response = server.client.post(f"{AUTHORING}/Rabbit/:import", params=VERSION, json=demo_project_file())
            assert response.status_code == 202, response.text
            assert server.wait_job(response.headers["operation-location"], timeout=180)["status"] == "succeeded"
            assert server.client.get(f"{AUTHORING}/Rabbit", params=VERSION).json()["storageInputContainerName"] == "demo"
        finally:
            stack.stop()
            assert worker.returncode is not None
