"""Scoped API keys (issue 11): every scope against every route group, project limits, revocation and rotation."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.access import StudioClient
from tests.api.conftest import FAST_CONFIG, assert_error, small_project_file
from tests.server import API_KEY, AUTHORING, VERSION, RunningServer, run_server

PROJECT_A, PROJECT_B, DEPLOYMENT = "KeysA", "KeysB", "prod"
GA_JOBS = "/language/analyze-text/jobs"
V32_ANALYZE = "/text/analytics/v3.2-preview.2/analyze"
GA_VERSION = {"api-version": "2023-04-01"}


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("CUSTOMNER_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "customner", *args, "--data-dir", str(data_dir)], capture_output=True,
                          text=True, env=env, timeout=120)


def create_key(data_dir: Path, name: str, scope: str, *projects: str) -> str:
    limits = [arg for project in projects for arg in ("--project", project)]
    result = cli(data_dir, "keys", "create", name, "--scope", scope, *limits)
    assert result.returncode == 0, result.stdout + result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{32}", key), result.stdout
    return key


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, dict[str, str]]]:
    """A server with KeysA trained and deployed, KeysB imported, and one key of each kind made by the CLI."""
    with run_server(tmp_path_factory.mktemp("keys"), database_url=None) as server:
        client = server.client
        for name in (PROJECT_A, PROJECT_B):
            response = client.post(f"{AUTHORING}/{name}/:import", params=VERSION, json=small_project_file(name, 12))
            assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        response = client.post(f"{AUTHORING}/{PROJECT_A}/:train", params=VERSION, json={
            "modelLabel": "m", "trainingConfigVersion": FAST_CONFIG, "evaluationOptions": {"kind": "manual"}})
        assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        response = client.put(f"{AUTHORING}/{PROJECT_A}/deployments/{DEPLOYMENT}", params=VERSION,
                              json={"trainedModelLabel": "m"})
        assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        keys = {"bootstrap": API_KEY,
                "authoring": create_key(server.data_dir, "author", "authoring"),
                "runtime": create_key(server.data_dir, "runner", "runtime"),
                "authoring-a": create_key(server.data_dir, "author-a", "authoring", PROJECT_A),
                "runtime-a": create_key(server.data_dir, "runner-a", "runtime", PROJECT_A)}
        yield server, keys


def call(server: RunningServer, key: str, method: str, path: str, **kwargs: object) -> httpx.Response:
    params = kwargs.pop("params", VERSION)
    return httpx.request(method, f"{server.url}{path}", params=params,  # type: ignore[arg-type]
                         headers={"Ocp-Apim-Subscription-Key": key}, timeout=60, **kwargs)  # type: ignore[arg-type]


def ga_body(project: str) -> dict[str, object]:
    return {"analysisInput": {"documents": [{"id": "1", "language": "en", "text": "Contoso pays John Smith in Seattle."}]},
            "tasks": [{"kind": "CustomEntityRecognition", "taskName": "t",
                       "parameters": {"projectName": project, "deploymentName": DEPLOYMENT}}]}


def v32_body(project: str) -> dict[str, object]:
    return {"analysisInput": {"documents": [{"id": "1", "language": "en", "text": "Contoso pays John Smith."}]},
            "tasks": {"customEntityRecognitionTasks": [
                {"parameters": {"project-name": project, "deployment-name": DEPLOYMENT}}]}}


def run_job(server: RunningServer, key: str, path: str, params: dict[str, str], body: dict[str, object]) -> httpx.Response:
    """Submit a runtime job and, when accepted, read it back with the same key until it ends."""
    response = call(server, key, "POST", path, params=params, json=body)
    if response.status_code != 202:
        return response
    location = response.headers["operation-location"]
    while True:
        job = httpx.get(location, headers={"Ocp-Apim-Subscription-Key": key})
        if job.status_code != 200 or job.json()["status"] in ("succeeded", "failed", "cancelled"):
            return job


def run_ga(server: RunningServer, key: str, project: str) -> httpx.Response:
    return run_job(server, key, GA_JOBS, GA_VERSION, ga_body(project))


def run_v32(server: RunningServer, key: str, project: str) -> httpx.Response:
    return run_job(server, key, V32_ANALYZE, {}, v32_body(project))


def api_routes(server: RunningServer) -> list[tuple[str, str, str]]:
    """Every documented operation as (group, method, concrete path)."""
    spec = httpx.get(f"{server.url}/openapi.json").json()
    routes = []
    for path, operations in spec["paths"].items():
        if path == "/health" or not path.startswith(("/language", "/text", "/storage")):
            continue
        group = ("storage" if path.startswith("/storage") else
                 "authoring" if path.startswith("/language/authoring") else "runtime")
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        routes += [(group, method.upper(), concrete) for method in operations]
    return routes


@pytest.mark.parametrize("scope", ["bootstrap", "authoring", "runtime"])
def test_every_route_group_by_scope(keyed: tuple[RunningServer, dict[str, str]], scope: str) -> None:
    server, keys = keyed
    routes = api_routes(server)
    assert {group for group, _, _ in routes} == {"runtime", "authoring", "storage"} and len(routes) >= 35
    for group, method, path in routes:
        response = call(server, keys[scope], method, path, json={})
        if scope == "runtime" and group != "runtime":
            error = assert_error(response, 403, "Forbidden")
            assert "scope 'runtime'" in error["message"], (method, path)
        else:
            assert response.status_code not in (401, 403), (scope, method, path, response.text)


@pytest.mark.parametrize("scope", ["bootstrap", "authoring", "runtime"])
def test_every_scope_runs_both_runtime_surfaces(keyed: tuple[RunningServer, dict[str, str]], scope: str) -> None:
    server, keys = keyed
    for run in (run_ga, run_v32):
        job = run(server, keys[scope], PROJECT_A)
        assert job.status_code == 200 and job.json()["status"] == "succeeded", (run.__name__, job.text)


def test_a_runtime_key_gets_403_on_authoring_and_storage(keyed: tuple[RunningServer, dict[str, str]]) -> None:
    server, keys = keyed
    assert_error(call(server, keys["runtime"], "GET", f"{AUTHORING}/{PROJECT_A}"), 403, "Forbidden")
    assert_error(call(server, keys["runtime"], "DELETE", f"{AUTHORING}/{PROJECT_A}"), 403, "Forbidden")
    assert_error(call(server, keys["runtime"], "PUT", "/storage/keysa-container/new.txt", content=b"text"), 403, "Forbidden")
    assert call(server, keys["bootstrap"], "GET", f"{AUTHORING}/{PROJECT_A}").status_code == 200


def test_a_project_limited_key_stays_in_its_projects(keyed: tuple[RunningServer, dict[str, str]]) -> None:
    server, keys = keyed
    limited = keys["authoring-a"]
    assert call(server, limited, "GET", f"{AUTHORING}/{PROJECT_A}").status_code == 200
    error = assert_error(call(server, limited, "GET", f"{AUTHORING}/{PROJECT_B}"), 403, "Forbidden")
    assert f"may not use project '{PROJECT_B}'" in error["message"]
    assert_error(call(server, limited, "DELETE", f"{AUTHORING}/{PROJECT_B}"), 403, "Forbidden")
    assert_error(call(server, limited, "GET", AUTHORING), 403, "Forbidden")  # the listing spans every project
    assert call(server, limited, "GET", f"{AUTHORING}/global/languages").status_code == 200
    assert call(server, limited, "PUT", "/storage/keysa-container/extra.txt", content=b"Some text.").status_code == 201
    assert_error(call(server, limited, "PUT", "/storage/keysb-container/extra.txt", content=b"Text."), 403, "Forbidden")
    # Runtime: the project named in the body decides, on both surfaces.
    assert run_ga(server, keys["runtime-a"], PROJECT_A).json()["status"] == "succeeded"
    for run in (run_ga, run_v32):
        for key in (keys["runtime-a"], limited):
            assert_error(run(server, key, PROJECT_B), 403, "Forbidden")
    # A job is read or cancelled only with a key allowed on its project.
    only_b = create_key(server.data_dir, "runner-b", "runtime", PROJECT_B)
    for path, params, body in ((GA_JOBS, GA_VERSION, ga_body(PROJECT_A)), (V32_ANALYZE, {}, v32_body(PROJECT_A))):
        location = call(server, API_KEY, "POST", path, params=params, json=body).headers["operation-location"]
        assert httpx.get(location, headers={"Ocp-Apim-Subscription-Key": keys["runtime-a"]}).status_code == 200
        assert_error(httpx.get(location, headers={"Ocp-Apim-Subscription-Key": only_b}), 403, "Forbidden")
    cancel = call(server, API_KEY, "POST", GA_JOBS, params=GA_VERSION, json=ga_body(PROJECT_A))
    location_ga = cancel.headers["operation-location"].replace("?", ":cancel?")
    assert_error(httpx.post(location_ga, headers={"Ocp-Apim-Subscription-Key": only_b}), 403, "Forbidden")


def test_keys_are_stored_hashed_and_listed_without_the_key(keyed: tuple[RunningServer, dict[str, str]]) -> None:
    server, keys = keyed
    listing = cli(server.data_dir, "keys", "list")
    assert listing.returncode == 0
    for name in ("author", "runner", "author-a", "runner-a"):
        assert name in listing.stdout
    assert not any(key in listing.stdout for key in keys.values())
    # Through SQLite itself: reading the file directly would drop the server's locks (same process).
    database = sqlite3.connect(server.data_dir / "customner.db")
    rows = database.execute("SELECT name, key_hash, prefix, scope, projects FROM api_keys").fetchall()
    database.close()
    stored = " ".join(str(value) for row in rows for value in row)
    named = {"author": "authoring", "runner": "runtime", "author-a": "authoring-a", "runner-a": "runtime-a"}
    hashes = {row[0]: row[1] for row in rows}
    for name, kind in named.items():
        assert keys[kind] not in stored
        assert hashes[name] == hashlib.sha256(keys[kind].encode()).hexdigest()


def test_rotation_and_revocation_reach_every_server_process(keyed: tuple[RunningServer, dict[str, str]]) -> None:
    server, _ = keyed
    old = create_key(server.data_dir, "rotating-1", "runtime")
    new = create_key(server.data_dir, "rotating-2", "runtime")
    # A second server process on the same database: nothing is cached per process.
    with run_server(server.data_dir, database_url=None) as second:
        for running in (server, second):
            for key in (old, new):  # two keys valid at once
                assert call(running, key, "GET", f"{GA_JOBS}/00000000-0000-0000-0000-000000000000",
                            params=GA_VERSION).status_code == 404
        revoked = cli(server.data_dir, "keys", "revoke", "rotating-1")
        assert revoked.returncode == 0 and "Revoked key rotating-1" in revoked.stdout
        for running in (server, second):
            assert_error(call(running, old, "POST", GA_JOBS, params=GA_VERSION, json=ga_body(PROJECT_A)), 401, "401")
            assert call(running, new, "GET", f"{GA_JOBS}/00000000-0000-0000-0000-000000000000",
                        params=GA_VERSION).status_code == 404
    assert cli(server.data_dir, "keys", "revoke", "rotating-1").returncode == 1


def test_unknown_key_and_bad_cli_input(keyed: tuple[RunningServer, dict[str, str]]) -> None:
    server, _ = keyed
    assert_error(call(server, "0" * 32, "GET", AUTHORING), 401, "401")
    bad_scope = cli(server.data_dir, "keys", "create", "x", "--scope", "admin")
    assert bad_scope.returncode == 1 and "Unknown scope" in bad_scope.stdout
    duplicate = cli(server.data_dir, "keys", "create", "author", "--scope", "runtime")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stdout


def test_owners_manage_keys_in_studio(keyed: tuple[RunningServer, dict[str, str]]) -> None:
    server, _ = keyed
    owner = StudioClient(server)
    assert owner.sign_in(key=API_KEY).status_code == 303
    created = owner.post("/studio/team/keys", data={"name": "studio-made", "scope": "runtime", "projects": PROJECT_A})
    assert created.status_code == 201
    key = re.search(r'<code id="new-key">([0-9a-f]{32})</code>', created.text).group(1)  # type: ignore[union-attr]
    assert run_ga(server, key, PROJECT_A).json()["status"] == "succeeded"
    page = owner.http.get("/studio/team").text
    assert "studio-made" in page and key not in page  # shown once
    assert owner.post("/studio/team/keys/studio-made/revoke").status_code == 303
    assert_error(call(server, key, "GET", f"{GA_JOBS}/x", params=GA_VERSION), 401, "401")
