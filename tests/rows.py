"""Helpers for tests that look inside stored rows: every key of a JSON value, and an Alembic revision's module."""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

from customner.store.database import MIGRATIONS_DIR


def json_keys(value: Any) -> set[str]:
    """Every key in a JSON value, at any depth."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in json_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in json_keys(item)}
    return set()


def load_revision(file_name: str) -> ModuleType:
    """A migration file as a module, to call its frozen conversion functions directly."""
    path = MIGRATIONS_DIR / "versions" / file_name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
