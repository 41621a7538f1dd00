"""A data folder made by the previous release keeps working: the schema upgrades and nothing is lost."""

from __future__ import annotations

import importlib.util
import json
import shutil
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import create_engine, select, text

import customner
from customner.jobs.lifecycle import JobRecord
from customner.services import analysis
from customner.store.tables import EntityType
from tests.server import AUTHORING, VERSION, RunningServer, run_server

FIXTURE = Path(__file__).parent.parent / "fixtures" / "previous_release"
EXPORT_QUERY = {**VERSION, "stringIndexType": "Utf16CodeUnit"}


def exported(server: RunningServer, project: str) -> dict[str, Any]:
    response = server.client.post(f"{AUTHORING}/{project}/:export", params=EXPORT_QUERY)
    assert response.status_code == 202, response.text
    job = server.wait_job(response.headers["operation-location"])
    assert job["status"] == "succeeded", job
    body: dict[str, Any] = server.client.get(job["resultUrl"]).json()
    return body


def labels(project_file: dict[str, Any]) -> list[tuple[str, str | None, list[tuple[str, int, int]]]]:
    return [(document["location"], document.get("dataset"),
             [(label["category"], label["offset"], label["length"])
              for region in document["entities"] for label in region["labels"]])
            for document in project_file["assets"]["documents"]]


def test_a_previous_release_data_folder_upgrades_without_losing_anything(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    before = json.loads(next((data / "exports").glob("*.json")).read_text("utf-8"))
    expected = json.loads((FIXTURE / "expected_predictions.json").read_text("utf-8"))
    with run_server(data) as server:
        project = server.client.get(f"{AUTHORING}/Legacy", params=VERSION).json()
        assert project["storageInputContainerName"] == "legacy-container" and project["language"] == "en-us"
        after = exported(server, "Legacy")
        assert labels(after) == labels(before)
        assert [e["category"] for e in after["assets"]["entities"]] == [e["category"] for e in before["assets"]["entities"]]

        response = server.client.post("/language/analyze-text/jobs", params={"api-version": "2023-04-01"}, json={
            "analysisInput": {"documents": [{"id": str(i), "text": text} for i, text in enumerate(expected["texts"])]},
            "tasks": [{"kind": "CustomEntityRecognition",
                       "parameters": {"projectName": "Legacy", "deploymentName": "prod"}}]})
        job = server.wait_job(response.headers["operation-location"])
        documents = job["tasks"]["items"][0]["results"]["documents"]
        assert [{"id": d["id"], "entities": d["entities"]} for d in documents] == expected["documents"]

        trainings = server.client.get(f"{AUTHORING}/Legacy/train/jobs", params=VERSION).json()["value"]
        assert [t["status"] for t in trainings] == ["succeeded"]
        models = server.client.get(f"{AUTHORING}/Legacy/models", params=VERSION).json()["value"]
        assert [m["label"] for m in models] == ["v1"]

        with server.context.db.session() as session:  # this round's columns were filled in for old rows
            slots = session.scalars(select(EntityType.slot).where(EntityType.project_name == "Legacy")
                                    .order_by(EntityType.position)).all()
        assert list(slots) == list(range(len(slots)))


RELEASE_2 = Path(__file__).parent.parent / "fixtures" / "release_2"


def test_rows_stored_by_the_round_2_release_answer_exactly_as_that_release_did(tmp_path: Path) -> None:
    """Trainings, models, evaluations and analyze jobs of every outcome, read back through both runtime surfaces."""
    shutil.copytree(RELEASE_2 / "data", tmp_path / "data")
    recorded = json.loads((RELEASE_2 / "answers.json").read_text("utf-8"))["answers"]
    with run_server(tmp_path / "data") as server:
        for request, answer in recorded.items():
            path, _, query = request.partition("?")
            params = dict(pair.split("=", 1) for pair in query.split("&")) if query else None
            response = server.client.get(path, params=params)
            body = json.loads(response.text.replace(server.url, "{base}"))
            assert (response.status_code, body) == (answer["status"], answer["body"]), request


def _migration(name: str) -> ModuleType:
    path = Path(customner.__file__).parent / "store" / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_revision_0005_converts_each_round_2_analyze_row_to_the_domain_types_and_back() -> None:
    """Every outcome the round-2 release stored: the upgrade gives rows the service reads, the downgrade the same rows."""
    migration = _migration("0005_runtime_domain_rows")
    engine = create_engine(f"sqlite:///{RELEASE_2 / 'data' / 'customner.db'}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, payload, result, errors FROM jobs WHERE kind = 'analyze'")).all()
    engine.dispose()
    assert len(rows) == 5
    for status, *stored in rows:
        old = tuple(json.loads(value) for value in stored)
        payload, result, errors = migration.to_domain(*old)
        record = JobRecord(
            id="j", kind="analyze", project_name=None, scope=None, status=status, created_at=datetime(2026, 1, 1),
            updated_at=datetime(2026, 1, 1), expires_at=datetime(2076, 1, 1), started_at=None, finished_at=None,
            cancel_requested=False, progress=0.0, payload=payload, result=result, errors=errors, warnings=[],
            worker=None, attempts=1, request_id=None)
        job = analysis.AnalysisJob.of(record)  # the service reads the converted row
        assert [task.status for task in job.tasks] == [task["status"] for task in old[1]["tasks"]]
        assert migration.to_domain(payload, result, errors) == (payload, result, errors)  # idempotent
        assert migration.to_wire(payload, result, errors, status) == old
