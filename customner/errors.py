"""Domain errors. Each carries Azure's error code and inner-error code as data.

Services raise these; the API layer renders them into Azure's error envelope in one place.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status_code = 400
    code = "InvalidRequest"
    inner_code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        inner_code: str | None = None,
        inner_message: str | None = None,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if inner_code is not None:
            self.inner_code = inner_code
        self.inner_message = inner_message
        self.target = target
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """Azure's error object (the value of the envelope's ``error`` key)."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            body["target"] = self.target
        if self.details:
            body["details"] = self.details
        if self.inner_code:
            body["innererror"] = {"code": self.inner_code, "message": self.inner_message or self.message}
        return body


class InvalidRequest(ServiceError):
    pass


class InvalidArgument(ServiceError):
    code = "InvalidArgument"


class InvalidDocumentBatch(InvalidRequest):
    inner_code = "InvalidDocumentBatch"


class InvalidParameterValue(InvalidRequest):
    inner_code = "InvalidParameterValue"


class Unauthorized(ServiceError):
    status_code = 401
    code = "401"


class NotFound(ServiceError):
    status_code = 404
    code = "NotFound"


class ProjectNotFound(NotFound):
    code = "ProjectNotFound"


class Conflict(ServiceError):
    status_code = 409
    code = "Conflict"


class PayloadTooLarge(ServiceError):
    """A request body over its limit, refused while it streams in (before it is read whole)."""

    status_code = 413
    inner_code = "InvalidDocumentBatch"


class TooManyRequests(ServiceError):
    """Azure's APIM throttling answer: code "429" and a ``Retry-After`` in whole seconds."""

    status_code = 429
    code = "429"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class QuotaExceeded(ServiceError):
    status_code = 409
    code = "QuotaExceeded"


class ServiceUnavailable(ServiceError):
    """A backing service (database, broker) is down; the client may retry later."""

    status_code = 503
    code = "ServiceUnavailable"


class JobFailure(ServiceError):
    """Raised inside a job; recorded on the job row instead of being sent as an HTTP error."""

    code = "InternalServerError"

    def __init__(self, message: str, *, code: str = "InternalServerError", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.code = code
