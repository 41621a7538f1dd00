"""customner.TransformerTagger.v1: MiniLM token classifier x feature CRF (English).

The fine-tuned uncased MiniLM encoder (plus a casing embedding it cannot see otherwise)
and the feature CRF are combined as a product of experts whose weight is chosen on the dev
slice; decoding is BIO-constrained Viterbi; confidences are calibrated on the dev slice.
Served with ONNX Runtime (int8 when it costs <= max_quantize_loss dev F1).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from customner.ner.calibration import Calibrator
from customner.ner.config import CrfConfig, TransformerConfig, TransformerParams
from customner.ner.data import Doc
from customner.ner.encoder import pretrained_dir
from customner.ner.encoding import Runner, SubwordEncoder, windowed_logprobs
from customner.ner.labels import TagScheme
from customner.ner.predictor import Expert, TaggerPredictor
from customner.ner.recipes.crf import CRF_FILE, CrfExpert, train_crf
from customner.ner.recipes.registry import register
from customner.ner.threads import cpu_capability, pinned_torch
from customner.ner.training import TrainContext, dev_f1, finish_on_dev, simplex_grid

if TYPE_CHECKING:
    from customner.ner.finetune import Tagger

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"


class WindowedExpert:
    """Per-word log-probabilities from any runner (torch while training, ONNX when serving)."""

    def __init__(self, encoder: SubwordEncoder, runner: Runner, scheme: TagScheme, p: TransformerParams) -> None:
        self.encoder = encoder
        self.runner = runner
        self.n_labels = scheme.size
        self.window = p.window
        self.overlap = p.overlap

    def logprobs(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        return windowed_logprobs(self.encoder, docs, self.runner, self.n_labels, self.window, self.overlap)


def _train_torch(ctx: TrainContext, encoder: SubwordEncoder, lo: float, hi: float) -> tuple[Tagger, dict[str, Any]]:
    """Fine-tune on ``ctx.train``, early-stopped on ``ctx.dev``; progress goes from ``lo`` to ``hi``.

    Runs inside ``pinned_torch`` (the caller's block).
    """
    from customner.ner import finetune

    config = ctx.config_as(TransformerConfig)
    p = config.params.transformer
    model = finetune.Tagger(ctx.scheme.size, p)
    items = finetune.train_items(encoder, ctx.train, p.train_window, p.train_stride)
    schedule = finetune.plan(p, len(ctx.train), items)

    def evaluate() -> float:
        experts = [WindowedExpert(encoder, model.run, ctx.scheme, p)]
        return dev_f1(TaggerPredictor(ctx.scheme.categories, experts, [1.0]), ctx.dev)

    early_stopping = len(ctx.dev) >= p.min_dev_docs_for_early_stopping
    checkpoints = finetune.BestInMemory()
    history: list[float] = []
    epoch = best_epoch = steps = 0
    started, out_of_time = time.monotonic(), False
    for event in finetune.training_steps(model, encoder, items, schedule, p, config.seed,
                                         evaluate if early_stopping else None, checkpoints):
        if isinstance(event, finetune.Step):
            steps = event.step
            ctx.report(lo + (hi - lo) * event.step / event.total_steps)
            if p.max_seconds is not None and time.monotonic() - started > p.max_seconds:
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
        info: dict[str, Any] = {}
        info.update(train_crf(ctx.train, ctx.scheme, out / CRF_FILE, params.crf, ctx, 0.0, 0.08))
        shutil.copyfile(pretrained_dir() / TOKENIZER_FILE, out / TOKENIZER_FILE)
        encoder = SubwordEncoder(out / TOKENIZER_FILE)
        fp32 = out / "model.fp32.onnx"
        # torch's generator and the ONNX exporter's state are process-wide: one training at a time in here
        with pinned_torch(p.threads, config.seed, while_waiting=ctx.check):
            t0 = time.monotonic()
            model, tinfo = _train_torch(ctx, encoder, 0.08, 0.9)
            info.update(tinfo, cpu_capability=cpu_capability())
            info["transformer_seconds"] = round(time.monotonic() - t0, 2)
            export(model, fp32)
        ctx.report(0.93)
        chosen = fp32
        if p.quantize in ("auto", True):
            int8 = out / "model.int8.onnx"
            quantize(fp32, int8)
            if p.quantize is True or not ctx.dev:
                chosen = int8
            else:
                f_fp32 = dev_f1(self._predictor(out, encoder, ctx.scheme, p, fp32, [0.0, 1.0], training=True), ctx.dev)
                f_int8 = dev_f1(self._predictor(out, encoder, ctx.scheme, p, int8, [0.0, 1.0], training=True), ctx.dev)
                info["dev_f1_fp32"], info["dev_f1_int8"] = round(f_fp32, 4), round(f_int8, 4)
                if f_fp32 - f_int8 <= p.max_quantize_loss:
                    chosen = int8
        info["quantized"] = chosen.name == "model.int8.onnx"
        chosen.replace(out / ONNX_FILE)
        for extra in (fp32, out / "model.int8.onnx"):
            extra.unlink(missing_ok=True)
        ctx.report(0.96)
        predictor = self._predictor(out, encoder, ctx.scheme, p, out / ONNX_FILE, [0.5, 0.5], training=True)
        info.update(finish_on_dev(ctx, predictor, simplex_grid(2, 4)))
        (out / "calibration.json").write_text(json.dumps(predictor.calibrator.to_json(), indent=1))
        (out / "weights.json").write_text(json.dumps(predictor.weights, indent=1))
        return info

    @staticmethod
    def _predictor(
        model_dir: Path, encoder: SubwordEncoder, scheme: TagScheme, p: TransformerParams, onnx: Path,
        weights: list[float], cal: Calibrator | None = None, *, training: bool = False,
    ) -> TaggerPredictor:
        from customner.ner.onnx_export import OnnxRunner

        experts: list[Expert] = [
            CrfExpert(model_dir / CRF_FILE, scheme),
            # while training, other trainings may share the cores: no spinning threads
            WindowedExpert(encoder, OnnxRunner(onnx, p.threads, spin=not training), scheme, p),
        ]
        return TaggerPredictor(scheme.categories, experts, weights, cal)

    def load(self, model_dir: Path, config: CrfConfig | TransformerConfig) -> TaggerPredictor:
        if not isinstance(config, TransformerConfig):
            raise TypeError(f"{model_dir} holds a {config.recipe} model")
        p = config.params.transformer
        scheme = TagScheme(tuple(config.categories))
        encoder = SubwordEncoder(model_dir / TOKENIZER_FILE)
        cal = Calibrator.from_json(json.loads((model_dir / "calibration.json").read_text()))
        weights = json.loads((model_dir / "weights.json").read_text())
        # the service may size inference threads per deployment without touching the model
        threads = os.environ.get("CUSTOMNER_NER_THREADS")
        if threads:
            p = p.model_copy(update={"threads": int(threads)})
        return self._predictor(model_dir, encoder, scheme, p, model_dir / ONNX_FILE, weights, cal)
