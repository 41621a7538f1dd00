"""``/openapi.json`` as the service really behaves, not as FastAPI guesses.

FastAPI documents 422 validation errors, which we never send (they become Azure's 400 envelope), and it
cannot see ``api-version`` (read by a dependency so that an unsupported version is a 404, as on Azure).
This fixes both, adds the key header, and documents the error statuses every route can answer.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from customner.api.common import AUTHORING_API_VERSIONS, RUNTIME_API_VERSIONS, SNAPSHOT_API_VERSIONS
from customner.api.wire_models import ErrorResponse
from customner.web import KEY_HEADER

ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
_ERRORS = {
    "400": "Invalid request (Azure envelope, `innererror` says why).",
    "401": "Missing or invalid subscription key.",
    "404": "Unknown resource, or an api-version this route does not serve (code \"404\").",
}
# Operations that can also conflict with the project's state or limits.
_CONFLICTS = {("post", ":train"), ("put", "/deployments/{deployment_name}")}


def _api_versions(path: str) -> tuple[str, ...] | None:
    if path.startswith("/language/analyze-text"):
        return RUNTIME_API_VERSIONS
    if "/load-snapshot" in path:
        return SNAPSHOT_API_VERSIONS
    if path.startswith("/language/authoring"):
        return AUTHORING_API_VERSIONS
    return None


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def rewrite(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorResponse"] = error_schema
    components["securitySchemes"] = {"apiKey": {"type": "apiKey", "in": "header", "name": KEY_HEADER}}
    for path, operations in spec.get("paths", {}).items():
        versions = _api_versions(path)
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if "$ref" in media.get("schema", {}):
                    media["schema"] = {"$ref": media["schema"]["$ref"]}
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if path == "/health":
                continue
            operation["security"] = [{"apiKey": []}]
            for status, description in _ERRORS.items():
                responses.setdefault(status, _error_response(description))
            if any(method == m and path.endswith(suffix) for m, suffix in _CONFLICTS):
                responses.setdefault("409", _error_response("Conflict with the project's state or limits."))
            for status in ("202", "204"):
                if status in responses:
                    responses[status].pop("content", None)
            if versions is not None:
                parameters = [p for p in operation.get("parameters", []) if p.get("name") != "api-version"]
                parameters.insert(0, {"name": "api-version", "in": "query", "required": True,
                                      "schema": {"type": "string", "enum": list(versions)},
                                      "description": "The API version; others are answered with 404."})
                operation["parameters"] = parameters
    return spec


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = rewrite(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
