"""What both HTTP layers (the Azure API in ``api/`` and the Studio in ``studio/``) share, so neither imports the other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from starlette.exceptions import HTTPException

from customner import errors

if TYPE_CHECKING:
    from customner.context import AppContext

KEY_HEADER = "Ocp-Apim-Subscription-Key"


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def base_url(request: Request) -> str:
    """Absolute base for operation-location: the configured public URL, else what the client called."""
    configured = get_context(request).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def too_large(limit: int) -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge(
        "Request Payload sent is too large to be processed.",
        inner_message=f"The request body is larger than {limit} bytes, the limit for this operation.")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the streamed body passes its limit.

    An HTTPException, because FastAPI turns any other exception raised while it reads a body into a bare 400.
    """

    def __init__(self, limit: int) -> None:
        self.error = too_large(limit)
        super().__init__(413, detail=self.error.message)
