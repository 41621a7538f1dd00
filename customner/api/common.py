"""Shared pieces of the HTTP layer: the subscription key, absolute URLs, api-versions and paging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from customner import errors
from customner.access import keys, policy
from customner.access.policy import KeyPrincipal
from customner.context import AppContext
from customner.web import KEY_HEADER, base_url, get_context

# The GA versions, plus the default of azure-ai-textanalytics 6.0.0b3 (same wire shapes for custom NER).
RUNTIME_API_VERSIONS = ("2022-05-01", "2023-04-01", "2024-11-01", "2025-11-01", "2026-05-15-preview")
# The job input's optional ``cancelAfter`` (seconds) exists from 2025-11-01 on; older versions ignore it.
CANCEL_AFTER_API_VERSIONS = ("2025-11-01", "2026-05-15-preview")
AUTHORING_API_VERSIONS = ("2022-05-01", "2023-04-01", "2023-04-15-preview", "2025-05-15-preview")
# Model snapshots (A28: load-snapshot) arrived with 2023-04-01.
SNAPSHOT_API_VERSIONS = AUTHORING_API_VERSIONS[1:]
# Preview-only operations (:evaluate, :authorize-copy/:copy, global/prebuilt-entities, global/deployments/resources).
PREVIEW_API_VERSIONS = ("2023-04-15-preview", "2025-05-15-preview")
MISSING_KEY = ("Access denied due to missing subscription key. Make sure to include subscription key when "
               "making requests to an API.")
INVALID_KEY = ("Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid "
               "key for an active subscription and use a correct regional API endpoint for your resource.")


# Pure dependencies are ``async def``: FastAPI calls a plain ``def`` dependency through its thread pool, a hop per
# dependency per request (the key check stays a ``def``: it may read the database).
async def _context(request: Request) -> AppContext:
    return get_context(request)


Context = Annotated[AppContext, Depends(_context)]


# Global authoring reads that say nothing about any project: open to project-limited keys too.
PROJECT_FREE_PATHS = ("/language/authoring/analyze-text/projects/global/languages",
                      "/language/authoring/analyze-text/projects/global/training-config-versions")
QUERY_KEY = "subscription-key"
QUERY_KEY_OFF = (" The subscription-key query parameter is turned off on this server (CUSTOMNER_ALLOW_QUERY_KEY); "
                 "send the key in the Ocp-Apim-Subscription-Key header.")


def require_key(request: Request) -> KeyPrincipal:
    """APIM's check: the key in the header (or the ``subscription-key`` query when allowed). Never a cookie."""
    context = get_context(request)
    given = request.headers.get(KEY_HEADER)
    if given is None and QUERY_KEY in request.query_params:
        if not context.settings.allow_query_key:
            raise errors.Unauthorized(MISSING_KEY + QUERY_KEY_OFF)
        given = request.query_params[QUERY_KEY]
    if given is None:
        raise errors.Unauthorized(MISSING_KEY)
    principal = keys.resolve(context.db, given, request.app.state.api_key)
    if principal is None:
        raise errors.Unauthorized(INVALID_KEY)
    request.state.key_principal = principal
    return principal


def key_for(group: str) -> Callable[[Request], KeyPrincipal]:
    """The dependency guarding one API route group: a valid key whose scope (and project list) allows the call."""

    def check(request: Request) -> KeyPrincipal:
        principal = require_key(request)
        policy.require_scope(principal, group)
        if principal.projects:
            project = request.path_params.get("project_name")
            container = request.path_params.get("container")
            if project is not None:
                policy.require_projects(principal, [project])
            elif container is not None:
                owners = keys.projects_of_container(get_context(request).db, container)
                if not any(name in principal.projects for name in owners):
                    policy.require_any_project(principal, f"the storage container '{container}'")
            elif group != "runtime" and not request.url.path.startswith(PROJECT_FREE_PATHS):
                policy.require_any_project(principal, "this operation")
        return principal

    return check


def authorize_projects(request: Request, projects: list[str]) -> None:
    """Runtime jobs name their projects in the body: a project-limited key may only submit, read or cancel its own."""
    principal: KeyPrincipal | None = getattr(request.state, "key_principal", None)
    if principal is not None:
        policy.require_projects(principal, projects)


class UnsupportedApiVersion(errors.NotFound):
    """What Azure's gateway answers for an api-version it does not route: a bare 404 with code "404"."""

    code = "404"
    inner_code = "UnsupportedApiVersion"


def _api_version(request: Request, supported: tuple[str, ...]) -> str:
    version = request.query_params.get("api-version")
    if version not in supported:
        shown = "missing" if version is None else f"'{version}'"
        raise UnsupportedApiVersion(
            "Resource not found", inner_message=f"The api-version is {shown}. Supported: {', '.join(supported)}.")
    return version


async def runtime_version(request: Request) -> str:
    return _api_version(request, RUNTIME_API_VERSIONS)


async def authoring_version(request: Request) -> str:
    return _api_version(request, AUTHORING_API_VERSIONS)


RuntimeVersion = Annotated[str, Depends(runtime_version)]
async def snapshot_version(request: Request) -> str:
    return _api_version(request, SNAPSHOT_API_VERSIONS)


async def preview_version(request: Request) -> str:
    return _api_version(request, PREVIEW_API_VERSIONS)


AuthoringVersion = Annotated[str, Depends(authoring_version)]
SnapshotVersion = Annotated[str, Depends(snapshot_version)]
PreviewVersion = Annotated[str, Depends(preview_version)]


def require_utf16(string_index_type: str) -> None:
    """Authoring speaks only UTF-16 code units (the spec's enum has one value), in any letter case:
    Azure's own authoring SDK test sends ``UTF16CodeUnit`` and Azure answers 200."""
    if string_index_type.casefold() != "utf16codeunit":
        raise errors.InvalidParameterValue(
            "Invalid parameter in request",
            inner_message=f"stringIndexType '{string_index_type}' is not supported here; the only value is Utf16CodeUnit.")


@dataclass
class Page:
    """Authoring list paging: ``top`` caps the whole listing, ``maxpagesize`` one page."""

    skip: int
    top: int | None
    maxpagesize: int

    @property
    def limit(self) -> int:
        return self.maxpagesize if self.top is None else min(self.top, self.maxpagesize)

    def body(self, request: Request, items: list[Any], total: int) -> dict[str, Any]:
        next_skip = self.skip + len(items)
        remaining_top = None if self.top is None else self.top - len(items)
        more = next_skip < total and (remaining_top is None or remaining_top > 0)
        next_link = None
        if more:
            query = {k: v for k, v in request.query_params.items() if k != "subscription-key"}  # never echo a key
            query.update(skip=str(next_skip), maxpagesize=str(self.maxpagesize))
            if remaining_top is not None:
                query["top"] = str(remaining_top)
            next_link = f"{base_url(request)}{request.url.path}?{urlencode(query)}"
        return {"value": items, "nextLink": next_link}


INT32_MAX = 2**31 - 1  # Azure's paging parameters are int32 (its own nextLinks use top=2147483645)


async def page_params(
    skip: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    top: Annotated[int | None, Query(ge=0, le=INT32_MAX)] = None,
    maxpagesize: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Page:
    return Page(skip=skip, top=top, maxpagesize=maxpagesize)


Paging = Annotated[Page, Depends(page_params)]


def json_response(body: object, headers: dict[str, str] | None = None, status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers=headers)


def accepted(operation_location: str) -> Response:
    """Azure's 202: empty body, the job URL in ``operation-location``."""
    return Response(status_code=202, headers={"operation-location": operation_location})
