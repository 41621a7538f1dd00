"""Recipe registry: a recipe name in config.json selects the code that trains and loads it.

The recipes register themselves here (``@register``); ``customner.ner.recipes.get`` imports the built-in ones first.
"""

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


REGISTRY: dict[str, Callable[[], Recipe]] = {}
R = TypeVar("R", bound=Recipe)


def register(name: str) -> Callable[[type[R]], type[R]]:
    def deco(cls: type[R]) -> type[R]:
        REGISTRY[name] = cls
        return cls

    return deco
