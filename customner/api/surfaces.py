"""The API surfaces and how each words its errors: the one place that knows which surface a request is on.

Each surface's routers are built with its ``route_class``, whose handler renders the service and validation errors
raised in its routes (key checks, body parsing, services) in the surface's dialect. What no route owns (an
unmatched path, a body refused by the middleware, an unexpected failure) falls to the app handlers in ``errors.py``,
in the current Azure dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from customner.api.errors import Dialect, same, service_error_response, validation_error_response
from customner.errors import ServiceError

# The v3.2-preview.2 spec names some codes differently from GA: its enums are older.
_V32_CODES = {"ProjectNotFound": "NotFound"}
_V32_INNER_CODES = {"MissingInputDocuments": "MissingInputRecords"}


def v32_dialect(error: dict[str, Any]) -> dict[str, Any]:
    """Rename codes for the v3.2-preview.2 surface."""
    error = dict(error, code=_V32_CODES.get(error["code"], error["code"]))
    if "innererror" in error:
        inner = error["innererror"]
        error["innererror"] = dict(inner, code=_V32_INNER_CODES.get(inner["code"], inner["code"]))
    return error


def _route_class(dialect: Dialect) -> type[APIRoute]:
    class SurfaceRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def in_dialect(request: Request) -> Response:
                try:
                    return await handler(request)
                except ServiceError as error:
                    return service_error_response(error, dialect)
                except RequestValidationError as error:
                    return validation_error_response(error, dialect)

            return in_dialect

    return SurfaceRoute


@dataclass(frozen=True)
class Surface:
    """One Azure API family: its error dialect and, for a runtime surface, where its job bodies show task ``i``.

    ``name`` is stable: an analysis job keeps the name of the surface that took it (``submitted_via``).
    """

    name: str
    dialect: Dialect
    task_pointer: str | None = None
    route_class: type[APIRoute] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "route_class", _route_class(self.dialect))


RUNTIME_V32 = Surface("runtime-v3.2", v32_dialect, task_pointer="#/tasks/customEntityRecognitionTasks/{}")
RUNTIME_GA = Surface("runtime-ga", same, task_pointer="#/tasks/items/{}")
RUNTIME_SURFACES = {surface.name: surface for surface in (RUNTIME_V32, RUNTIME_GA)}
# The authoring API (every api-version speaks today's codes) and the storage-container emulation beside it.
AUTHORING = Surface("authoring", same)
STORAGE = Surface("storage", same)
