"""Rows written by a training and a re-evaluation hold customner's own snake_case shape; Azure's camelCase is
spelled only when ``api/`` answers (issue 9)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from customner.ner import config
from customner.services.evaluation import EvaluationSummary
from customner.services.model_evaluation import EVALUATE_KIND, EvaluationJobPayload
from customner.services.training import TRAIN_KIND, TrainingPayload, TrainingState
from customner.store.tables import Job, TrainedModel
from tests.api.conftest import import_project, small_project_file, train
from tests.rows import json_keys
from tests.server import AUTHORING, RunningServer

NAME = "ApiRowShapes"
PREVIEW = {"api-version": "2023-04-15-preview"}
CAMEL = re.compile(r"[a-z][A-Z]")




def test_training_and_evaluation_rows_hold_no_azure_names(server: RunningServer) -> None:
    assert import_project(server, small_project_file(NAME, documents=30), NAME)["status"] == "succeeded"
    split = {"kind": "percentage", "trainingSplitPercentage": 70, "testingSplitPercentage": 30}
    assert train(server, NAME, "m1", evaluationOptions=split)["status"] == "succeeded"
    response = server.client.post(f"{AUTHORING}/{NAME}/models/m1/:evaluate", params=PREVIEW, json=split)
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"

    with server.context.db.session() as session:
        jobs = session.scalars(select(Job).where(Job.project_name == NAME, Job.kind.in_((TRAIN_KIND, EVALUATE_KIND)))).all()
        model = session.scalars(select(TrainedModel).where(TrainedModel.project_name == NAME)).one()
        rows = [row for job in jobs for row in (job.payload, job.result)] + [model.evaluation_options, model.evaluation_summary]
        kinds = sorted(job.kind for job in jobs)
        by_kind = {job.kind: job for job in jobs}
    assert kinds == [EVALUATE_KIND, TRAIN_KIND]
    assert not {key for row in rows for key in json_keys(row) if CAMEL.search(key)}
    # and each row is the dump of its domain type
    TrainingPayload.model_validate(by_kind[TRAIN_KIND].payload)
    TrainingState.model_validate(by_kind[TRAIN_KIND].result)
    EvaluationJobPayload.model_validate(by_kind[EVALUATE_KIND].payload)
    assert EvaluationSummary.model_validate(model.evaluation_summary).options.testing_split_percentage == 30


def test_a_training_cut_by_its_time_budget_says_so_in_the_job(server: RunningServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The wall-clock cap of the 2026-12-01 schedule is visible: the job answers with a warning, the model works."""
    monkeypatch.setattr(config, "TOKEN_BUDGET", {**config.TOKEN_BUDGET, "max_seconds": 0.001})
    name = "ApiTimeBudget"
    assert import_project(server, small_project_file(name, documents=30), name)["status"] == "succeeded"
    job = train(server, name, "cut", trainingConfigVersion="latest")
    assert job["status"] == "succeeded", job
    assert [warning["code"] for warning in job["warnings"]] == ["TrainingTimeBudgetReached"]
    assert "time budget of 0 seconds" in job["warnings"][0]["message"]
