"""customner.ner: training, loading and evaluating custom NER models (pure ML, no I/O services).

Public API used by the service:
  train(request) -> TrainingReport, load(model_dir) -> Predictor, TrainingCancelled,
  resolve_config_version(version), training_config_versions().
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from customner.ner.config import (
    CrfConfig,
    TransformerConfig,
    build_config,
    dump_config,
    parse_config,
    resolve_config_version,
    training_config_versions,
)
from customner.ner.data import prepare, split_dev
from customner.ner.labels import TagScheme
from customner.ner.threads import set_process_defaults
from customner.ner.training import TrainContext, TrainingCancelled
from customner.ner.types import Predictor, TrainingRequest

set_process_defaults()  # before anything imports torch (nothing above does)

__all__ = [
    "CONFIG_FILE",
    "META_FILE",
    "TrainingCancelled",
    "TrainingReport",
    "load",
    "resolve_config_version",
    "train",
    "train_from_config",
    "training_config_versions",
]

CONFIG_FILE = "config.json"  # the full config (ner.config), enough to retrain
META_FILE = "meta.json"  # the TrainingReport, with the config's digest and every file's digest


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
    config_sha256: str = ""  # of config.json's canonical form: which config made this model
    files_sha256: dict[str, str] = field(default_factory=dict)  # every other file of the model folder


def train(request: TrainingRequest) -> TrainingReport:
    """Train a model for ``request`` and write a self-contained directory to its output_dir."""
    return train_from_config(build_config(request), request)


def train_from_config(config: CrfConfig | TransformerConfig, request: TrainingRequest) -> TrainingReport:
    """Train from an explicit config (e.g. one read back from a model's config.json with ``parse_config``).

    The request's documents, callbacks and output_dir are used; its categories, language and
    seed are the config's.
    """
    from customner.ner import recipes

    start = time.monotonic()
    request.on_progress(0.0)
    random.seed(config.seed)
    np.random.seed(config.seed % 2**32)
    scheme = TagScheme(tuple(config.categories))
    examples = prepare(request.documents, scheme)
    train_ex, dev_ex = split_dev(examples, config.seed, config.dev_fraction)
    out = Path(request.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = TrainContext(request, config, scheme, train_ex, dev_ex, out)
    ctx.check()
    info = recipes.get(config.recipe).train(ctx)
    ctx.check()
    dev = info.pop("dev", None) or {}
    report = TrainingReport(
        config_version=config.config_version,
        recipe=config.recipe,
        language=config.language,
        categories=list(scheme.categories),
        train_documents=len(train_ex),
        dev_documents=len(dev_ex),
        duration_seconds=round(time.monotonic() - start, 2),
        epochs=info.get("epochs", 0),
        best_epoch=info.get("best_epoch", 0),
        early_stopped=info.get("early_stopped", False),
        dev_micro_f1=dev.get("micro_f1"),
        dev_micro_precision=dev.get("micro_precision"),
        dev_micro_recall=dev.get("micro_recall"),
        dev_ece=dev.get("ece"),
        dev_per_type_f1=dev.get("per_type_f1", {}),
        details=info,
        config_sha256=config.sha256(),
        files_sha256=_digests(out),
    )
    (out / CONFIG_FILE).write_text(dump_config(config))
    (out / META_FILE).write_text(_json(asdict(report)))
    request.on_progress(1.0)
    return report


def load(model_dir: Path) -> Predictor:
    """Load a model directory written by ``train``; the predictor is thread-safe."""
    from customner.ner import recipes

    model_dir = Path(model_dir)
    config = parse_config((model_dir / CONFIG_FILE).read_text())
    return recipes.get(config.recipe).load(model_dir, config)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and p.name not in (CONFIG_FILE, META_FILE)}


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, indent=2)
