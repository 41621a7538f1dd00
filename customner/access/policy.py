"""The one place that decides who may do what: Studio roles and API key scopes.

Every check in the code asks this module; the tables below are the whole policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from customner import errors

ROLES = ("owner", "reviewer", "annotator")
SCOPES = ("runtime", "authoring")

# Studio actions -> the roles allowed to take them. Owners may do everything.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "label": frozenset(ROLES),  # annotators: only their own copy of documents assigned to them
    "review": frozenset({"owner", "reviewer"}),
    "accept": frozenset({"owner", "reviewer"}),
    "train": frozenset({"owner", "reviewer"}),
    "deploy": frozenset({"owner", "reviewer"}),
    "test": frozenset({"owner", "reviewer"}),
    "assign": frozenset({"owner"}),
    "edit_project": frozenset({"owner"}),
    "manage_users": frozenset({"owner"}),
    "manage_keys": frozenset({"owner"}),
}
ACTION_WORDS = {
    "view": "view this page", "label": "label documents", "review": "review labels", "accept": "accept reviewed labels",
    "train": "train models", "deploy": "deploy models", "test": "test models", "edit_project": "change projects",
    "assign": "assign documents to annotators",
    "manage_users": "manage users", "manage_keys": "manage API keys",
}

# Studio routes (method, path template as declared in customner/studio/routes, without "/studio") -> action.
# A GET not listed is "view"; any other request not listed is
# "edit_project" (owners only), so a new page is closed to other roles until it is listed here.
STUDIO_ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/projects/{name}/documents/{document_id}/labels.json"): "label",
    ("POST", "/projects/{name}/documents/{document_id}/dataset"): "label",
    ("POST", "/projects/{name}/documents/{document_id}/rejections.json"): "label",
    ("GET", "/projects/{name}/assign"): "assign",
    ("POST", "/projects/{name}/assign"): "assign",
    ("GET", "/projects/{name}/review"): "review",
    ("GET", "/projects/{name}/review/{document_id}"): "review",
    ("POST", "/projects/{name}/review/{document_id}"): "accept",
    ("GET", "/projects/{name}/agreement"): "review",
    ("POST", "/projects/{name}/train"): "train",
    ("POST", "/projects/{name}/train/jobs/{job_id}/cancel"): "train",
    ("POST", "/projects/{name}/suggestions-model"): "train",
    ("POST", "/projects/{name}/deploy"): "deploy",
    ("POST", "/projects/{name}/deploy/swap"): "deploy",
    ("POST", "/projects/{name}/deploy/{deployment}/delete"): "deploy",
    ("POST", "/projects/{name}/test"): "test",
    ("GET", "/team"): "manage_users",
    ("POST", "/team/users"): "manage_users",
    ("POST", "/team/users/{user}/delete"): "manage_users",
    ("POST", "/team/keys"): "manage_keys",
    ("POST", "/team/keys/{key}/revoke"): "manage_keys",
}
# Routes anyone may call, signed in or not (the sign-in page itself).
PUBLIC_ROUTES = frozenset({"/signin", "/signout", "/static/{name}", "/", ""})

# API route groups -> the key scopes allowed to call them.
SCOPE_GROUPS: dict[str, frozenset[str]] = {
    "runtime": frozenset({"runtime", "authoring"}),
    "authoring": frozenset({"authoring"}),
    "storage": frozenset({"authoring"}),
}


class Forbidden(errors.ServiceError):
    """A known caller asking for something outside its role or scope."""

    status_code = 403
    code = "Forbidden"


@dataclass(frozen=True)
class Principal:
    """Who is signed in to Studio: a user, or the bootstrap key acting as the first owner."""

    name: str
    role: str
    kind: str  # "user" or "key"


@dataclass(frozen=True)
class KeyPrincipal:
    """Who is calling the API: a named key (or the bootstrap key, named "bootstrap") and what it may reach."""

    name: str
    scope: str
    projects: tuple[str, ...] = field(default=())


def studio_action(method: str, path_template: str) -> str:
    action = STUDIO_ROUTES.get((method, path_template))
    if action is not None:
        return action
    return "view" if method in ("GET", "HEAD") else "edit_project"


def allowed(role: str, action: str) -> bool:
    return role in ROLE_ACTIONS.get(action, frozenset({"owner"}))


def require_role(principal: Principal, action: str) -> None:
    if not allowed(principal.role, action):
        raise Forbidden(f"Your role ({principal.role}) may not {ACTION_WORDS.get(action, action)}. "
                        f"Ask an owner of this server if you need it.")


def require_scope(key: KeyPrincipal, group: str) -> None:
    if key.scope not in SCOPE_GROUPS[group]:
        raise Forbidden(f"The key '{key.name}' has scope '{key.scope}', which does not allow {group} operations. "
                        f"Use a key with scope 'authoring'.")


def require_projects(key: KeyPrincipal, projects: Iterable[str]) -> None:
    """A project-limited key may only touch its own projects."""
    if not key.projects:
        return
    for project in projects:
        if project not in key.projects:
            raise Forbidden(f"The key '{key.name}' is limited to the projects {', '.join(key.projects)}; "
                            f"it may not use project '{project}'.")


def require_any_project(key: KeyPrincipal, what: str) -> None:
    """Operations that span every project (listing them, for instance) need a key that is not project-limited."""
    if key.projects:
        raise Forbidden(f"The key '{key.name}' is limited to the projects {', '.join(key.projects)}; "
                        f"{what} needs a key for every project.")
