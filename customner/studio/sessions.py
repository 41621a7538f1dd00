"""ASGI middleware giving Studio requests ``request.session`` backed by a server-side session row.

The cookie carries only the random session id. Sign-in and sign-out go through ``begin``/``finish`` below;
changed session values (the flash message) are written before the response headers leave, so the next page sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from customner.access import sessions
from customner.access.policy import Principal
from customner.context import AppContext

COOKIE = "customner_session"
STATE = "customner.session"
STATIC = "/studio/static/"


@dataclass
class SessionState:
    """What the middleware and the handlers share for one request."""

    current: sessions.ActiveSession | None
    had_cookie: bool
    new_raw_id: str | None = None
    ended: bool = False


class ServerSessionMiddleware:
    def __init__(self, app: ASGIApp, context: AppContext, bootstrap_key: str) -> None:
        self.app = app
        self.context = context
        self.bootstrap_key = bootstrap_key
        self.idle = timedelta(hours=context.settings.session_idle_hours)
        public = context.settings.public_url or ""
        self.always_secure = public.lower().startswith("https://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/studio") or scope["path"].startswith(STATIC):
            await self.app(scope, receive, send)  # the API never sees a session; static files need none
            return
        raw = _cookie(scope)
        current = None
        if raw:
            current = await anyio.to_thread.run_sync(
                sessions.load, self.context.db, raw, self.idle, self.bootstrap_key)
        state = SessionState(current=current, had_cookie=bool(raw))
        scope[STATE] = state
        scope["session"] = dict(current.data) if current else {}
        loaded = dict(scope["session"])

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                active = state.current
                if active is not None and not state.ended:
                    data = scope["session"]
                    changed = data if (data != loaded or state.new_raw_id) else None
                    await anyio.to_thread.run_sync(sessions.save, self.context.db, active, changed)
                headers = MutableHeaders(scope=message)
                secure = self.always_secure or scope.get("scheme") == "https"
                if state.new_raw_id:
                    headers.append("set-cookie", _set_cookie(state.new_raw_id, secure))
                elif state.had_cookie and (state.ended or state.current is None):
                    headers.append("set-cookie", _set_cookie("", secure, expire=True))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no session
                return None
            if COOKIE in jar:
                return jar[COOKIE].value or None
    return None


def _set_cookie(value: str, secure: bool, expire: bool = False) -> str:
    parts = [f"{COOKIE}={value}", "Path=/studio", "HttpOnly", "SameSite=Strict"]
    if expire:
        parts.append("Max-Age=0")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def state_of(request: Request) -> SessionState:
    state: SessionState = request.scope[STATE]
    return state


def active(request: Request) -> sessions.ActiveSession | None:
    state = request.scope.get(STATE)
    return state.current if isinstance(state, SessionState) and not state.ended else None


def begin(request: Request, context: AppContext, principal: Principal, bootstrap_key: str) -> None:
    """Sign in: end the old session (a fresh id every sign-in) and start a new one."""
    state = state_of(request)
    if state.current is not None:
        sessions.end(context.db, state.current.id_hash)
    sessions.sweep(context.db, timedelta(hours=context.settings.session_idle_hours))
    raw, new = sessions.start(context.db, principal, bootstrap_key if principal.kind == "key" else None)
    state.current, state.new_raw_id, state.ended = new, raw, False
    request.scope["session"] = {}


def finish(request: Request, context: AppContext) -> None:
    """Sign out: delete the session row, so the cookie is worthless from now on."""
    state = state_of(request)
    if state.current is not None:
        sessions.end(context.db, state.current.id_hash)
    state.current, state.ended = None, True
    request.scope["session"] = {}

