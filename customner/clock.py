"""Time helpers in one place, so every timestamp has the same form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utcnow() -> datetime:
    """Naive UTC now: SQLite stores naive datetimes, so all stored times are naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso_seconds(moment: datetime | None) -> str | None:
    """Job-level timestamp, whole seconds: ``2022-07-13T23:01:50Z``."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@overload
def iso_precise(moment: datetime) -> str: ...
@overload
def iso_precise(moment: None) -> None: ...
def iso_precise(moment: datetime | None) -> str | None:
    """Task-level timestamp with 7 fractional digits, as Azure writes them."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
