"""Studio sessions (issue 8): server-side, revocable, CSRF-checked, never a key; keys only in headers, never logged."""

from __future__ import annotations

import base64
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.access import StudioClient
from tests.server import API_KEY, AUTHORING, VERSION, RunningServer, free_port, run_server


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with run_server(tmp_path_factory.mktemp("sessions"), database_url=None) as running:
        yield running


def signed_in(server: RunningServer) -> StudioClient:
    client = StudioClient(server)
    assert client.sign_in(key=API_KEY).status_code == 303
    assert client.token
    return client


def project_exists(server: RunningServer, name: str) -> bool:
    return server.client.get(f"{AUTHORING}/{name}", params=VERSION).status_code == 200


def test_the_cookie_holds_a_session_id_not_the_key(plain: RunningServer) -> None:
    client = StudioClient(plain)
    response = client.sign_in(key=API_KEY)
    set_cookie = response.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and "Secure" not in set_cookie
    for cookie in client.http.cookies.jar:
        value = cookie.value or ""
        padded = value.split(".")[0] + "=" * (-len(value.split(".")[0]) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode()) if padded.strip("=") else b""
        assert API_KEY not in value and API_KEY.encode() not in decoded, cookie.name
    # Only a hash of the id is stored, so a copy of the database does not yield live cookies.
    database = sqlite3.connect(plain.data_dir / "customner.db")
    stored = [row[0] for row in database.execute("SELECT id_hash FROM studio_sessions")]
    database.close()
    assert stored and client.cookie not in stored


def test_sign_out_ends_the_session_and_an_old_cookie_is_refused(plain: RunningServer) -> None:
    client = signed_in(plain)
    old_cookie = client.cookie
    assert client.http.get("/studio/projects").status_code == 200
    assert client.post("/studio/signout").status_code == 303
    replay = httpx.get(f"{plain.url}/studio/projects", headers={"Cookie": f"customner_session={old_cookie}"})
    assert replay.status_code == 303 and replay.headers["location"].startswith("/studio/signin")


def test_an_idle_session_expires(plain: RunningServer) -> None:
    client = signed_in(plain)
    database = sqlite3.connect(plain.data_dir / "customner.db")
    with database:
        database.execute("UPDATE studio_sessions SET last_seen_at = datetime('now', '-9 hours')")
    database.close()
    response = client.http.get("/studio/projects")
    assert response.status_code == 303 and response.headers["location"].startswith("/studio/signin")


def test_the_api_refuses_the_studio_cookie(plain: RunningServer) -> None:
    client = signed_in(plain)
    cookie = {"Cookie": f"customner_session={client.cookie}", "Origin": "http://evil.example"}
    body = {"projectName": "CookieMade", "language": "en-us", "projectKind": "CustomEntityRecognition",
            "storageInputContainerName": "cookie-made"}
    response = httpx.patch(f"{plain.url}{AUTHORING}/CookieMade", params=VERSION, json=body, headers=cookie)
    assert response.status_code == 401 and response.json()["error"]["code"] == "401"
    assert not project_exists(plain, "CookieMade")


def test_a_cross_site_studio_form_is_refused(plain: RunningServer) -> None:
    client = signed_in(plain)
    form = {"name": "CrossSite", "language": "en-us"}
    other_port = f"http://127.0.0.1:{free_port()}"  # SameSite does not separate ports on one host; Origin does
    for headers, data in (({"Origin": "http://evil.example"}, form), ({"Origin": other_port}, form),
                          ({"Referer": f"{other_port}/attack.html"}, form)):
        response = client.http.post("/studio/projects", data={**data, "csrf_token": client.token}, headers=headers)
        assert response.status_code == 403, headers
        assert "another site" in response.text
    # Same origin but no token (a form the attacker could not read the token of).
    no_token = client.http.post("/studio/projects", data=form, headers={"Origin": plain.url})
    assert no_token.status_code == 403 and "security token" in no_token.text
    wrong = client.http.post("/studio/projects", data=form, headers={"Origin": plain.url, "X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    assert not project_exists(plain, "CrossSite")
    # The page's own form (Origin and token) works.
    assert client.post("/studio/projects", data=form).status_code == 303
    assert project_exists(plain, "CrossSite")


def test_the_query_string_key_is_off_by_default(plain: RunningServer) -> None:
    response = httpx.get(f"{plain.url}{AUTHORING}", params={**VERSION, "subscription-key": API_KEY})
    assert response.status_code == 401
    assert "Ocp-Apim-Subscription-Key header" in response.json()["error"]["message"]


def test_the_query_string_key_works_when_turned_on_and_is_never_echoed(tmp_path: Path) -> None:
    with run_server(tmp_path, allow_query_key=True) as server:
        response = httpx.get(f"{server.url}{AUTHORING}/global/languages", params={
            "api-version": "2023-04-01", "maxpagesize": 2, "subscription-key": API_KEY})
        assert response.status_code == 200
        next_link = response.json()["nextLink"]
        assert "subscription-key" not in next_link and API_KEY not in next_link


def test_secure_cookie_and_origin_behind_an_https_public_url(tmp_path: Path) -> None:
    public = "https://ner.example.com"
    with run_server(tmp_path, public_url=public) as server:
        client = StudioClient(server)
        response = client.http.post("/studio/signin", data={"key": API_KEY}, headers={"Origin": public})
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]


def test_keys_never_reach_the_access_log(tmp_path: Path) -> None:
    """A real ``customner serve`` with query keys on: its access log shows the request without the key."""
    port = free_port()
    (tmp_path / "data").mkdir()
    env = {**os.environ, "CUSTOMNER_API_KEY": API_KEY, "CUSTOMNER_ALLOW_QUERY_KEY": "true",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen([sys.executable, "-m", "customner", "serve", "--port", str(port),
                                "--data-dir", str(tmp_path / "data")], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            assert process.poll() is None, "the server exited"
            try:
                httpx.get(f"{url}/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        response = httpx.get(f"{url}{AUTHORING}", params={**VERSION, "subscription-key": API_KEY})
        assert response.status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "GET /language/authoring/analyze-text/projects?api-version=2022-05-01&subscription-key=***" in output
    assert API_KEY not in output


def test_every_post_form_carries_the_token_without_javascript(plain: RunningServer) -> None:
    client = signed_in(plain)
    html = client.http.get("/studio/projects").text
    forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S)
    assert len(forms) >= 3  # sign out, create, import
    for form in forms:
        assert f'<input type="hidden" name="csrf_token" value="{client.token}">' in form
    # A plain form post with just the page's fields (no header, no script) is accepted.
    response = client.http.post("/studio/projects", data={"name": "NoScript", "language": "en-us",
                                                          "csrf_token": client.token}, headers={"Origin": plain.url})
    assert response.status_code == 303 and project_exists(plain, "NoScript")
