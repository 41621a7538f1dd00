"""Render every error, ours or the framework's, in Azure's envelope. Never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from customner.blobs import UnsafeBlobKey
from customner.errors import ServiceError, TooManyRequests
from customner.web import BodyTooLarge

log = logging.getLogger(__name__)


def envelope(error: dict[str, Any], status_code: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status_code, headers=headers)


def resource_not_found(message: str = "Resource not found") -> dict[str, Any]:
    return {"code": "404", "message": message}


Dialect = Callable[[dict[str, Any]], dict[str, Any]]
"""How a surface words an error object: its code names (see ``api/surfaces.py``)."""


def same(error: dict[str, Any]) -> dict[str, Any]:
    """The current Azure dialect: errors as the services name them."""
    return error


def service_error_response(exc: ServiceError, dialect: Dialect = same) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    return envelope(dialect(exc.to_dict()), exc.status_code, headers)


def validation_error_response(exc: RequestValidationError, dialect: Dialect = same) -> JSONResponse:
    problems = []
    body_format = False
    for item in exc.errors():
        location = "/".join(str(part) for part in item.get("loc", ()) if part != "body")
        body_format |= item.get("type") == "json_invalid" or (item.get("type") == "model_attributes_type" and location == "")
        problems.append(f"{location or 'body'}: {item.get('msg')}")
    inner_code = "InvalidRequestBodyFormat" if body_format else "InvalidParameterValue"
    message = "Request body must be valid JSON. " if body_format else "Invalid parameter in request. "
    return envelope(dialect(
        {"code": "InvalidRequest", "message": message.strip(),
         "innererror": {"code": inner_code, "message": "; ".join(problems)[:2000]}}),
        400,
    )


async def service_error(request: Request, exc: Exception) -> JSONResponse:
    """A service error outside any surface's routes (authoring, storage, operations)."""
    assert isinstance(exc, ServiceError)
    return service_error_response(exc)


async def unsafe_blob_key(request: Request, exc: Exception) -> JSONResponse:
    """Names are checked before they reach the store; this catches what slipped by (a symlink leading out)."""
    log.warning("refused blob key on %s %s: %s", request.method, request.url.path, exc)
    return envelope({"code": "InvalidRequest", "message": "The name refers to a location outside its storage area.",
                     "innererror": {"code": "InvalidParameterValue", "message": str(exc)}}, 400)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_error_response(exc)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return envelope(dict(resource_not_found(), innererror={
            "code": "NotFound", "message": f"No route matches {request.method} {request.url.path}."}), 404)
    if exc.status_code == 405:
        return envelope({"code": "InvalidRequest", "message": f"Method {request.method} is not allowed here.",
                         "innererror": {"code": "InvalidRequest", "message": str(exc.detail)}}, 405)
    if isinstance(exc, BodyTooLarge):
        return envelope(exc.error.to_dict(), 413, {"Connection": "close"})
    if exc.status_code == 400:
        # Starlette's own 400s: a body that is not UTF-8, a malformed multipart form.
        return envelope({"code": "InvalidRequest", "message": "Request body must be valid JSON.",
                         "innererror": {"code": "InvalidRequestBodyFormat", "message": str(exc.detail)}}, 400)
    code = _CODES_BY_STATUS.get(exc.status_code, str(exc.status_code))
    return envelope({"code": code, "message": str(exc.detail)}, exc.status_code, dict(exc.headers or {}) or None)


_CODES_BY_STATUS = {401: "401", 403: "Forbidden", 409: "Conflict", 413: "InvalidRequest", 415: "InvalidRequest",
                    429: "429", 500: "InternalServerError", 503: "ServiceUnavailable", 504: "Timeout"}


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return envelope({"code": "InternalServerError", "message": "An unexpected error occurred.",
                     "innererror": {"code": "InternalServerError", "message": type(exc).__name__}}, 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(UnsafeBlobKey, unsafe_blob_key)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
