"""Studio users: names, roles and argon2 password hashes (via pwdlib)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pwdlib import PasswordHash
from sqlalchemy import select

from customner import errors
from customner.access import sessions
from customner.access.policy import ROLES, Principal
from customner.store.database import Database
from customner.store.tables import User

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD = 8
_hasher = PasswordHash.recommended()  # argon2id with pwdlib's current parameters
# Compared against when the user does not exist, so an unknown name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("customner-no-such-user")


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    created_at: datetime


def _validate(name: str, role: str, password: str) -> None:
    if not NAME.match(name):
        raise errors.InvalidArgument("A user name is 1-100 letters, digits, '.', '_', '@' or '-', starting with a "
                                     "letter or digit.")
    if name.lower() == "owner":
        raise errors.InvalidArgument("The name 'owner' is reserved for the bootstrap key's sign-in; pick another.")
    if role not in ROLES:
        raise errors.InvalidArgument(f"Unknown role '{role}'; use one of: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise errors.InvalidArgument(f"A password needs at least {MIN_PASSWORD} characters.")


def add(db: Database, name: str, role: str, password: str) -> UserInfo:
    _validate(name, role, password)
    with db.session() as session:
        if session.get(User, name) is not None:
            raise errors.Conflict(f"A user named '{name}' already exists.")
        user = User(name=name, role=role, password_hash=_hasher.hash(password),
                    created_at=datetime.now(UTC).replace(tzinfo=None))
        session.add(user)
        return UserInfo(user.name, user.role, user.created_at)


def remove(db: Database, name: str) -> None:
    """Delete a user; their sessions end with them."""
    sessions.end_all_for(db, name)
    with db.session() as session:
        user = session.get(User, name)
        if user is None:
            raise errors.NotFound(f"There is no user named '{name}'.")
        session.delete(user)


def listing(db: Database) -> list[UserInfo]:
    with db.session() as session:
        return [UserInfo(u.name, u.role, u.created_at) for u in session.scalars(select(User).order_by(User.name))]


def authenticate(db: Database, name: str, password: str) -> Principal | None:
    """The user if the password matches, else None (taking about as long either way)."""
    with db.session() as session:
        user = session.get(User, name)
        stored = user.password_hash if user is not None else _DUMMY_HASH
        valid = _hasher.verify(password, stored)
        if user is None or not valid:
            return None
        return Principal(name=user.name, role=user.role, kind="user")
