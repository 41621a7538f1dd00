"""Loaded predictors, kept in memory (least recently used dropped) and shared by the jobs of one process.

With the Celery engine each worker process has its own cache, filled from the blob store on first use.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from customner import ner
from customner.blobs import BlobStore
from customner.ner.types import Predictor
from customner.observability import MODEL_CACHE


class ModelCache:
    def __init__(self, blobs: BlobStore, capacity: int) -> None:
        self._blobs = blobs
        self._capacity = max(1, capacity)
        self._loaded: OrderedDict[str, Predictor] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_id: str, artifact_key: str) -> Predictor:
        with self._lock:
            predictor = self._loaded.get(model_id)
            if predictor is not None:
                self._loaded.move_to_end(model_id)
                MODEL_CACHE.labels(result="hit").inc()
                return predictor
            MODEL_CACHE.labels(result="miss").inc()
            predictor = ner.load(self._blobs.read_dir(artifact_key))
            self._loaded[model_id] = predictor
            while len(self._loaded) > self._capacity:
                self._loaded.popitem(last=False)
            return predictor

    def forget(self, model_id: str) -> None:
        with self._lock:
            self._loaded.pop(model_id, None)
