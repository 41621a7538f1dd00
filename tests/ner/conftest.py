"""Shared fixtures: small hand-made labeled corpora and one trained English model."""

from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock
from ner_fixtures import categories_of, load_fixture

from customner.ner import train
from customner.ner.types import LabeledDocument, TrainingRequest


@pytest.fixture(scope="session")
def english_docs() -> list[LabeledDocument]:
    return load_fixture("en")


@pytest.fixture(scope="session")
def english_model_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str, english_docs: list[LabeledDocument]) -> Path:
    """One real transformer training on the 48-doc English fixture, shared by tests (and by pytest-xdist's
    workers: the first to need it trains it in the run's common folder, the others wait for it)."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    out = shared / "en_model"
    with FileLock(str(shared / "en_model.lock")):
        if not (out / "meta.json").exists():  # the last file a training writes
            train(TrainingRequest(english_docs, categories_of(english_docs), "en-us", False, out, seed=7))
    return out
