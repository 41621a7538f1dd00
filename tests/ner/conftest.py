"""Shared fixtures: small hand-made labeled corpora and one trained English model."""

from __future__ import annotations

from pathlib import Path

import pytest
from ner_fixtures import categories_of, load_fixture

from customner.ner import train
from customner.ner.types import LabeledDocument, TrainingRequest


@pytest.fixture(scope="session")
def english_docs() -> list[LabeledDocument]:
    return load_fixture("en")


@pytest.fixture(scope="session")
def english_model_dir(tmp_path_factory: pytest.TempPathFactory, english_docs: list[LabeledDocument]) -> Path:
    """One real transformer training on the 48-doc English fixture, shared by tests."""
    out = tmp_path_factory.mktemp("en_model")
    train(TrainingRequest(english_docs, categories_of(english_docs), "en-us", False, out, seed=7))
    return out
