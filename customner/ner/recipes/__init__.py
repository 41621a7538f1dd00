"""The recipes: a recipe name in config.json selects the code that trains and loads it (``registry``)."""

from __future__ import annotations

from customner.ner.recipes import crf, transformer  # noqa: F401  (each registers itself)
from customner.ner.recipes.registry import REGISTRY, Recipe


def get(name: str) -> Recipe:
    if name not in REGISTRY:
        raise ValueError(f"unknown recipe {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name]()
