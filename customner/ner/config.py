"""Training configuration versions (Azure's ``trainingConfigVersion``) and recipe choice.

Which recipe serves which project:
  * English (``language`` starting with ``en``) and ``multilingual: false`` ->
    customner.TransformerTagger.v1 (MiniLM encoder + feature-CRF expert), from 2025-11-01.
  * Every other language, and every ``multilingual: true`` project ->
    customner.CrfTagger.v1 (script-agnostic feature CRF); no pretrained encoder exists.
  * Config version 2024-06-01 uses customner.CrfTagger.v1 for all languages (fast, small).
"""

from __future__ import annotations

from typing import Any

from customner.ner.types import TrainingRequest

LATEST = "2025-11-01"
# version -> (modelExpirationDate, description)
VERSIONS: dict[str, tuple[str, str]] = {
    "2024-06-01": ("2027-06-30", "feature CRF for every language"),
    "2025-11-01": ("2028-05-31", "MiniLM transformer + CRF for English; feature CRF otherwise"),
}
TRANSFORMER = "customner.TransformerTagger.v1"
CRF = "customner.CrfTagger.v1"


def training_config_versions() -> list[tuple[str, str]]:
    """(version, modelExpirationDate YYYY-MM-DD), oldest first."""
    return [(v, exp) for v, (exp, _) in sorted(VERSIONS.items())]


def resolve_config_version(version: str, language: str, multilingual: bool) -> str:
    """Map "latest" (case-insensitive) to a concrete version; reject unknown versions."""
    if version.lower() == "latest":
        return LATEST
    if version not in VERSIONS:
        known = ", ".join(["latest", *sorted(VERSIONS)])
        raise ValueError(f"Unknown trainingConfigVersion {version!r}. Supported: {known}.")
    return version


def is_english(language: str) -> bool:
    return language.lower().split("-")[0].split("_")[0] == "en"


def recipe_for(version: str, language: str, multilingual: bool) -> str:
    if version == LATEST and is_english(language) and not multilingual:
        return TRANSFORMER
    return CRF


def build_config(request: TrainingRequest) -> dict[str, Any]:
    """The full, self-describing config written to config.json (enough to retrain)."""
    from customner.ner.recipes.crf import DEFAULTS as CRF_DEFAULTS
    from customner.ner.recipes.transformer import DEFAULTS as TF_DEFAULTS

    version = resolve_config_version(request.config_version, request.language, request.multilingual)
    recipe = recipe_for(version, request.language, request.multilingual)
    params: dict[str, Any] = {"crf": dict(CRF_DEFAULTS)}
    if recipe == TRANSFORMER:
        params["transformer"] = dict(TF_DEFAULTS)
    return {
        "format": 1,
        "config_version": version,
        "recipe": recipe,
        "language": request.language,
        "multilingual": request.multilingual,
        "categories": list(request.categories),
        "seed": request.seed,
        "dev_fraction": 0.1,
        "params": params,
    }
