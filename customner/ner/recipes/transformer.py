"""customner.TransformerTagger.v1: MiniLM token classifier x feature CRF (English).

The fine-tuned uncased MiniLM encoder (plus a casing embedding it cannot see otherwise)
and the feature CRF are combined as a product of experts whose weight is chosen on the dev
slice; decoding is BIO-constrained Viterbi; confidences are calibrated on the dev slice.
Served with ONNX Runtime (int8 when it costs <= max_quantize_loss dev F1).

ONNX Runtime's own int8 (one activation scale per batch, 8-bit weights) is fast but CPU-bound and batch-bound: the
last-bit differences between its kernels for one CPU and another (AVX2 or AVX-512 VNNI) cross rounding steps (up to
0.39 in a word's probability on an MIT Restaurant model; fp32 ones differ by at most 1.3e-6), and a text's numbers
depend on the texts batched with it. With ``keep_fp32`` (config 2026-12-27 on) the dev-slice decisions are made on
the fp32 model and it is kept beside the int8 one, so the folder no longer depends on ONNX Runtime's kernels (only on
torch's weights), and ``CUSTOMNER_NER_PRECISION=fp32`` serves confidences that do not either. With
``per_token_int8`` (2027-01-03 on) the int8 model does not either (``token_quantization``: 1.9e-7 between those two
kernels), and a request's batches run side by side, one per core.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from customner.ner import mkl_vendor
from customner.ner.calibration import Calibrator
from customner.ner.config import CrfConfig, TransformerConfig, TransformerParams
from customner.ner.data import Doc
from customner.ner.encoder import pretrained_dir
from customner.ner.encoding import CACHED_BATCH_TOKENS, MAX_BATCH_TOKENS, Runner, SubwordEncoder, prepare_windowed
from customner.ner.labels import TagScheme
from customner.ner.pace import Pace, crf_share
from customner.ner.predictor import Expert, TaggerPredictor
from customner.ner.recipes.crf import CRF_FILE, WEIGHTS_FILE, CrfExpert, train_crf
from customner.ner.recipes.registry import register
from customner.ner.threads import cpu_capability, pinned_torch
from customner.ner.training import TrainContext, dev_f1, finish_on_dev, simplex_grid

if TYPE_CHECKING:
    from customner.ner.finetune import Plan, Tagger, TrainItem

ONNX_FILE = "model.onnx"
FP32_FILE = "model.fp32.onnx"  # kept beside an int8 model.onnx under keep_fp32
PRECISION_ENV = "CUSTOMNER_NER_PRECISION"  # "fp32": serve FP32_FILE where a model has one
TOKENIZER_FILE = "tokenizer.json"


class WindowedExpert:
    """Per-word log-probabilities from any runner (torch while training, ONNX when serving)."""

    def __init__(self, encoder: SubwordEncoder, runner: Runner, scheme: TagScheme, p: TransformerParams,
                 workers: int = 1, batch_independent: bool = False) -> None:
        self.encoder = encoder
        self.runner = runner
        self.n_labels = scheme.size
        self.window = p.window
        self.overlap = p.overlap
        self.workers = workers
        # a window's numbers do not depend on its batch: the batches can be as small as runs fastest
        self.batch_independent = batch_independent
        self.max_tokens = CACHED_BATCH_TOKENS if batch_independent else MAX_BATCH_TOKENS

    def logprobs(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        return self.prepare(docs)()

    def prepare(self, docs: Sequence[Doc]) -> Callable[[], list[np.ndarray]]:
        """Subword encoding and batch plan now; the encoder's batches (outside the interpreter lock) when called."""
        return prepare_windowed(self.encoder, docs, self.runner, self.n_labels, self.window, self.overlap,
                                self.max_tokens, workers=self.workers)


def _plan(ctx: TrainContext, encoder: SubwordEncoder) -> tuple[list[TrainItem], Plan]:
    from customner.ner import finetune

    p = ctx.config_as(TransformerConfig).params.transformer
    items = finetune.train_items(encoder, ctx.train, p.train_window, p.train_stride)
    return items, finetune.plan(p, len(ctx.train), items)


def _crf_share(ctx: TrainContext, items: list[TrainItem], schedule: Plan) -> float:
    config = ctx.config_as(TransformerConfig)
    tokens = sum(len(ex.words) for ex in ctx.train)
    subwords = schedule.epochs * sum(len(item[0]) for item in items)
    return crf_share(tokens, ctx.scheme.size, config.params.crf.max_iterations, subwords)


def _train_torch(ctx: TrainContext, encoder: SubwordEncoder, items: list[TrainItem], schedule: Plan,
                 pace: Pace) -> tuple[Tagger, dict[str, Any]]:
    """Fine-tune on ``ctx.train``, early-stopped on ``ctx.dev``, stopped at the time budget's deadline.

    Runs inside ``pinned_torch`` (the caller's block).
    """
    from customner.ner import finetune

    config = ctx.config_as(TransformerConfig)
    p = config.params.transformer
    model = finetune.Tagger(ctx.scheme.size, p)

    def evaluate() -> float:
        t0 = time.monotonic()
        experts = [WindowedExpert(encoder, model.run, ctx.scheme, p)]
        f1 = dev_f1(TaggerPredictor(ctx.scheme.categories, experts, [1.0]), ctx.dev)
        pace.evaluated(time.monotonic() - t0)
        return f1

    checkpoints = finetune.BestInMemory()
    history: list[float] = []
    epoch = best_epoch = steps = 0
    out_of_time = False
    pace.steps_begin()
    for event in finetune.training_steps(model, encoder, items, schedule, p, config.seed,
                                         evaluate if pace.evaluates else None, checkpoints):
        if isinstance(event, finetune.Step):
            steps, now = event.step, time.monotonic()
            fraction = pace.fraction(event.step, event.epoch, now)
            ctx.report(0.0 if fraction is None else fraction)
            deadline = pace.deadline()
            if deadline is not None and now > deadline:
                out_of_time = True  # the time budget the user was shown: keep the best epoch so far
                break
            continue
        epoch = event.epoch
        if event.dev_f1 is not None:
            history.append(round(event.dev_f1, 4))
        if event.improved:
            best_epoch = event.epoch
    checkpoints.restore(model)
    model.eval()
    info = {
        "epochs": epoch,
        "planned_epochs": schedule.epochs,
        "best_epoch": best_epoch,
        "early_stopped": epoch < schedule.epochs,
        "dev_f1_by_epoch": history,
        "steps": steps,
        "stopped_by_time_budget": out_of_time,
        "time_budget_seconds": p.max_seconds,
    }
    return model, info


@register("customner.TransformerTagger.v1")
class TransformerTagger:
    def train(self, ctx: TrainContext) -> dict[str, Any]:
        from customner.ner.onnx_export import export, quantize

        out = ctx.output_dir
        config = ctx.config_as(TransformerConfig)
        params = config.params
        p = params.transformer
        shutil.copyfile(pretrained_dir() / TOKENIZER_FILE, out / TOKENIZER_FILE)
        encoder = SubwordEncoder(out / TOKENIZER_FILE)
        items, schedule = _plan(ctx, encoder)
        share = _crf_share(ctx, items, schedule)
        info: dict[str, Any] = {}
        info.update(train_crf(ctx.train, ctx.scheme, out / CRF_FILE, params.crf, ctx, 0.0, share))
        pace = Pace(ctx.started, p.max_seconds, schedule.total_steps, schedule.epochs,
                    evaluates=len(ctx.dev) >= p.min_dev_docs_for_early_stopping,
                    subwords_per_step=sum(len(item[0]) for item in items) / max(len(schedule.batches), 1),
                    dev_subwords=sum(len(enc.ids) for enc in encoder.encode(ctx.dev)))
        fp32 = out / FP32_FILE
        # torch's generator and the ONNX exporter's state are process-wide: one training at a time in here
        with pinned_torch(p.threads, config.seed, while_waiting=ctx.check):
            t0 = time.monotonic()
            model, tinfo = _train_torch(ctx, encoder, items, schedule, pace)
            info.update(tinfo, cpu_capability=cpu_capability(), mkl_branch=mkl_vendor.branch())
            info["transformer_seconds"] = round(time.monotonic() - t0, 2)
            export(model, fp32)
        ctx.report(pace.finishing_fraction(time.monotonic()))
        chosen = fp32
        if p.quantize in ("auto", True):
            int8 = out / "model.int8.onnx"
            quantize(fp32, int8, per_token=p.per_token_int8, symmetric=p.symmetric_int8)
            if p.quantize is True or not ctx.dev:
                chosen = int8
            else:
                f_fp32 = dev_f1(self._predictor(out, encoder, ctx.scheme, p, fp32, [0.0, 1.0], training=True), ctx.dev)
                f_int8 = dev_f1(self._predictor(out, encoder, ctx.scheme, p, int8, [0.0, 1.0], training=True), ctx.dev)
                info["dev_f1_fp32"], info["dev_f1_int8"] = round(f_fp32, 4), round(f_int8, 4)
                if f_fp32 - f_int8 <= p.max_quantize_loss:
                    chosen = int8
        info["quantized"] = chosen.name == "model.int8.onnx"
        keep_fp32 = p.keep_fp32 and chosen != fp32
        chosen.replace(out / ONNX_FILE)
        for extra in (out / "model.int8.onnx", *(() if keep_fp32 else (fp32,))):
            extra.unlink(missing_ok=True)
        ctx.report(pace.finishing_fraction(time.monotonic()))
        decide_on = fp32 if keep_fp32 else out / ONNX_FILE  # fp32: decisions that do not depend on the CPU's kernels
        predictor = self._predictor(out, encoder, ctx.scheme, p, decide_on, [0.5, 0.5], training=True)
        info.update(finish_on_dev(ctx, predictor, simplex_grid(2, 4), joint_temperature=p.joint_mix_temperature))
        (out / "calibration.json").write_text(json.dumps(predictor.calibrator.to_json(), indent=1))
        (out / WEIGHTS_FILE).write_text(json.dumps(predictor.weights, indent=1))
        return info

    @staticmethod
    def _predictor(
        model_dir: Path, encoder: SubwordEncoder, scheme: TagScheme, p: TransformerParams, onnx: Path,
        weights: list[float], cal: Calibrator | None = None, *, training: bool = False,
    ) -> TaggerPredictor:
        from customner.ner.onnx_export import OnnxRunner

        # per-token int8 and fp32 give a window the same numbers whatever it is batched with, so their batches can
        # run side by side on one-thread sessions (scales to the cores) and be as small as runs fastest; the
        # per-batch int8 of earlier configs cannot
        independent = p.per_token_int8
        workers = p.threads if independent else 1
        runner = OnnxRunner(onnx, p.threads // workers, spin=not training)  # training: other trainings may share the cores
        windowed = WindowedExpert(encoder, runner, scheme, p, workers, batch_independent=independent)
        experts: list[Expert] = [CrfExpert(model_dir / CRF_FILE, scheme), windowed]
        return TaggerPredictor(scheme.categories, experts, weights, cal)

    def load(self, model_dir: Path, config: CrfConfig | TransformerConfig) -> TaggerPredictor:
        if not isinstance(config, TransformerConfig):
            raise TypeError(f"{model_dir} holds a {config.recipe} model")
        p = config.params.transformer
        scheme = TagScheme(tuple(config.categories))
        encoder = SubwordEncoder(model_dir / TOKENIZER_FILE)
        cal = Calibrator.from_json(json.loads((model_dir / "calibration.json").read_text()))
        weights = json.loads((model_dir / WEIGHTS_FILE).read_text())
        # the service may size inference threads per deployment without touching the model
        threads = os.environ.get("CUSTOMNER_NER_THREADS")
        if threads:
            p = p.model_copy(update={"threads": int(threads)})
        return self._predictor(model_dir, encoder, scheme, p, served_onnx(model_dir), weights, cal)


def served_onnx(model_dir: Path) -> Path:
    """The int8 (or only) model, or the kept fp32 one when ``CUSTOMNER_NER_PRECISION=fp32`` asks for it."""
    precision = os.environ.get(PRECISION_ENV, "auto").lower()
    if precision not in ("auto", "fp32"):
        raise ValueError(f"{PRECISION_ENV} must be 'auto' or 'fp32', not {precision!r}")
    fp32 = model_dir / FP32_FILE
    return fp32 if precision == "fp32" and fp32.exists() else model_dir / ONNX_FILE
