"""What every Studio page shares: templates, the sign-in guard, and errors shown as readable pages."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2.ext import Extension

from customner import errors
from customner.access import policy
from customner.access.policy import Principal
from customner.context import AppContext
from customner.studio import sessions
from customner.web import BodyTooLarge, get_context

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
CSRF_FORM = re.compile(r"""(<form\b[^>]*\bmethod=["']?post["']?[^>]*>)""", re.IGNORECASE)


class CsrfFormFields(Extension):
    """Every POST form of every Studio template carries the session's CSRF token as a hidden field.

    Done once, when a template is compiled, so no template (nor a new one) can forget it; pages that
    JavaScript changes later are covered by studio.js, which adds the same field and header.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        field = '{% if csrf_token %}<input type="hidden" name="csrf_token" value="{{ csrf_token }}">{% endif %}'
        return CSRF_FORM.sub(lambda match: match.group(1) + field, source)


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.add_extension(CsrfFormFields)
templates.env.globals["allowed"] = policy.allowed


class SignInRequired(Exception):
    """Raised by the guard; the route class turns it into a redirect to the sign-in page."""


def current_principal(request: Request) -> Principal | None:
    """Who is signed in to this Studio request (a user, or the bootstrap key as owner), or None."""
    active = sessions.active(request)
    return active.principal if active is not None else None


def current_actor(request: Request) -> str:
    """The signed-in user's name ("owner" for a key sign-in), for audit trails."""
    principal = current_principal(request)
    if principal is None:
        raise SignInRequired
    return principal.name


def current_role(request: Request) -> str:
    """The signed-in user's role: owner, reviewer or annotator."""
    principal = current_principal(request)
    if principal is None:
        raise SignInRequired
    return principal.role


def csrf_token(request: Request) -> str:
    """The session's CSRF token, for forms and htmx/fetch headers (empty when nobody is signed in)."""
    active = sessions.active(request)
    return active.csrf_token if active is not None else ""


def signed_in(request: Request) -> AppContext:
    """The guard of every page but sign-in: a live server-side session."""
    if current_principal(request) is None:
        raise SignInRequired
    return get_context(request)


Studio = Annotated[AppContext, Depends(signed_in)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("flash", request.session.pop("flash", None))
    values.setdefault("principal", current_principal(request))
    values.setdefault("csrf_token", csrf_token(request))
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


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _check_origin(request: Request) -> None:
    """An unsafe request must come from a page of this server (Origin, else Referer, must name it)."""
    own = {_origin(str(request.base_url))}
    public = get_context(request).settings.public_url
    if public:
        own.add(_origin(public))
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent or _origin(sent) not in own:
        raise policy.Forbidden("This form was sent from another site (or without an Origin header), so it was "
                               "refused. Open Studio from this server's address and try again.")


async def _check_csrf(request: Request) -> None:
    """Every unsafe request of a signed-in session carries the session's token (header or form field)."""
    expected = csrf_token(request)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(given.encode(), expected.encode()):
        raise policy.Forbidden("This page has expired or the form lacks its security token. Reload the page and "
                               "try again.")


async def check_access(request: Request, path_template: str) -> None:
    """Origin and CSRF token for unsafe requests, then the role policy, before any Studio handler runs."""
    unsafe = request.method not in SAFE_METHODS
    if unsafe:
        _check_origin(request)
    if path_template in policy.PUBLIC_ROUTES:
        if unsafe and path_template == "/signout" and current_principal(request) is not None:
            await _check_csrf(request)
        return
    principal = current_principal(request)
    if principal is None:
        raise SignInRequired
    if unsafe:
        await _check_csrf(request)
    policy.require_role(principal, policy.studio_action(request.method, path_template))


class StudioRoute(APIRoute):
    """Catches service errors and failures so no Studio page is a stack trace or blank."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                await check_access(request, self.path_format)
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
