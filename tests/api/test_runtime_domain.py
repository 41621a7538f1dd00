"""Issue 9 guarantees for the runtime: rows hold domain data, each surface's routes speak its own error dialect,
and Studio's Test page reads domain types, not the wire format."""

from __future__ import annotations

import importlib
import pkgutil
import re

import grimp
from fastapi import APIRouter
from fastapi.routing import APIRoute

import customner.api
from customner.api import runtime_ga, runtime_v32
from customner.api.surfaces import AUTHORING, RUNTIME_GA, RUNTIME_V32, STORAGE
from customner.jobs import lifecycle
from tests.conftest import DEMO_DEPLOYMENT, DEMO_PROJECT
from tests.rows import json_keys
from tests.server import RunningServer

GA_JOBS = "/language/analyze-text/jobs"
V32_ANALYZE = "/text/analytics/v3.2-preview.2/analyze"
SNAKE = re.compile(r"^[a-z0-9_]+$")
DOCUMENTS = [{"id": "a", "text": "Book a table at Chez Marie in Lisbon."}, {"id": "b", "text": " "}]




def test_an_analysis_row_holds_snake_case_domain_data_only(deployed: RunningServer) -> None:
    tasks = [{"kind": "CustomEntityRecognition", "parameters": {"projectName": DEMO_PROJECT, "deploymentName": name}}
             for name in (DEMO_DEPLOYMENT, "NoSuchDeployment")]
    response = deployed.client.post(GA_JOBS, params={"api-version": "2023-04-01"},
                                    json={"displayName": "rows", "analysisInput": {"documents": DOCUMENTS}, "tasks": tasks})
    body = deployed.wait_job(response.headers["operation-location"])
    assert body["status"] == "partiallyCompleted" and body["errors"][0]["target"] == "#/tasks/items/1"
    row = lifecycle.load(deployed.context.db, response.headers["operation-location"].split("/")[-1].split("?")[0])
    assert row is not None
    stored = json_keys(row.payload) | json_keys(row.result)
    assert {"confidence", "characters", "document_errors", "inner_code", "last_update"} <= stored
    assert all(SNAKE.match(key) for key in stored), sorted(key for key in stored if not SNAKE.match(key))
    assert row.errors == []  # a failed task's error lives on its task; the renderer lists it


def test_every_runtime_route_belongs_to_its_surface() -> None:
    for router, surface in ((runtime_ga.router, RUNTIME_GA), (runtime_v32.router, RUNTIME_V32)):
        routes = [route for route in router.routes if isinstance(route, APIRoute)]
        assert routes and all(type(route) is surface.route_class for route in routes)


def test_every_api_router_belongs_to_a_surface() -> None:
    """Which dialect an error is worded in is decided by the router's surface, for every router of ``api/``."""
    surfaces = {RUNTIME_GA.route_class, RUNTIME_V32.route_class, AUTHORING.route_class, STORAGE.route_class}
    modules = [importlib.import_module(info.name)
               for info in pkgutil.walk_packages(customner.api.__path__, "customner.api.")]
    routers = {f"{module.__name__}.{name}": value for module in modules for name, value in vars(module).items()
               if isinstance(value, APIRouter) and any(isinstance(route, APIRoute) for route in value.routes)}
    assert len(routers) >= 10
    # /health, /ready and /metrics are the service's own, not Azure's
    strays = [name for name, router in routers.items()
              if router.route_class not in surfaces and name != "customner.api.operations.router"]
    assert not strays, strays


def test_the_v32_routes_rename_error_codes_and_the_ga_routes_do_not(server: RunningServer) -> None:
    """The same refusal (a batch without tasks) in each surface's words, decided by the route, not the path."""
    ga = server.client.post(GA_JOBS, params={"api-version": "2023-04-01"},
                            json={"analysisInput": {"documents": DOCUMENTS}, "tasks": []})
    v32 = server.client.post(V32_ANALYZE, json={"analysisInput": {"documents": DOCUMENTS},
                                                "tasks": {"customEntityRecognitionTasks": []}})
    assert (ga.status_code, v32.status_code) == (400, 400)
    assert ga.json()["error"]["innererror"]["code"] == "MissingInputDocuments"
    assert v32.json()["error"]["innererror"]["code"] == "MissingInputRecords"


def test_studio_test_page_does_not_speak_the_wire_format() -> None:
    graph = grimp.build_graph("customner", exclude_type_checking_imports=True)
    imported = graph.find_modules_directly_imported_by("customner.studio.routes.testing")
    assert not [module for module in imported if module.startswith("customner.api")]
    assert not [module for module in graph.find_modules_directly_imported_by("customner.services.analysis")
                if module.startswith(("customner.api", "customner.studio"))]
