from __future__ import annotations

import pytest

from customner.ner import resolve_config_version, training_config_versions
from customner.ner.config import CRF, LATEST, TRANSFORMER, recipe_for


def test_latest_resolves_and_versions_listed() -> None:
    versions = dict(training_config_versions())
    assert resolve_config_version("latest") == LATEST
    assert resolve_config_version("LATEST") == LATEST
    assert LATEST in versions
    for version, expiry in versions.items():
        assert resolve_config_version(version) == version
        assert len(expiry) == 10 and expiry[4] == "-" and expiry > version


def test_unknown_version_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="Unknown trainingConfigVersion"):
        resolve_config_version("1999-01-01")


@pytest.mark.parametrize(
    ("language", "multilingual", "recipe"),
    [("en-us", False, TRANSFORMER), ("en", False, TRANSFORMER), ("en-gb", True, CRF),
     ("es", False, CRF), ("zh-hans", False, CRF), ("ar", False, CRF)],
)
def test_recipe_per_language(language: str, multilingual: bool, recipe: str) -> None:
    assert recipe_for(LATEST, language, multilingual) == recipe
    assert recipe_for("2025-11-01", language, multilingual) == recipe
    assert recipe_for("2024-06-01", language, multilingual) == CRF
