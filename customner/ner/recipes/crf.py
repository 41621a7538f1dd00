"""customner.CrfTagger.v1: linear-chain CRF over script-agnostic word features.

Serves every language (no pretrained encoder needed) and is also the feature expert
inside the transformer recipe.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pycrfsuite

from customner.ner.calibration import Calibrator
from customner.ner.config import CrfConfig, CrfParams, TransformerConfig
from customner.ner.data import Doc, Example
from customner.ner.features import doc_features
from customner.ner.gazetteer import Gazetteer, word_spans
from customner.ner.labels import TagScheme
from customner.ner.predictor import TaggerPredictor
from customner.ner.recipes.registry import register
from customner.ner.segmenter import SEGMENTER, segment_tags
from customner.ner.training import TrainContext, finish_on_dev

CRF_FILE = "crf.crfsuite"
GAZETTEER_FILE = "gazetteer.json"  # present when the CRF was trained with gazetteer features
SEGMENTER_FILE = "segmenter.json"  # present when it was trained with Chinese word segmentation features (names it)
WEIGHTS_FILE = "weights.json"  # the expert weights, scaled by 1 / the temperature fitted on the dev slice
EPS = 1e-6
# Share of the CRF's training time that a Chinese project's word segmentation takes (MSRA, 20,000 sentences: 15 of
# 188 s), for the progress bar.
SEGMENTING_SHARE = 0.1


class CrfExpert:
    """Per-word label marginals from a trained crfsuite model.

    crfsuite taggers are not thread-safe, so each thread gets its own tagger.
    """

    def __init__(self, path: Path, scheme: TagScheme) -> None:
        self.path = str(path)
        self.names = scheme.names()
        self._local = threading.local()
        gazetteer = path.parent / GAZETTEER_FILE
        self.gazetteer = Gazetteer.load(gazetteer) if gazetteer.exists() else None
        self.segmenter = (path.parent / SEGMENTER_FILE).exists()

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
                gaz = self.gazetteer.tags(doc.words) if self.gazetteer else None
                segments = segment_tags(doc.words, doc.text) if self.segmenter else None
                tagger.set(doc_features(doc.words, doc.text, gaz, segments))
                for j, name in enumerate(self.names):
                    if name in known:
                        probs[:, j] = [tagger.marginal(name, t) for t in range(n)]
            probs = np.maximum(probs, EPS)
            out.append(np.log(probs / probs.sum(axis=1, keepdims=True)))
        return out


def train_crf(
    examples: Sequence[Example],
    scheme: TagScheme,
    path: Path,
    params: CrfParams,
    ctx: TrainContext,
    lo: float,
    hi: float,
) -> dict[str, Any]:
    """Train crfsuite in a child process, polling cancellation and reporting its iterations.

    On cancel the child is killed at once: cancellation is prompt and leaves nothing running.
    """
    names = scheme.names()
    labelled = [(ex, [names[t] for t in ex.tags]) for ex in examples if ex.words]
    if not labelled:
        raise ValueError("no training document contains any word")
    gazetteer_tags: list[list[str] | None] = [None] * len(labelled)
    if params.gazetteer:
        spans = [word_spans(tags) for _, tags in labelled]
        gazetteer = Gazetteer.learn([(ex.words, s) for (ex, _), s in zip(labelled, spans, strict=True)])
        gazetteer.save(path.parent / GAZETTEER_FILE)
        gazetteer_tags = [gazetteer.tags(ex.words, s) for (ex, _), s in zip(labelled, spans, strict=True)]
    segments: list[list[dict[str, str]] | None] = [None] * len(labelled)
    if params.segmenter:
        (path.parent / SEGMENTER_FILE).write_text(json.dumps({"segmenter": SEGMENTER}), encoding="utf-8")
        for k, (ex, _) in enumerate(labelled):  # a minute for a large Chinese project: report it, stay cancellable
            segments[k] = segment_tags(ex.words, ex.text)
            if k % 100 == 0:
                ctx.report(lo + (hi - lo) * SEGMENTING_SHARE * k / len(labelled))
        lo += (hi - lo) * SEGMENTING_SHARE
    rows = [(ex.text, [(w.start, w.end, w.text) for w in ex.words], tags, gaz, seg)
            for (ex, tags), gaz, seg in zip(labelled, gazetteer_tags, segments, strict=True)]
    max_iter = params.max_iterations
    crf_params = {**params.model_dump(exclude={"gazetteer", "segmenter"}), "feature.possible_transitions": True}
    work = path.parent / (path.name + ".work")
    work.mkdir(exist_ok=True)
    (work / "data.json").write_text(json.dumps(rows), encoding="utf-8")
    (work / "params.json").write_text(json.dumps(crf_params), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    cmd = [sys.executable, "-m", "customner.ner.crf_worker", str(work / "data.json"),
           str(work / "params.json"), str(path)]
    start = time.monotonic()
    done = [0]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def read_progress() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip().isdigit():
                done[0] = int(line)

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    try:
        while proc.poll() is None:
            time.sleep(0.05)
            ctx.report(lo + (hi - lo) * min(done[0] / max_iter, 1.0))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        reader.join(1.0)
        shutil.rmtree(work, ignore_errors=True)
    if proc.returncode != 0 or not path.exists():
        err = proc.stderr.read()[-2000:] if proc.stderr else ""
        raise RuntimeError(f"CRF training failed (exit code {proc.returncode}): {err}")
    return {"crf_seconds": round(time.monotonic() - start, 2), "crf_iterations": done[0]}


@register("customner.CrfTagger.v1")
class CrfTagger:
    def train(self, ctx: TrainContext) -> dict[str, Any]:
        params = ctx.config_as(CrfConfig).params.crf
        info = train_crf(ctx.train, ctx.scheme, ctx.output_dir / CRF_FILE, params, ctx, 0.02, 0.9)
        predictor = self._predictor(ctx.output_dir, ctx.scheme, Calibrator())
        info.update(finish_on_dev(ctx, predictor))
        (ctx.output_dir / "calibration.json").write_text(json.dumps(predictor.calibrator.to_json(), indent=1))
        (ctx.output_dir / WEIGHTS_FILE).write_text(json.dumps(predictor.weights, indent=1))
        return info

    def load(self, model_dir: Path, config: CrfConfig | TransformerConfig) -> TaggerPredictor:
        scheme = TagScheme(tuple(config.categories))
        cal = Calibrator.from_json(json.loads((model_dir / "calibration.json").read_text()))
        weights_file = model_dir / WEIGHTS_FILE  # absent in models trained before the fitted temperature
        weights = json.loads(weights_file.read_text()) if weights_file.exists() else [1.0]
        return self._predictor(model_dir, scheme, cal, weights)

    @staticmethod
    def _predictor(model_dir: Path, scheme: TagScheme, cal: Calibrator, weights: list[float] | None = None) -> TaggerPredictor:
        return TaggerPredictor(scheme.categories, [CrfExpert(model_dir / CRF_FILE, scheme)], weights or [1.0], cal)
