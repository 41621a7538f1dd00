"""Plain data types shared by the ML code and the services.

All offsets inside customner are Unicode code points (Python ``str`` indices), end-exclusive.
Conversion to UTF-16 or text elements happens only at the wire edge (``customner.ner.offsets``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    category: str
    confidence: float


@dataclass
class LabeledDocument:
    """One training or evaluation document: its text and gold spans (code points)."""

    text: str
    spans: list[Span] = field(default_factory=list)
    language: str = "en-us"


@dataclass
class TrainingRequest:
    """Everything a recipe needs to train; the service builds it from the project."""

    documents: Sequence[LabeledDocument]
    categories: Sequence[str]
    language: str
    multilingual: bool
    output_dir: Path
    config_version: str = "latest"
    seed: int = 0
    quick: bool = False  # a first model for assisted labeling: a short schedule (``config.QUICK``), not the full one
    on_progress: Callable[[float], None] = lambda fraction: None
    should_stop: Callable[[], bool] = lambda: False


class Predictor(Protocol):
    """A loaded model. ``predict`` must be thread-safe for concurrent callers."""

    @property
    def categories(self) -> Sequence[str]: ...

    def predict(self, texts: Sequence[str]) -> list[list[Entity]]: ...
