"""A data folder made by the previous release keeps working: the schema upgrades and nothing is lost."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from customner.store.tables import EntityType, Job, TrainedModel
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
        for request, response, answer in replay(server, recorded):
            body = json.loads(response.text.replace(server.url, "{base}"))
            assert (response.status_code, body) == (answer["status"], answer["body"]), request


CAMEL_KEY = re.compile(r'"[a-z]+[A-Z]\w*":')


def replay(server: RunningServer, answers: dict[str, Any]) -> Iterator[tuple[str, httpx.Response, Any]]:
    """GET each recorded ``path?query`` again: (request, today's response, the recorded answer)."""
    for request, answer in answers.items():
        path, _, query = request.partition("?")
        params = dict(pair.split("=", 1) for pair in query.split("&")) if query else None
        yield request, server.client.get(path, params=params), answer


def assert_byte_for_byte(server: RunningServer, answers: dict[str, Any]) -> None:
    for request, response, answer in replay(server, answers):
        assert response.text.replace(server.url, "{base}") == json.dumps(answer["body"], separators=(",", ":"),
                                                                          ensure_ascii=False), request


def test_round_2_trainings_models_and_evaluations_answer_byte_for_byte_from_converted_rows(tmp_path: Path) -> None:
    """Revision 0006 converted the authoring rows to the domain types' dump, and the answers keep Azure's key order."""
    shutil.copytree(RELEASE_2 / "data", tmp_path / "data")
    recorded = json.loads((RELEASE_2 / "answers.json").read_text("utf-8"))["answers"]
    authoring = {request: answer for request, answer in recorded.items()
                 if any(part in request for part in ("/train/jobs", "/models", "/evaluate/jobs"))}
    assert len(authoring) == 11
    with run_server(tmp_path / "data") as server:
        assert_byte_for_byte(server, authoring)
        with server.context.db.session() as session:
            jobs = session.scalars(select(Job).where(Job.kind.in_(("train", "evaluate-model")))).all()
            models = session.scalars(select(TrainedModel)).all()
            rows = [json.dumps([job.payload, job.result]) for job in jobs]
            rows += [json.dumps([model.evaluation_options, model.evaluation_summary]) for model in models]
    assert len(rows) == 5 and not [row for row in rows if CAMEL_KEY.search(row)]


def test_round_2_analyze_jobs_answer_byte_for_byte_on_both_surfaces_from_converted_rows(tmp_path: Path) -> None:
    """Revision 0005 converted the analyze rows (succeeded, partial, failed, cancelled; GA and v3.2) to the domain
    types' dump; each surface renders them in Azure's key order, a failed task's target as the surface that took it."""
    shutil.copytree(RELEASE_2 / "data", tmp_path / "data")
    release = json.loads((RELEASE_2 / "answers.json").read_text("utf-8"))
    runtime = {request: answer for request, answer in release["answers"].items()
               if any(job_id in request for job_id in release["jobs"].values())}
    assert len(runtime) == 25
    with run_server(tmp_path / "data") as server:
        assert_byte_for_byte(server, runtime)
        with server.context.db.session() as session:
            jobs = session.scalars(select(Job).where(Job.kind == "analyze")).all()
            rows = [json.dumps([job.payload, job.result, job.errors]) for job in jobs]
    assert len(rows) == 5 and not [row for row in rows if CAMEL_KEY.search(row)]
