"""Reading JSON Lines files record by record, with the line number in every error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from customner.formats.corpus import FormatError, decode


def records(data: bytes) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``("line N", object)`` for every non-blank line; a line that is not a JSON object is an error."""
    for number, line in enumerate(decode(data, "line 1").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise FormatError(where, f"not valid JSON: {error.msg} at column {error.colno}") from error
        if not isinstance(value, dict):
            raise FormatError(where, f"expected a JSON object, found {type(value).__name__}")
        yield where, value


def dump(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def looks_like_jsonl(data: bytes) -> dict[str, Any] | None:
    """The first record of a JSON Lines file, or None when the first line is not a JSON object."""
    try:
        first = next((line for line in data.decode("utf-8-sig").splitlines() if line.strip()), "")
        value = json.loads(first)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None
