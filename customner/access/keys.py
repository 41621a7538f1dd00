"""Named API keys with a scope (runtime or authoring) and optional project limits.

A key is 32 random hex characters (128 bits, like Azure's); only its sha256 is stored, so it is shown once.
Keys are looked up in the database on every request: a revoked key is refused at once by every server process.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from customner import errors
from customner.access.policy import SCOPES, KeyPrincipal
from customner.store.database import Database
from customner.store.tables import ApiKey, Project

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
BOOTSTRAP = "bootstrap"  # the name CUSTOMNER_API_KEY answers to; no stored key may take it


@dataclass(frozen=True)
class KeyInfo:
    name: str
    prefix: str
    scope: str
    projects: tuple[str, ...]
    created_at: datetime


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.name, row.prefix, row.scope, tuple(row.projects or ()), row.created_at)


def create(db: Database, name: str, scope: str, projects: Iterable[str] = ()) -> tuple[str, KeyInfo]:
    """A new key; returns the key itself (shown once, never stored) and its description."""
    if not NAME.match(name) or name == BOOTSTRAP:
        raise errors.InvalidArgument("A key name is 1-100 letters, digits, '.', '_' or '-', starting with a letter or "
                                     f"digit (and not '{BOOTSTRAP}').")
    if scope not in SCOPES:
        raise errors.InvalidArgument(f"Unknown scope '{scope}'; use one of: {', '.join(SCOPES)}.")
    limited = tuple(dict.fromkeys(p.strip() for p in projects if p.strip()))
    key = secrets.token_hex(16)
    with db.session() as session:
        if session.get(ApiKey, name) is not None:
            raise errors.Conflict(f"A key named '{name}' already exists; revoke it first or pick another name.")
        row = ApiKey(name=name, key_hash=digest(key), prefix=key[:6], scope=scope, projects=list(limited),
                     created_at=datetime.now(UTC).replace(tzinfo=None))
        session.add(row)
        return key, _info(row)


def listing(db: Database) -> list[KeyInfo]:
    with db.session() as session:
        return [_info(row) for row in session.scalars(select(ApiKey).order_by(ApiKey.name))]


def revoke(db: Database, name: str) -> None:
    with db.session() as session:
        row = session.get(ApiKey, name)
        if row is None:
            raise errors.NotFound(f"There is no key named '{name}'.")
        session.delete(row)


def resolve(db: Database, key: str, bootstrap: str) -> KeyPrincipal | None:
    """Who a presented key is: the bootstrap owner key, a stored key, or nobody (None)."""
    if secrets.compare_digest(key.encode(), bootstrap.encode()):
        return KeyPrincipal(name=BOOTSTRAP, scope="authoring")
    wanted = digest(key)
    with db.session() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.key_hash == wanted))
        if row is None or not secrets.compare_digest(row.key_hash, wanted):
            return None
        return KeyPrincipal(name=row.name, scope=row.scope, projects=tuple(row.projects or ()))


def projects_of_container(db: Database, container: str) -> list[str]:
    """The projects reading their documents from a storage container (for project-limited keys on /storage)."""
    with db.session() as session:
        return list(session.scalars(select(Project.name).where(Project.storage_container == container)))
