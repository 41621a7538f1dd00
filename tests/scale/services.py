"""The real services the scale-out tests run on: a fresh PostgreSQL database, an unused Redis database
number, an S3 endpoint (moto's server on 127.0.0.1), and ``customner serve`` / ``worker`` processes.

A missing service skips these tests on a laptop and fails them under ``CI=true``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import API_KEY, free_port

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = os.environ.get("CUSTOMNER_TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
HEADERS = {"Ocp-Apim-Subscription-Key": API_KEY}


def unavailable(what: str, error: BaseException) -> None:
    """Skip on a developer machine; fail in CI, where every service must be running."""
    message = f"{what} is not available ({type(error).__name__}: {error})"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; CI must provide it", pytrace=False)
    pytest.skip(message)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, uniquely named database, dropped afterwards; yields its SQLAlchemy URL."""
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except Exception as error:  # noqa: BLE001
        unavailable("PostgreSQL", error)
        raise
    name = f"customner_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def redis_database() -> Iterator[str]:
    """An empty Redis database number, claimed with a marker key and flushed afterwards; yields the broker URL."""
    try:
        import redis

        probe = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=3)
        databases = int(probe.config_get("databases").get("databases", 16))
    except Exception as error:  # noqa: BLE001
        unavailable("Redis", error)
        raise
    owner = uuid.uuid4().hex
    for number in range(databases - 1, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        if client.dbsize() == 0 and client.set("customner-test-owner", owner, nx=True):
            break
    else:
        pytest.fail("no unused Redis database number")
    try:
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    finally:
        client.flushdb()


@contextmanager
def s3_bucket() -> Iterator[tuple[str, dict[str, Any]]]:
    """moto's S3 server on a free local port with a new bucket; yields the blob URL and s3fs options."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        unavailable("moto (S3 server)", error)
        raise
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    bucket = f"customner-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                 region_name="us-east-1").create_bucket(Bucket=bucket)
    options = {"key": "test", "secret": "test", "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"}}
    try:
        yield f"s3://{bucket}/customner", options
    finally:
        server.stop()


@dataclass
class Stack:
    """Environment shared by every process of one scale-out deployment."""

    env: dict[str, str]
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.workdir / f"{name}.log"
        with open(log, "ab") as output:
            process = subprocess.Popen([sys.executable, "-m", "customner", *args], env=self.env, cwd=ROOT,
                                       stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        process.log_path = log  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def serve(self, name: str) -> str:
        port = free_port()
        (self.workdir / name).mkdir(parents=True, exist_ok=True)
        process = self.start(name, "serve", "--port", str(port), "--data-dir", str(self.workdir / name))
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/health", process)
        return url

    def worker(self, name: str, queues: str = "runtime,authoring,training", concurrency: int = 2,
               *extra: str) -> subprocess.Popen[bytes]:
        return self.start(name, "worker", "--data-dir", str(self.workdir / name), "--queues", queues,
                          "--concurrency", str(concurrency), *extra)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log_path.read_text()[-2500:]}" for p in self.processes)  # type: ignore[attr-defined]


def wait_http(url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited ({process.returncode}): {process.log_path.read_text()[-3000:]}")  # type: ignore[attr-defined]
        time.sleep(0.2)
    raise TimeoutError(url)


def stack_env(database_url: str, broker_url: str, blob_url: str, blob_options: dict[str, Any], **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        "CUSTOMNER_API_KEY": API_KEY, "CUSTOMNER_JOB_ENGINE": "celery", "CUSTOMNER_BROKER_URL": broker_url,
        "CUSTOMNER_DATABASE_URL": database_url, "CUSTOMNER_BLOB_URL": blob_url,
        "CUSTOMNER_BLOB_OPTIONS": json.dumps(blob_options),
        # Quicker loss detection than the defaults (5 s / 30 s), to keep the test short.
        "CUSTOMNER_JOB_HEARTBEAT_SECONDS": "1", "CUSTOMNER_JOB_STALE_SECONDS": "8",
    })
    env.update(extra)
    return env


def poll(url: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = httpx.get(url, headers=HEADERS, timeout=30).json()
        if body.get("status") in ("succeeded", "failed", "cancelled", "partiallyCompleted"):
            return body
        time.sleep(0.2)
    raise TimeoutError(url)
