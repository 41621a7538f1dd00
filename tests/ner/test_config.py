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
    assert recipe_for("2026-12-01", language, multilingual) == recipe
    assert recipe_for("2025-11-01", language, multilingual) == recipe
    assert recipe_for("2024-06-01", language, multilingual) == CRF


@pytest.mark.parametrize(
    ("language", "multilingual", "text", "recipe"),
    [("nl", False, "Het Rijksmuseum in Amsterdam", TRANSFORMER),
     ("es", False, "El Museo del Prado está en Madrid", TRANSFORMER),
     ("vi", False, "Tiếng Việt có dấu ở Hà Nội", TRANSFORMER),
     ("en-gb", True, "London, Paris und Köln", TRANSFORMER),
     ("zh-hans", False, "北京大学在北京", CRF),
     ("ar", False, "جامعة القاهرة في مصر", CRF),
     ("ja", True, "東京大学 Tokyo University は東京にある", CRF)],  # mixed: too few Latin letters
)
def test_from_2026_12_15_projects_in_latin_script_get_the_transformer(language: str, multilingual: bool, text: str,
                                                                     recipe: str) -> None:
    assert recipe_for("2026-12-15", language, multilingual, [text]) == recipe
    assert recipe_for("2026-12-01", language, multilingual, [text]) == (CRF if language != "en" else TRANSFORMER)
    assert recipe_for("2026-12-15", language, multilingual, []) == CRF  # nothing to judge by
