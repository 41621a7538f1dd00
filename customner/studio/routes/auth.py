"""Sign in with a user name and password (or the bootstrap key, as owner); sign out ends the session."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from customner.access import users
from customner.access.policy import Principal
from customner.studio import sessions
from customner.studio.web import HERE, StudioRoute, render
from customner.web import get_context

router = APIRouter(route_class=StudioRoute)
STATIC = {"htmx.min.js": "text/javascript", "studio.css": "text/css", "studio.js": "text/javascript",
          "labeler.js": "text/javascript"}
BAD_SIGN_IN = ("That user name and password (or key) are not valid for this server. Users are created by an owner "
               "(`customner users add`); the owner key is printed at first start (or is the CUSTOMNER_API_KEY setting).")


def _safe_next(target: str | None) -> str:
    """Only Studio paths, so the sign-in page cannot be used to redirect elsewhere."""
    if target and target.startswith("/studio/") and "//" not in target and "\\" not in target:
        return target
    return "/studio/projects"


@router.get("/")
def home() -> Response:
    return RedirectResponse("/studio/projects", status_code=303)


@router.get("/signin")
def signin_page(request: Request, next: str | None = None) -> Response:
    return render(request, "signin.html", next=_safe_next(next), error=None)


@router.post("/signin")
def signin(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
           key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    context = get_context(request)
    bootstrap: str = request.app.state.api_key
    principal: Principal | None = None
    if key.strip():
        if secrets.compare_digest(key.strip().encode(), bootstrap.encode()):
            principal = Principal(name="owner", role="owner", kind="key")
    elif username.strip() and password:
        principal = users.authenticate(context.db, username.strip(), password)
    if principal is None:
        return render(request, "signin.html", status_code=401, next=_safe_next(next), error=BAD_SIGN_IN)
    sessions.begin(request, context, principal, bootstrap)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/signout")
def signout(request: Request) -> Response:
    sessions.finish(request, get_context(request))
    return RedirectResponse("/studio/signin", status_code=303)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    return FileResponse(HERE / "static" / name, media_type=STATIC[name], headers={"Cache-Control": "max-age=300"})
