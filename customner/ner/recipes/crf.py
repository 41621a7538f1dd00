"""customner.CrfTagger.v1: linear-chain CRF over script-agnostic word features.

Serves every language (no pretrained encoder needed) and is also the feature expert
inside the transformer recipe.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pycrfsuite

from customner.ner.calibration import Calibrator
from customner.ner.data import Doc, Example
from customner.ner.features import doc_features
from customner.ner.labels import TagScheme
from customner.ner.predictor import TaggerPredictor
from customner.ner.recipes import register
from customner.ner.tokenize import Word
from customner.ner.training import TrainContext, finish_on_dev

CRF_FILE = "crf.crfsuite"
DEFAULTS: dict[str, Any] = {"c1": 0.05, "c2": 0.05, "max_iterations": 150}
EPS = 1e-6


class CrfExpert:
    """Per-word label marginals from a trained crfsuite model.

    crfsuite taggers are not thread-safe, so each thread gets its own tagger.
    """

    def __init__(self, path: Path, scheme: TagScheme) -> None:
        self.path = str(path)
        self.names = scheme.names()
        self._local = threading.local()

    def _tagger(self) -> pycrfsuite.Tagger:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = pycrfsuite.Tagger()
            tagger.open(self.path)
            self._local.tagger = tagger
        return tagger

    def logprobs(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        tagger = self._tagger()
        known = set(tagger.labels())
        out = []
        for doc in docs:
            n = len(doc.words)
            probs = np.full((n, len(self.names)), EPS)
            if n:
                tagger.set(doc_features(doc.words, doc.text))
                for j, name in enumerate(self.names):
                    if name in known:
                        probs[:, j] = [tagger.marginal(name, t) for t in range(n)]
            probs = np.maximum(probs, EPS)
            out.append(np.log(probs / probs.sum(axis=1, keepdims=True)))
        return out


class _CountingTrainer(pycrfsuite.Trainer):
    """Publishes the finished iteration count to the parent process."""

    counter: Any = None

    def on_iteration(self, log: str, info: dict[str, Any]) -> None:
        if self.counter is not None:
            self.counter.value = int(info.get("num", 0))


def _train_worker(
    rows: list[tuple[str, list[tuple[int, int, str]], list[str]]], params: dict[str, Any], path: str, counter: Any
) -> None:
    """Runs in a child process: crfsuite cannot be interrupted, a process can."""
    trainer = _CountingTrainer(verbose=False)
    trainer.counter = counter
    for text, words, labels in rows:
        trainer.append(doc_features([Word(*w) for w in words], text), labels)
    trainer.set_params(params)
    trainer.train(path)


def train_crf(
    examples: Sequence[Example],
    scheme: TagScheme,
    path: Path,
    params: dict[str, Any],
    ctx: TrainContext,
    lo: float,
    hi: float,
) -> dict[str, Any]:
    """Train crfsuite in a spawned child, polling cancellation and reporting its iterations.

    On cancel the child is terminated at once, so cancellation is prompt and leaves nothing
    running.
    """
    names = scheme.names()
    rows = [
        (ex.text, [(w.start, w.end, w.text) for w in ex.words], [names[t] for t in ex.tags])
        for ex in examples
        if ex.words
    ]
    if not rows:
        raise ValueError("no training document contains any word")
    max_iter = int(params.get("max_iterations", DEFAULTS["max_iterations"]))
    crf_params = {
        "c1": float(params.get("c1", DEFAULTS["c1"])),
        "c2": float(params.get("c2", DEFAULTS["c2"])),
        "max_iterations": max_iter,
        "feature.possible_transitions": True,
    }
    mp = multiprocessing.get_context("spawn")
    counter = mp.Value("i", 0)
    start = time.monotonic()
    proc = mp.Process(target=_train_worker, args=(rows, crf_params, str(path), counter), daemon=True)
    proc.start()
    try:
        while proc.is_alive():
            proc.join(0.05)
            ctx.report(lo + (hi - lo) * min(counter.value / max_iter, 1.0))
    finally:
        if proc.is_alive():
            proc.terminate()
            proc.join()
    if proc.exitcode != 0 or not path.exists():
        raise RuntimeError(f"CRF training failed (exit code {proc.exitcode})")
    return {"crf_seconds": round(time.monotonic() - start, 2), "crf_iterations": int(counter.value)}


@register("customner.CrfTagger.v1")
class CrfTagger:
    def train(self, ctx: TrainContext) -> dict[str, Any]:
        info = train_crf(ctx.train, ctx.scheme, ctx.output_dir / CRF_FILE, ctx.params["crf"], ctx, 0.02, 0.9)
        predictor = self._predictor(ctx.output_dir, ctx.scheme, Calibrator())
        info.update(finish_on_dev(ctx, predictor))
        (ctx.output_dir / "calibration.json").write_text(_dumps(predictor.calibrator.to_json()))
        return info

    def load(self, model_dir: Path, config: dict[str, Any]) -> TaggerPredictor:
        scheme = TagScheme(tuple(config["categories"]))
        cal = Calibrator.from_json(_loads((model_dir / "calibration.json").read_text()))
        return self._predictor(model_dir, scheme, cal)

    @staticmethod
    def _predictor(model_dir: Path, scheme: TagScheme, cal: Calibrator) -> TaggerPredictor:
        return TaggerPredictor(scheme.categories, [CrfExpert(model_dir / CRF_FILE, scheme)], [1.0], cal)


def _dumps(obj: Any) -> str:
    import json

    return json.dumps(obj, indent=1)


def _loads(text: str) -> Any:
    import json

    return json.loads(text)
