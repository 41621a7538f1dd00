"""What every Studio page shares: templates, the sign-in guard, and errors shown as readable pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from customner import errors
from customner.api.common import get_context, require_key
from customner.api.limits import BodyTooLarge
from customner.context import AppContext

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


class SignInRequired(Exception):
    """Raised by the guard; the route class turns it into a redirect to the sign-in page."""


def signed_in(request: Request) -> AppContext:
    """The guard of every page but sign-in: the session must hold the subscription key."""
    if not request.session.get("key"):
        raise SignInRequired
    try:
        require_key(request)
    except errors.Unauthorized as error:
        request.session.clear()
        raise SignInRequired from error
    return get_context(request)


Studio = Annotated[AppContext, Depends(signed_in)]


def current_actor(request: Request) -> str:
    """Who is signed in (stand-in until sign-in by user name lands: the API key's holder is "owner")."""
    return "owner"


def current_role(request: Request) -> str:
    """The signed-in user's role: "owner", "reviewer" or "annotator" (stand-in: always "owner")."""
    return "owner"


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("flash", request.session.pop("flash", None))
    return templates.TemplateResponse(request, template, values, status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A one-shot message shown on the next page (after a redirect)."""
    request.session["flash"] = {"message": message, "kind": kind}


def redirect(request: Request, url: str) -> Response:
    """A redirect that htmx follows as a full navigation."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def error_response(request: Request, message: str, status_code: int) -> Response:
    if request.url.path.endswith(".json") or "application/json" in request.headers.get("accept", ""):
        from fastapi.responses import JSONResponse

        return JSONResponse({"error": message}, status_code=status_code)
    if is_htmx(request):
        # htmx swaps only 2xx by default; the error partial is shown in the page's alert region instead.
        html = templates.get_template("partials/error.html").render(message=message)
        return HTMLResponse(html, status_code=200, headers={"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML"})
    return render(request, "error.html", status_code=status_code, message=message)


class StudioRoute(APIRoute):
    """Catches service errors and failures so no Studio page is a stack trace or blank."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = "/studio/signin?next=" + quote(str(request.url.path), safe="/")
                return redirect(request, target)
            except BodyTooLarge as error:
                return error_response(request, f"{error.error.message} {error.error.inner_message}", 413)
            except RequestValidationError as error:
                fields = ", ".join(str(item["loc"][-1]) for item in error.errors())
                return error_response(request, f"Some fields are missing or invalid: {fields}.", 422)
            except errors.ServiceError as error:
                detail = f" {error.inner_message}" if error.inner_message and error.inner_message != error.message else ""
                return error_response(request, error.message + detail, error.status_code)
            except Exception:  # noqa: BLE001 - the user gets a readable page; the log keeps the trace
                log.exception("Studio page %s failed", request.url.path)
                return error_response(request, "Something went wrong on the server. The details are in the server log.", 500)

        return guarded
