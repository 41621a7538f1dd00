"""Limits before reading, backpressure, invalid text and framework errors, all in Azure's envelope."""

from __future__ import annotations

import concurrent.futures
import json
import socket
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from customner.jobs import lifecycle
from customner.services.analysis import ANALYSIS_KIND
from tests.api.conftest import assert_error
from tests.server import API_KEY, AUTHORING, VERSION, RunningServer, run_server

GA_JOBS = "/language/analyze-text/jobs"
GA = {"api-version": "2023-04-01"}


def ga_body(texts: list[str], project: str = "Nowhere", deployment: str = "none") -> dict[str, Any]:
    return {"analysisInput": {"documents": [{"id": str(i), "text": text} for i, text in enumerate(texts)]},
            "tasks": [{"kind": "CustomEntityRecognition", "taskName": "t",
                       "parameters": {"projectName": project, "deploymentName": deployment}}]}


def raw_request(url: str, head: str, body_parts: list[bytes]) -> tuple[int, dict[str, str], bytes]:
    """Send the request head (and the given body parts) on a bare socket, then read the answer.

    The body is never completed: an answer proves the server decided from what it had, without reading the rest.
    """
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head.encode())
        for part in body_parts:
            sock.sendall(part)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head_bytes, _, body = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _length(data: bytes) -> int:
    head = data.partition(b"\r\n\r\n")[0].decode().lower()
    for line in head.split("\r\n"):
        if line.startswith("content-length:"):
            return int(line.split(":")[1])
    return 0


def test_a_declared_50_mb_body_is_refused_before_it_is_sent(server: RunningServer) -> None:
    head = (f"POST {GA_JOBS}?api-version=2023-04-01 HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: {API_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n")
    status, headers, body = raw_request(server.url, head, [])
    assert status == 413
    error = json.loads(body)["error"]
    assert error["code"] == "InvalidRequest" and error["innererror"]["code"] == "InvalidDocumentBatch"
    assert "2097152 bytes" in error["innererror"]["message"]


def test_a_streamed_body_is_stopped_when_it_passes_the_limit(server: RunningServer) -> None:
    head = (f"POST {GA_JOBS}?api-version=2023-04-01 HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: {API_KEY}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * (256 * 1024)
    # 8 chunks reach the 2 MiB limit exactly; one byte more passes it. Nothing follows, so no unread bytes can
    # turn the server's close into a reset that would swallow its answer. The body is never terminated.
    parts = [f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"] * 8 + [b"1\r\nx\r\n"]
    status, _, body = raw_request(server.url, head, parts)
    assert status == 413 and json.loads(body)["error"]["innererror"]["code"] == "InvalidDocumentBatch"


def test_a_storage_file_over_the_file_limit_is_refused_before_it_is_read(server: RunningServer) -> None:
    head = (f"PUT /storage/big-files/a.txt HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: {API_KEY}\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n")
    status, _, body = raw_request(server.url, head, [])
    assert status == 413 and "error" in json.loads(body)
    assert not (server.data_dir / "storage" / "big-files").exists()


def test_a_lone_surrogate_is_refused_at_submit_naming_the_document(server: RunningServer) -> None:
    raw = '{"analysisInput": {"documents": [{"id": "ok", "text": "fine"}, {"id": "bad", "text": "a\\ud800b"}]}, ' \
          '"tasks": [{"kind": "CustomEntityRecognition", "parameters": {"projectName": "P", "deploymentName": "D"}}]}'
    response = server.client.post(GA_JOBS, params=GA, content=raw, headers={"Content-Type": "application/json"})
    error = assert_error(response, 400, "InvalidRequest", "InvalidDocument")
    assert "'bad'" in error["innererror"]["message"] and "surrogate" in error["innererror"]["message"]
    v32 = raw.replace('"tasks": [{"kind": "CustomEntityRecognition", "parameters": {"projectName": "P", '
                      '"deploymentName": "D"}}]', '"tasks": {"customEntityRecognitionTasks": [{"parameters": '
                      '{"project-name": "P", "deployment-name": "D"}}]}')
    response = server.client.post("/text/analytics/v3.2-preview.2/analyze", content=v32,
                                  headers={"Content-Type": "application/json"})
    assert_error(response, 400, "InvalidRequest", "InvalidDocument")


def test_a_lone_surrogate_in_an_imported_text_is_refused(server: RunningServer) -> None:
    from tests.e2e.test_import import document, project_file

    body = json.dumps(project_file("Surrogate", [document("a.txt", "Ann met Bob.", [("Person", 0, 3)])]))
    body = body.replace("Ann met Bob.", "Ann met Bob\\udc00")
    response = server.client.post(f"{AUTHORING}/Surrogate/:import", params=VERSION, content=body,
                                  headers={"Content-Type": "application/json"})
    error = assert_error(response, 400, "InvalidRequest", "InvalidDocument")
    assert "a.txt" in error["message"] and "surrogate" in error["message"]


def test_invalid_utf8_is_answered_in_azures_envelope(server: RunningServer) -> None:
    response = server.client.post(GA_JOBS, params=GA, content=b'{"analysisInput": "\xff\xfe"}',
                                  headers={"Content-Type": "application/json"})
    assert_error(response, 400, "InvalidRequest", "InvalidRequestBodyFormat")


def test_a_full_queue_answers_429_with_retry_after(tmp_path: Path) -> None:
    """Two runtime jobs already wait to start (left queued, as after a burst); the limit is two, so a third waits."""
    with run_server(tmp_path, max_queued_jobs=2) as small:
        accepted = small.client.post(GA_JOBS, params=GA, json=ga_body(["one text"]))
        assert accepted.status_code == 202
        small.wait_job(accepted.headers["operation-location"])
        with small.context.db.session() as session:
            for _ in range(2):
                session.add(lifecycle.new(ANALYSIS_KIND, job_id=str(uuid.uuid4()), ttl=timedelta(hours=1)))
        throttled = small.client.post(GA_JOBS, params=GA, json=ga_body(["one text"]))
        error = assert_error(throttled, 429, "429")
        assert int(throttled.headers["Retry-After"]) >= 1 and "retry" in error["message"].lower()
        assert small.client.get(accepted.headers["operation-location"]).status_code == 200


def test_a_burst_past_the_rate_limit_gets_429_and_polling_is_never_limited(tmp_path: Path) -> None:
    with run_server(tmp_path, rate_limit=5) as limited:
        def submit(_: int) -> httpx.Response:
            return limited.client.post(GA_JOBS, params=GA, json=ga_body(["one text"]))

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(submit, range(12)))
        codes = sorted(r.status_code for r in responses)
        assert codes.count(202) == 5 and codes.count(429) == 7, codes
        throttled = next(r for r in responses if r.status_code == 429)
        assert_error(throttled, 429, "429")
        assert int(throttled.headers["Retry-After"]) >= 1
        location = next(r for r in responses if r.status_code == 202).headers["operation-location"]
        polls = [limited.client.get(location).status_code for _ in range(30)]
        assert set(polls) == {200}
