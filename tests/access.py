"""Helpers for access tests: a Studio client that signs in over plain HTTP like a browser would."""

from __future__ import annotations

import re

import httpx

from tests.server import RunningServer

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


class StudioClient:
    """An httpx client holding a Studio session cookie; ``post`` sends Origin and the CSRF token like the page does."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=60)
        self.token = ""

    def sign_in(self, *, key: str = "", username: str = "", password: str = "") -> httpx.Response:
        response = self.http.post("/studio/signin", headers={"Origin": self.server.url},
                                  data={"key": key, "username": username, "password": password})
        if response.status_code == 303:
            self.refresh_token()
        return response

    def refresh_token(self) -> str:
        page = self.http.get("/studio/projects")
        match = TOKEN.search(page.text)
        self.token = match.group(1) if match else ""
        return self.token

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: object) -> httpx.Response:
        headers = {"Origin": self.server.url, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return self.http.post(path, data={"csrf_token": self.token, **(data or {})}, headers=headers,
                              **kwargs)  # type: ignore[arg-type]

    @property
    def cookie(self) -> str:
        return self.http.cookies.get("customner_session", "")
