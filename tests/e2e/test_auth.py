"""Every API route refuses a missing or wrong key with APIM's 401; /health needs none."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.server import RunningServer


def api_routes(server: RunningServer) -> list[tuple[str, str]]:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    routes = []
    for path, operations in spec["paths"].items():
        if path == "/health":
            continue
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        routes += [(method.upper(), concrete) for method in operations]
    return routes


def test_health_needs_no_key(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/health")
    assert response.status_code == 200 and response.json()["status"] == "healthy"


@pytest.mark.parametrize("headers", [{}, {"Ocp-Apim-Subscription-Key": "wrong"}], ids=["missing", "wrong"])
def test_every_api_route_requires_the_key(server: RunningServer, headers: dict[str, str]) -> None:
    routes = api_routes(server)
    assert len(routes) >= 35
    for method, path in routes:
        response = httpx.request(method, f"{server.url}{path}", params={"api-version": "2022-05-01"}, headers=headers,
                                 json={})
        assert response.status_code == 401, (method, path, response.text)
        error = response.json()["error"]
        assert error["code"] == "401"
        assert ("missing" if not headers else "invalid") in error["message"]


