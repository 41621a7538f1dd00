"""Recipe registry: a recipe name in config.json selects the code that trains and loads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from customner.ner.config import CrfConfig, TransformerConfig
from customner.ner.training import TrainContext
from customner.ner.types import Predictor


class Recipe(Protocol):
    def train(self, ctx: TrainContext) -> dict[str, Any]:
        """Write the model files into ``ctx.output_dir``; returns details for the training report."""
        ...

    def load(self, model_dir: Path, config: CrfConfig | TransformerConfig) -> Predictor: ...


_REGISTRY: dict[str, Callable[[], Recipe]] = {}
R = TypeVar("R", bound=Recipe)


def register(name: str) -> Callable[[type[R]], type[R]]:
    def deco(cls: type[R]) -> type[R]:
        _REGISTRY[name] = cls
        return cls

    return deco


def get(name: str) -> Recipe:
    _load_builtin()
    if name not in _REGISTRY:
        raise ValueError(f"unknown recipe {name!r}; known: {sorted(_REGISTRY)}")
    return _REGISTRY[name]()


def _load_builtin() -> None:
    from customner.ner.recipes import crf, transformer  # noqa: F401  (registration)
