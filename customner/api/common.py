"""Shared pieces of the HTTP layer: the subscription key, absolute URLs, api-versions and paging."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from customner import errors
from customner.context import AppContext

KEY_HEADER = "Ocp-Apim-Subscription-Key"
# The GA versions, plus the default of azure-ai-textanalytics 6.0.0b3 (same wire shapes for custom NER).
RUNTIME_API_VERSIONS = ("2022-05-01", "2023-04-01", "2024-11-01", "2026-05-15-preview")
AUTHORING_API_VERSIONS = ("2022-05-01", "2023-04-01", "2025-05-15-preview")
# Model snapshots (A28: load-snapshot) arrived with 2023-04-01.
SNAPSHOT_API_VERSIONS = AUTHORING_API_VERSIONS[1:]
MISSING_KEY = ("Access denied due to missing subscription key. Make sure to include subscription key when "
               "making requests to an API.")
INVALID_KEY = ("Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid "
               "key for an active subscription and use a correct regional API endpoint for your resource.")


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]


QUERY_KEY = "subscription-key"
QUERY_KEY_OFF = (" The subscription-key query parameter is turned off on this server (CUSTOMNER_ALLOW_QUERY_KEY); "
                 "send the key in the Ocp-Apim-Subscription-Key header.")


def require_key(request: Request) -> None:
    """APIM's check: the key in the header (or the ``subscription-key`` query when allowed). Never a cookie."""
    expected: str = request.app.state.api_key
    given = request.headers.get(KEY_HEADER)
    if given is None and QUERY_KEY in request.query_params:
        if not get_context(request).settings.allow_query_key:
            raise errors.Unauthorized(MISSING_KEY + QUERY_KEY_OFF)
        given = request.query_params[QUERY_KEY]
    if given is None:
        raise errors.Unauthorized(MISSING_KEY)
    if not secrets.compare_digest(given.encode(), expected.encode()):
        raise errors.Unauthorized(INVALID_KEY)


def base_url(request: Request) -> str:
    """Absolute base for operation-location: the configured public URL, else what the client called."""
    configured = get_context(request).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


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


def runtime_version(request: Request) -> str:
    return _api_version(request, RUNTIME_API_VERSIONS)


def authoring_version(request: Request) -> str:
    return _api_version(request, AUTHORING_API_VERSIONS)


RuntimeVersion = Annotated[str, Depends(runtime_version)]
def snapshot_version(request: Request) -> str:
    return _api_version(request, SNAPSHOT_API_VERSIONS)


AuthoringVersion = Annotated[str, Depends(authoring_version)]
SnapshotVersion = Annotated[str, Depends(snapshot_version)]


def require_utf16(string_index_type: str) -> None:
    """Authoring speaks only UTF-16 code units (the spec's enum has one value)."""
    if string_index_type != "Utf16CodeUnit":
        raise errors.InvalidParameterValue(
            "Invalid parameter in request",
            inner_message=f"stringIndexType '{string_index_type}' is not supported here; the only value is Utf16CodeUnit.")


def url_with(request: Request, path: str, **query: Any) -> str:
    params = {k: v for k, v in query.items() if v is not None}
    return f"{base_url(request)}{path}" + (f"?{urlencode(params)}" if params else "")


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


def page_params(
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
