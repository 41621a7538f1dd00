"""The deploy/ folder as a user runs it: the Procfile under honcho (2 APIs, 3 workers, JSON logs), and
systemd units that run the same commands."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import demo_project_file
from tests.scale.services import HEADERS, ROOT, poll, postgres_database, redis_database, s3_bucket, stack_env, wait_http
from tests.server import AUTHORING, VERSION, free_port

DEPLOY = ROOT / "deploy"


def _procfile() -> dict[str, list[str]]:
    lines = [line for line in (DEPLOY / "Procfile").read_text().splitlines() if line and not line.startswith("#")]
    return {name: shlex.split(command) for name, command in (line.split(":", 1) for line in lines)}


def _flags(argv: list[str]) -> tuple[str, str, tuple[str, ...]]:
    """Program, subcommand and option names: what must agree between the Procfile and the units."""
    program = Path(argv[0]).name
    return program, argv[1], tuple(sorted(arg for arg in argv[2:] if arg.startswith("--")))


def test_systemd_units_run_the_procfile_commands() -> None:
    commands = {_flags(argv) for argv in _procfile().values()}
    assert {subcommand for _, subcommand, _ in commands} == {"serve", "worker"}
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert [unit.name for unit in units] == ["customner-api@.service", "customner-worker@.service"]
    for unit in units:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read(unit)
        assert parser["Service"]["EnvironmentFile"] == "/etc/customner/customner.env"
        assert _flags(shlex.split(parser["Service"]["ExecStart"])) in commands, unit.name
    example = (DEPLOY / "customner.env.example").read_text()
    for setting in ("CUSTOMNER_JOB_ENGINE=celery", "CUSTOMNER_BROKER_URL=", "CUSTOMNER_DATABASE_URL=postgresql+psycopg://",
                    "CUSTOMNER_BLOB_URL=s3://"):
        assert setting in example


def test_procfile_under_honcho_serves_and_works_with_json_logs(tmp_path: Path) -> None:
    with postgres_database() as database_url, redis_database() as broker_url, s3_bucket() as (blob_url, options):
        ports = free_port(), free_port()
        env = stack_env(database_url, broker_url, blob_url, options, CUSTOMNER_LOG_FORMAT="json",
                        CUSTOMNER_STATE_DIR=str(tmp_path), CUSTOMNER_API1_PORT=str(ports[0]),
                        CUSTOMNER_API2_PORT=str(ports[1]))
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        log = tmp_path / "honcho.log"
        with open(log, "wb") as output:
            honcho = subprocess.Popen([sys.executable, "-m", "honcho", "-f", str(DEPLOY / "Procfile"), "-d", str(ROOT),
                                       "start"], env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            apis = [f"http://127.0.0.1:{port}" for port in ports]
            for api in apis:
                wait_http(f"{api}/ready")
            response = httpx.post(f"{apis[0]}{AUTHORING}/Deployed/:import", params=VERSION, headers=HEADERS,
                                  json=demo_project_file())
            assert response.status_code == 202, response.text
            request_id = response.headers["apim-request-id"]
            location = response.headers["operation-location"].replace(apis[0], apis[1])
            assert poll(location)["status"] == "succeeded"
            response = httpx.post(f"{apis[1]}{AUTHORING}/Deployed/:export", params=VERSION, headers=HEADERS)
            assert poll(response.headers["operation-location"])["status"] == "succeeded"
        finally:
            os.killpg(honcho.pid, signal.SIGTERM)
            honcho.wait(timeout=60)
        lines = log.read_text(errors="replace").splitlines()
        records = {}
        for line in lines:
            match = re.match(r"^\S+ (\w+)\.\d+\s+\| (\{.*\})$", line)
            if match:
                records.setdefault(match.group(1), []).append(json.loads(match.group(2)))
        assert {"api1", "api2", "runtime", "authoring", "training"} <= set(records), "\n".join(lines[-50:])
        about_import = [r for r in records["authoring"] if r["request_id"] == request_id]
        assert any("started" in r["message"] for r in about_import), "the worker's log lines carry the request id"
        assert all({"time", "level", "logger", "message", "job_id"} <= set(r) for r in about_import)
