"""Team page (owners): Studio users and their roles, and named API keys (created, shown once, revoked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from customner.access import keys, users
from customner.access.policy import ROLES, SCOPES
from customner.studio.web import Studio, StudioRoute, current_actor, flash, redirect, render

router = APIRouter(route_class=StudioRoute)


def _page(request: Request, context: Studio, status_code: int = 200, new_key: tuple[str, str] | None = None) -> Response:
    return render(request, "team.html", status_code=status_code, users=users.listing(context.db),
                  keys=keys.listing(context.db), roles=ROLES, scopes=SCOPES, new_key=new_key)


@router.get("/team")
def team_page(request: Request, context: Studio) -> Response:
    return _page(request, context)


@router.post("/team/users")
def add_user(request: Request, context: Studio, username: Annotated[str, Form()], role: Annotated[str, Form()],
             password: Annotated[str, Form()]) -> Response:
    user = users.add(context.db, username.strip(), role, password)
    flash(request, f"User '{user.name}' added as {user.role}.")
    return redirect(request, "/studio/team")


@router.post("/team/users/{user}/delete")
def remove_user(request: Request, context: Studio, user: str) -> Response:
    users.remove(context.db, user)
    if user == current_actor(request):
        return redirect(request, "/studio/signin")
    flash(request, f"User '{user}' removed; their sessions have ended.")
    return redirect(request, "/studio/team")


@router.post("/team/keys")
def create_key(request: Request, context: Studio, name: Annotated[str, Form()], scope: Annotated[str, Form()],
               projects: Annotated[str, Form()] = "") -> Response:
    """The new key is in this one answer only (never stored, never put in the session)."""
    key, info = keys.create(context.db, name.strip(), scope, projects.replace(",", " ").split())
    return _page(request, context, status_code=201, new_key=(info.name, key))


@router.post("/team/keys/{key}/revoke")
def revoke_key(request: Request, context: Studio, key: str) -> Response:
    keys.revoke(context.db, key)
    flash(request, f"Key '{key}' revoked; every server refuses it from now on.")
    return redirect(request, "/studio/team")
