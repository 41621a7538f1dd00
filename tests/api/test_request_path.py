"""What every API request pays before its handler runs, checked on the real routers."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from customner.api import authoring, runtime_ga, runtime_v32, storage
from customner.app import create_app
from customner.settings import Settings


def _routes(router: Any) -> Iterator[APIRoute]:
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router (FastAPI 0.165 keeps it whole)
            yield from _routes(route.original_router)


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


@pytest.mark.parametrize("router", [runtime_ga.router, runtime_v32.router, authoring.router, storage.router],
                         ids=["runtime GA", "runtime v3.2", "authoring", "storage"])
def test_route_dependencies_run_on_the_event_loop(router: Any) -> None:
    """FastAPI runs a plain ``def`` dependency through its thread pool: the context and api-version dependencies
    were two such hops on each runtime request (a poll's server CPU 1.94 -> 1.74 ms once they were async)."""
    routes = list(_routes(router))
    assert len(routes) >= 2
    hopping = {f"{route.path}: {dependency.call.__name__}"  # type: ignore[union-attr]
               for route in routes for dependency in _dependencies(route.dependant)
               if dependency.call is not None and not inspect.iscoroutinefunction(dependency.call)}
    assert not hopping, sorted(hopping)


def test_health_is_matched_before_the_api_routes(tmp_path: Path) -> None:
    """Starlette tries the routes in order: registered last, ``/health`` was tried against every API route first
    (0.57 -> 0.40 ms of server CPU a probe once it came first)."""
    routes = create_app(Settings(data_dir=tmp_path, api_key="k" * 32)).router.routes
    health = next(i for i, route in enumerate(routes) if getattr(route, "path", None) == "/health")
    first_router = next(i for i, route in enumerate(routes) if hasattr(route, "original_router"))
    assert health < first_router
