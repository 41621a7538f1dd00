"""customner.ner: training, loading and evaluating custom NER models (pure ML, no I/O services).

Public API used by the service:
  train(request) -> TrainingReport, load(model_dir) -> Predictor, TrainingCancelled,
  resolve_config_version(version, language, multilingual), training_config_versions().
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from customner.ner.config import (
    build_config,
    resolve_config_version,
    training_config_versions,
)
from customner.ner.data import prepare, split_dev
from customner.ner.labels import TagScheme
from customner.ner.training import TrainContext, TrainingCancelled
from customner.ner.types import Predictor, TrainingRequest

__all__ = [
    "TrainingCancelled",
    "TrainingReport",
    "load",
    "resolve_config_version",
    "train",
    "train_from_config",
    "training_config_versions",
]


@dataclass
class TrainingReport:
    config_version: str
    recipe: str
    language: str
    categories: list[str]
    train_documents: int
    dev_documents: int
    duration_seconds: float
    epochs: int = 0
    best_epoch: int = 0
    early_stopped: bool = False
    dev_micro_f1: float | None = None
    dev_micro_precision: float | None = None
    dev_micro_recall: float | None = None
    dev_ece: float | None = None
    dev_per_type_f1: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def train(request: TrainingRequest) -> TrainingReport:
    """Train a model for ``request`` and write a self-contained directory to its output_dir."""
    return train_from_config(build_config(request), request)


def train_from_config(config: dict[str, Any], request: TrainingRequest) -> TrainingReport:
    """Train from an explicit config (e.g. one read back from a model's config.json)."""
    from customner.ner import recipes

    start = time.monotonic()
    request.on_progress(0.0)
    seed = int(config["seed"])
    random.seed(seed)
    np.random.seed(seed % 2**32)
    scheme = TagScheme(tuple(config["categories"]))
    if not scheme.categories:
        raise ValueError("at least one category is required")
    examples = prepare(request.documents, scheme)
    train_ex, dev_ex = split_dev(examples, seed, float(config.get("dev_fraction", 0.1)))
    out = Path(request.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = TrainContext(request, config, scheme, train_ex, dev_ex, out)
    ctx.check()
    info = recipes.get(config["recipe"]).train(ctx)
    ctx.check()
    dev = info.get("dev") or {}
    report = TrainingReport(
        config_version=config["config_version"],
        recipe=config["recipe"],
        language=config["language"],
        categories=list(scheme.categories),
        train_documents=len(train_ex),
        dev_documents=len(dev_ex),
        duration_seconds=round(time.monotonic() - start, 2),
        epochs=int(info.get("epochs", 0)),
        best_epoch=int(info.get("best_epoch", 0)),
        early_stopped=bool(info.get("early_stopped", False)),
        dev_micro_f1=dev.get("micro_f1"),
        dev_micro_precision=dev.get("micro_precision"),
        dev_micro_recall=dev.get("micro_recall"),
        dev_ece=dev.get("ece"),
        dev_per_type_f1=dev.get("per_type_f1", {}),
        details={k: v for k, v in info.items() if k != "dev"},
    )
    (out / "config.json").write_text(json.dumps(config, indent=2))
    (out / "meta.json").write_text(json.dumps(asdict(report), indent=2))
    request.on_progress(1.0)
    return report


def load(model_dir: Path) -> Predictor:
    """Load a model directory written by ``train``; the predictor is thread-safe."""
    from customner.ner import recipes

    model_dir = Path(model_dir)
    config = json.loads((model_dir / "config.json").read_text())
    return recipes.get(config["recipe"]).load(model_dir, config)
