"""A training evaluates its model with a predictor of its own, never through the serving model cache.

Regression for issue 9: evaluation used ``context.models.get``, so a training evicted a deployed model from a
full cache, and a cancel landing after training kept a predictor of a deleted model folder in the cache.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from customner import ner
from customner.jobs import lifecycle
from customner.services import training
from tests.api.conftest import FAST_CONFIG, import_project, small_project_file, train
from tests.server import AUTHORING, VERSION, RunningServer, run_server

PROJECT = "CacheProject"


@pytest.fixture(scope="module")
def one_slot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server whose model cache holds one model, with a CRF model trained and deployed (so it is that model)."""
    with run_server(Path(tmp_path_factory.mktemp("one-slot")), loaded_models=1) as server:
        assert import_project(server, small_project_file(PROJECT), PROJECT)["status"] == "succeeded"
        assert train(server, PROJECT, "deployed")["status"] == "succeeded"
        response = server.client.put(f"{AUTHORING}/{PROJECT}/deployments/prod", params=VERSION,
                                     json={"trainedModelLabel": "deployed"})
        assert response.status_code == 202, response.text
        assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        yield server


def _model_id(server: RunningServer, label: str) -> str:
    response = server.client.get(f"{AUTHORING}/{PROJECT}/models/{label}", params=VERSION)
    assert response.status_code == 200, response.text
    model_id: str = response.json()["modelId"]
    return model_id


def test_training_leaves_the_deployed_model_in_a_full_cache(one_slot: RunningServer) -> None:
    deployed = _model_id(one_slot, "deployed")
    assert one_slot.context.models.loaded() == [deployed]
    assert train(one_slot, PROJECT, "candidate")["status"] == "succeeded"
    candidate = _model_id(one_slot, "candidate")
    assert candidate != deployed
    assert one_slot.context.models.loaded() == [deployed]
    # The evaluation really ran (on the predictor it loaded itself).
    summary = one_slot.client.get(f"{AUTHORING}/{PROJECT}/models/candidate/evaluation/summary-result",
                                  params=VERSION).json()
    assert summary["customEntityRecognitionEvaluation"]["testDocumentCount"] > 0


def test_a_cancel_after_training_leaves_nothing_in_the_cache(one_slot: RunningServer,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    deployed = _model_id(one_slot, "deployed")
    known: dict[str, str] = {}
    job_known = threading.Event()
    real_train = ner.train

    def train_then_cancel(request: Any) -> ner.TrainingReport:
        """The real training, then a real cancel request: the cancel lands while the model is being evaluated."""
        report = real_train(request)
        assert job_known.wait(60)
        lifecycle.request_cancel(one_slot.context.db, known["job_id"])
        return report

    monkeypatch.setattr(ner, "train", train_then_cancel)
    response = one_slot.client.post(f"{AUTHORING}/{PROJECT}/:train", params=VERSION, json={
        "modelLabel": "cancelled", "trainingConfigVersion": FAST_CONFIG, "evaluationOptions": {"kind": "manual"}})
    assert response.status_code == 202, response.text
    location = response.headers["operation-location"]
    known["job_id"] = urlsplit(location).path.rsplit("/", 1)[1]
    job_known.set()
    assert one_slot.wait_job(location)["status"] == "cancelled"
    model_id = training.model_id_for(known["job_id"])
    assert model_id not in one_slot.context.models.loaded()
    assert one_slot.context.models.loaded() == [deployed]
    assert not one_slot.context.blobs.exists(f"models/{PROJECT}/{model_id}")
    assert one_slot.client.get(f"{AUTHORING}/{PROJECT}/models/cancelled", params=VERSION).status_code == 404
