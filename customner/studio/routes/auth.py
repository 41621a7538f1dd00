"""Sign in with the subscription key; the key then lives in the signed session cookie."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from customner.studio.web import HERE, StudioRoute, render

router = APIRouter(route_class=StudioRoute)
STATIC = {"htmx.min.js": "text/javascript", "studio.css": "text/css", "studio.js": "text/javascript",
          "labeler.js": "text/javascript"}


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
def signin(request: Request, key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    expected: str = request.app.state.api_key
    if not key or not secrets.compare_digest(key.strip().encode(), expected.encode()):
        return render(request, "signin.html", status_code=401, next=_safe_next(next),
                      error="That key is not valid for this server. Use the key printed at first start "
                            "(or the CUSTOMNER_API_KEY setting).")
    request.session.clear()
    request.session["key"] = key.strip()
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/signout")
def signout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/studio/signin", status_code=303)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    return FileResponse(HERE / "static" / name, media_type=STATIC[name], headers={"Cache-Control": "max-age=300"})
