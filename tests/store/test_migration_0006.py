"""Revision 0006 converts training and evaluation rows from Azure's camelCase to the domain types' dump, losslessly:
the API renders a converted row exactly as the old release answered it, and a downgrade gives the old row back."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from alembic import command
from alembic.config import Config

from customner.api.authoring import training_wire as wire
from customner.services.evaluation import EvaluationOptions, EvaluationSummary
from customner.services.model_evaluation import EvaluationJobPayload
from customner.services.training import TrainingPayload, TrainingState
from customner.store.database import MIGRATIONS_DIR, migrate
from tests.rows import load_revision

FIXTURE = Path(__file__).parent.parent / "fixtures" / "previous_release" / "data" / "customner.db"

RUNNING_TRAINING = {  # a percentage split, caught mid-training with an estimated end
    "payload": {"modelLabel": "m2", "requestedConfigVersion": "latest", "trainingConfigVersion": "2024-06-01", "seed": 7,
                "evaluationOptions": {"kind": "percentage", "trainingSplitPercentage": 70, "testingSplitPercentage": 30}},
    "result": {"modelLabel": "m2", "trainingConfigVersion": "2024-06-01",
               "trainingStatus": {"percentComplete": 42, "status": "running", "startDateTime": "2026-11-30T14:27:45.0000000Z"},
               "evaluationStatus": {"percentComplete": 0, "status": "notStarted"},
               "estimatedEndDateTime": "2026-11-30T14:28:01.1234560Z"},
}
CAMEL = re.compile(r'"[a-z]+[A-Z]\w*":')  # a camelCase key
EVALUATION_PAYLOAD = {"modelLabel": "v1", "trainingConfigVersion": "2024-06-01",
                      "evaluationOptions": {"kind": "percentage", "trainingSplitPercentage": 60, "testingSplitPercentage": 40}}


@pytest.fixture(scope="module")
def revision() -> ModuleType:
    return load_revision("0006_authoring_domain_rows.py")


def old_rows() -> tuple[dict[str, Any], dict[str, Any]]:
    """The previous release's training job (payload, result) and model (options, summary), as it stored them."""
    connection = sqlite3.connect(FIXTURE)
    try:
        job = connection.execute("SELECT payload, result FROM jobs WHERE kind = 'train'").fetchone()
        model = connection.execute("SELECT evaluation_options, evaluation_summary FROM models").fetchone()
    finally:
        connection.close()
    return ({"payload": json.loads(job[0]), "result": json.loads(job[1])},
            {"options": json.loads(model[0]), "summary": json.loads(model[1])})


def same_json(a: Any, b: Any) -> bool:
    """Equal as bytes on the wire: key order and float spelling included."""
    return json.dumps(a) == json.dumps(b)


@pytest.mark.parametrize("job", [old_rows()[0], RUNNING_TRAINING], ids=["previous-release", "running"])
def test_a_training_job_renders_as_before_and_converts_back(revision: ModuleType, job: dict[str, Any]) -> None:
    payload, result = revision.training_payload_row(job["payload"]), revision.training_result_row(job["result"])
    assert same_json(wire.training_result(TrainingState.model_validate(result)), job["result"])
    assert TrainingPayload.model_validate(payload).seed == job["payload"]["seed"]
    assert revision.training_payload_row(payload) == payload and revision.training_result_row(result) == result
    assert same_json(revision.training_payload_wire(payload), job["payload"])
    assert same_json(revision.training_result_wire(result), job["result"])


def test_a_model_evaluation_renders_as_before_and_converts_back(revision: ModuleType) -> None:
    _, model = old_rows()
    summary, options = revision.summary_row(model["summary"]), revision.options_row(model["options"])
    assert same_json(wire.evaluation_summary(EvaluationSummary.model_validate(summary)), model["summary"])
    assert wire.evaluation_options(EvaluationOptions.model_validate(options)) == model["options"]
    assert revision.summary_row(summary) == summary and revision.options_row(options) == options
    assert same_json(revision.summary_wire(summary), model["summary"])
    assert revision.options_wire(options) == model["options"]


def test_a_model_evaluation_job_payload_converts(revision: ModuleType) -> None:
    payload = EvaluationJobPayload.model_validate(revision.evaluation_payload_row(EVALUATION_PAYLOAD))
    assert wire.evaluation_options(payload.evaluation_options) == EVALUATION_PAYLOAD["evaluationOptions"]
    assert revision.evaluation_payload_wire(payload.model_dump(mode="json")) == EVALUATION_PAYLOAD


def test_upgrade_and_downgrade_of_a_previous_release_database(tmp_path: Path) -> None:
    database = tmp_path / "customner.db"
    shutil.copy(FIXTURE, database)
    url = f"sqlite:///{database}"

    def rows(query: str) -> dict[str, tuple[Any, Any]]:
        connection = sqlite3.connect(database)
        try:
            return {key: (json.loads(a), json.loads(b)) for key, a, b in connection.execute(query)}
        finally:
            connection.close()

    jobs = "SELECT id, payload, result FROM jobs WHERE kind = 'train'"
    models = "SELECT id, evaluation_options, evaluation_summary FROM models"
    before = rows(jobs), rows(models)
    assert all(CAMEL.search(json.dumps(row)) for table in before for row in table.values())
    migrate(url)
    after = rows(jobs), rows(models)
    assert all(not CAMEL.search(json.dumps(row)) for table in after for row in table.values())
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, "0006-1")
    assert (rows(jobs), rows(models)) == before
