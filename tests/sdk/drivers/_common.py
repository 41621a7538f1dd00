"""Shared by the SDK drivers: where the server is, and how to print results.

Drivers run under an SDK venv's python (not the project venv), so they import nothing from customner.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any


def endpoint() -> str:
    return os.environ["CUSTOMNER_URL"]


def key() -> str:
    return os.environ["CUSTOMNER_KEY"]


def emit(result: dict[str, Any]) -> None:
    """The single JSON line the pytest side parses."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def error_info(error: BaseException) -> dict[str, Any]:
    return {"type": type(error).__name__, "message": str(error)[:2000], "traceback": traceback.format_exc()[-3000:]}


def entity_dicts(entities: Any) -> list[dict[str, Any]]:
    return [{"text": e.text, "category": e.category, "offset": e.offset, "length": e.length,
             "confidence": e.confidence_score} for e in entities]


def document_result(result: Any) -> dict[str, Any]:
    """A 5.x document result (or DocumentError) as plain data."""
    if getattr(result, "is_error", False):
        return {"id": result.id, "error": {"code": result.error.code, "message": result.error.message}}
    out: dict[str, Any] = {"id": result.id, "entities": entity_dicts(result.entities),
                           "warnings": [w.code for w in result.warnings]}
    statistics = getattr(result, "statistics", None)
    if statistics is not None:
        out["statistics"] = {"characterCount": statistics.character_count,
                             "transactionCount": statistics.transaction_count}
    kind = getattr(result, "kind", None)
    if kind is not None:
        out["kind"] = str(kind)
    return out
