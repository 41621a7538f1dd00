"""Server-side Studio sessions: a random id in the cookie, only its hash in the database.

A session ends when the user signs out (its row is deleted), after ``session_idle_hours`` without a request,
or when its user is removed. Nothing in the cookie can be replayed once the row is gone.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from customner.access.policy import Principal
from customner.store.database import Database
from customner.store.tables import StudioSession, User

# last_seen_at is written at most this often, so browsing does not turn every page into a database write.
TOUCH_EVERY = timedelta(seconds=60)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class ActiveSession:
    """A session as one request sees it."""

    id_hash: str
    principal: Principal
    csrf_token: str
    data: dict[str, Any] = field(default_factory=dict)
    last_seen_at: datetime = field(default_factory=_now)


def start(db: Database, principal: Principal, bootstrap_key: str | None = None) -> tuple[str, ActiveSession]:
    """A new session; returns the raw id (for the cookie only) and the session."""
    raw = secrets.token_urlsafe(32)
    now = _now()
    row = StudioSession(
        id_hash=digest(raw), kind=principal.kind, user_name=principal.name if principal.kind == "user" else None,
        key_hash=digest(bootstrap_key) if bootstrap_key else None, csrf_token=secrets.token_urlsafe(32), data={},
        created_at=now, last_seen_at=now)
    with db.session() as session:
        session.add(row)
    return raw, ActiveSession(row.id_hash, principal, row.csrf_token, {}, now)


def load(db: Database, raw: str, idle: timedelta, bootstrap_key: str) -> ActiveSession | None:
    """The live session behind a cookie value, or None (unknown, ended, idle too long, or its key changed)."""
    id_hash = digest(raw)
    with db.session() as session:
        row = session.get(StudioSession, id_hash)
        if row is None:
            return None
        if _now() - row.last_seen_at > idle:
            session.delete(row)
            return None
        if row.kind == "user":
            user = session.get(User, row.user_name) if row.user_name else None
            if user is None:
                session.delete(row)
                return None
            principal = Principal(name=user.name, role=user.role, kind="user")
        else:
            if row.key_hash is None or not secrets.compare_digest(row.key_hash, digest(bootstrap_key)):
                session.delete(row)
                return None
            principal = Principal(name="owner", role="owner", kind="key")
        return ActiveSession(row.id_hash, principal, row.csrf_token, dict(row.data or {}), row.last_seen_at)


def save(db: Database, active: ActiveSession, data: dict[str, Any] | None) -> None:
    """Store changed session values and/or mark the session as just used."""
    now = _now()
    touch = now - active.last_seen_at >= TOUCH_EVERY
    if data is None and not touch:
        return
    with db.session() as session:
        row = session.get(StudioSession, active.id_hash)
        if row is None:
            return
        if data is not None:
            row.data = data
        if touch:
            row.last_seen_at = now


def end(db: Database, id_hash: str) -> None:
    with db.session() as session:
        session.execute(delete(StudioSession).where(StudioSession.id_hash == id_hash))


def end_all_for(db: Database, user_name: str) -> None:
    with db.session() as session:
        session.execute(delete(StudioSession).where(StudioSession.user_name == user_name))


def sweep(db: Database, idle: timedelta) -> int:
    """Delete sessions idle for longer than ``idle``; returns how many."""
    with db.session() as session:
        stale = session.scalars(select(StudioSession.id_hash).where(StudioSession.last_seen_at < _now() - idle)).all()
        session.execute(delete(StudioSession).where(StudioSession.id_hash.in_(stale)))
        return len(stale)
