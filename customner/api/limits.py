"""Limits applied before a request reaches a route: body size while it streams in, and a per-key request rate.

Both answer in Azure's envelope: 413 for a body over its limit (as soon as the headers say so, or as soon as
the streamed bytes pass it), 429 with ``Retry-After`` past the rate.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from customner import errors
from customner.settings import Settings
from customner.web import KEY_HEADER, BodyTooLarge, too_large

_KEY_BYTES = KEY_HEADER.lower().encode()  # ASGI header names are lower-case bytes
# Routes that take whole projects or many files: an authoring import, a project copied in from another customner
# server (with its model files), Studio's import and document upload.
_IMPORT_PATHS = re.compile(r"(/:import$|/:receive-copy$|^/studio/projects/import$|^/studio/projects/[^/]+/documents/upload$)")
_FILE_PATHS = re.compile(r"^/storage/[^/]+/[^/]+$")
# Reading a job's result is never throttled: pollers must always be able to collect what they submitted.
_UNTHROTTLED_METHODS = {"GET", "HEAD", "OPTIONS"}
# The rate is checked before the key is, so invalid keys get buckets too; past this many, idle ones are dropped.
MAX_TRACKED_KEYS = 10_000


def body_limit(settings: Settings, path: str) -> int:
    """The most bytes a request to ``path`` may send."""
    if _IMPORT_PATHS.search(path):
        return settings.max_import_bytes
    if _FILE_PATHS.match(path):
        return settings.max_file_bytes
    return settings.max_body_bytes


class _TokenBucket:
    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when a request may go now, else the seconds until it may."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class RateLimiter:
    """Requests per minute per key, in this process (each API process keeps its own buckets)."""

    per_minute: int

    def __post_init__(self) -> None:
        self._buckets: dict[str, _TokenBucket] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, key: str) -> float:
        with self._lock:
            if len(self._buckets) > MAX_TRACKED_KEYS:
                self._forget_idle()
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _TokenBucket(self.per_minute)
            return bucket.take()

    def _forget_idle(self) -> None:
        """Drop buckets that have refilled: forgetting them changes nothing, and random keys cannot grow memory."""
        now = time.monotonic()
        self._buckets = {key: bucket for key, bucket in self._buckets.items()
                         if bucket.tokens + (now - bucket.stamp) * bucket.rate < bucket.capacity}


class RequestLimits:
    """Pure ASGI middleware, so the body is never buffered before its size is known."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.rate = RateLimiter(settings.rate_limit) if settings.rate_limit else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if self.rate is not None and scope["method"] not in _UNTHROTTLED_METHODS and _KEY_BYTES in headers:
            key = hashlib.sha256(headers[_KEY_BYTES]).hexdigest()
            wait = self.rate.wait_seconds(key)
            if wait > 0:
                throttled = errors.TooManyRequests(
                    f"Requests have exceeded the rate limit of {self.settings.rate_limit} requests per minute for "
                    f"this key. Please retry after {math.ceil(wait)} second(s).", retry_after=math.ceil(wait))
                await _send_error(send, 429, throttled.to_dict(), {"Retry-After": str(throttled.retry_after)})
                return
        limit = body_limit(self.settings, scope["path"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_error(send, 413, too_large(limit).to_dict(), {"Connection": "close"})
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)


async def _send_error(send: Send, status: int, error: dict[str, object], headers: dict[str, str]) -> None:
    body = json.dumps({"error": error}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
