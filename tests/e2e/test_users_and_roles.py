"""Users and roles (issue 11): CLI-created users sign in to Studio; one policy answers 403 to what a role may not do."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.access import StudioClient
from tests.server import API_KEY, AUTHORING, VERSION, RunningServer, run_server

PROJECT = "RolesProject"
PASSWORD = "correct horse battery"


def cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("CUSTOMNER_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "customner", *args, "--data-dir", str(data_dir)], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server (SQLite in its data folder, the database the CLI opens) with one project and three users."""
    with run_server(tmp_path_factory.mktemp("roles"), database_url=None) as server:
        body = {"projectFileVersion": "2022-05-01", "stringIndexType": "Utf16CodeUnit",
                "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": "roles-docs",
                             "projectName": PROJECT, "multilingual": False, "language": "en-us", "settings": {}},
                "assets": {"projectKind": "CustomEntityRecognition", "entities": [{"category": "City"}],
                           "documents": [{"location": "a.txt", "language": "en-us", "dataset": "Train", "entities": [],
                                          "text": "We flew to Paris."}]}}
        response = server.client.post(f"{AUTHORING}/{PROJECT}/:import", params=VERSION, json=body)
        assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        for name, role in (("olga", "owner"), ("rita", "reviewer"), ("anna", "annotator")):
            result = cli(server.data_dir, "users", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
            assert result.returncode == 0, result.stdout + result.stderr
            assert f"Added user {name} with role {role}" in result.stdout
        # Annotators label the documents assigned to them (their own copy); an owner assigns in Studio.
        assert as_user(server, "olga").post(f"/studio/projects/{PROJECT}/assign",
                                            data={"names": "anna", "count": "1"}).status_code == 303
        yield server


def as_user(server: RunningServer, name: str) -> StudioClient:
    client = StudioClient(server)
    assert client.sign_in(username=name, password=PASSWORD).status_code == 303
    return client


def document_id(server: RunningServer) -> int:
    database = sqlite3.connect(server.data_dir / "customner.db")
    (found,) = database.execute("SELECT id FROM documents WHERE project_name = ?", (PROJECT,)).fetchone()
    database.close()
    return int(found)


def labels_version(server: RunningServer, doc: int, annotator: str | None) -> int:
    """The version a save must name: the project's labels, or the annotator's own copy."""
    database = sqlite3.connect(server.data_dir / "customner.db")
    if annotator is None:
        (found,) = database.execute("SELECT labels_version FROM documents WHERE id = ?", (doc,)).fetchone()
    else:
        (found,) = database.execute("SELECT version FROM annotations WHERE document_id = ? AND annotator = ?",
                                    (doc, annotator)).fetchone()
    database.close()
    return int(found)


def test_the_cli_lists_users_and_refuses_bad_input(team: RunningServer) -> None:
    listing = cli(team.data_dir, "users", "list")
    assert listing.returncode == 0
    for name, role in (("olga", "owner"), ("rita", "reviewer"), ("anna", "annotator")):
        assert name in listing.stdout and role in listing.stdout
    duplicate = cli(team.data_dir, "users", "add", "anna", "--role", "annotator", "--password-stdin", stdin=PASSWORD)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stdout
    unknown_role = cli(team.data_dir, "users", "add", "zed", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert unknown_role.returncode == 1 and "Unknown role" in unknown_role.stdout
    short = cli(team.data_dir, "users", "add", "zed", "--role", "annotator", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8" in short.stdout


def test_passwords_are_stored_as_argon2_hashes(team: RunningServer) -> None:
    database = sqlite3.connect(team.data_dir / "customner.db")
    hashes = [row[0] for row in database.execute("SELECT password_hash FROM users")]
    database.close()
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_sign_in_by_name_and_password(team: RunningServer) -> None:
    client = StudioClient(team)
    wrong = client.sign_in(username="anna", password="not the password")
    assert wrong.status_code == 401 and "not valid" in wrong.text
    nobody = client.sign_in(username="nobody", password=PASSWORD)
    assert nobody.status_code == 401
    assert client.sign_in(username="anna", password=PASSWORD).status_code == 303
    page = client.http.get("/studio/projects")
    assert page.status_code == 200 and "anna (annotator)" in page.text


def test_the_key_still_signs_in_as_owner(team: RunningServer) -> None:
    client = StudioClient(team)
    assert client.sign_in(key=API_KEY).status_code == 303
    page = client.http.get("/studio/team")
    assert page.status_code == 200 and "owner (owner)" in page.text


@pytest.mark.parametrize(("user", "may"), [
    ("olga", {"create", "label", "deploy", "team"}),
    ("rita", {"label", "deploy"}),
    ("anna", {"label"}),
])
def test_each_role_may_do_only_its_part(team: RunningServer, user: str, may: set[str]) -> None:
    client = as_user(team, user)
    doc = document_id(team)
    own_copy = user if team_role(user) == "annotator" else None
    attempts = {
        "create": lambda: client.post("/studio/projects", data={"name": f"Made-by-{user}", "language": "en-us"}),
        "label": lambda: client.http.post(f"/studio/projects/{PROJECT}/documents/{doc}/labels.json",
                                          json={"labels": [{"category": "City", "start": 11, "end": 16}],
                                                "version": labels_version(team, doc, own_copy)},
                                          headers={"Origin": team.url, "X-CSRF-Token": client.token}),
        # No such model: a role that may deploy gets past the policy to the service's own error.
        "deploy": lambda: client.post(f"/studio/projects/{PROJECT}/deploy", data={"deployment": "d", "model": "none"}),
        "team": lambda: client.http.get("/studio/team"),
    }
    for action, attempt in attempts.items():
        response = attempt()
        if action == "label" and action in may:
            assert response.status_code == 200 and response.json()["saved"] == 1, response.text
        elif action in may:
            assert response.status_code != 403, (user, action, response.text[:300])
        else:
            assert response.status_code == 403, (user, action)
            assert f"Your role ({team_role(user)}) may not" in response.text
    # Every role may look.
    assert client.http.get(f"/studio/projects/{PROJECT}").status_code == 200


def team_role(user: str) -> str:
    return {"olga": "owner", "rita": "reviewer", "anna": "annotator"}[user]


def test_the_annotator_page_offers_no_owner_actions(team: RunningServer) -> None:
    page = as_user(team, "anna").http.get("/studio/projects").text
    assert "Create a project" not in page and "Team &amp; keys" not in page
    owner_page = as_user(team, "olga").http.get("/studio/projects").text
    assert "Create a project" in owner_page and "Team &amp; keys" in owner_page


def test_owners_add_and_remove_users_in_studio(team: RunningServer) -> None:
    owner = as_user(team, "olga")
    response = owner.post("/studio/team/users", data={"username": "newbie", "role": "annotator", "password": PASSWORD})
    assert response.status_code == 303
    newbie = as_user(team, "newbie")
    assert newbie.http.get("/studio/projects").status_code == 200
    assert owner.post("/studio/team/users/newbie/delete").status_code == 303
    # Removing a user ends their sessions at once.
    gone = newbie.http.get("/studio/projects")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/studio/signin")
    assert StudioClient(team).sign_in(username="newbie", password=PASSWORD).status_code == 401


def test_a_reviewer_cannot_add_users(team: RunningServer) -> None:
    reviewer = as_user(team, "rita")
    response = reviewer.post("/studio/team/users", data={"username": "sneaky", "role": "owner", "password": PASSWORD})
    assert response.status_code == 403 and "may not manage users" in response.text
    assert StudioClient(team).sign_in(username="sneaky", password=PASSWORD).status_code == 401


def test_the_api_does_not_take_user_passwords(team: RunningServer) -> None:
    response = httpx.get(f"{team.url}{AUTHORING}", params=VERSION, auth=("olga", PASSWORD))
    assert response.status_code == 401
