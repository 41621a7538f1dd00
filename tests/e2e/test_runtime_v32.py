"""The v3.2-preview.2 runtime's limits, errors, paging, statistics and offset units, over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import DEMO_DEPLOYMENT, DEMO_PROJECT
from tests.server import RunningServer

ANALYZE = "/text/analytics/v3.2-preview.2/analyze"


def body(documents: list[dict[str, str]], project: str = DEMO_PROJECT, deployment: str = DEMO_DEPLOYMENT,
         **parameters: Any) -> dict[str, Any]:
    return {"analysisInput": {"documents": documents}, "tasks": {"customEntityRecognitionTasks": [
        {"parameters": {"project-name": project, "deployment-name": deployment, **parameters}}]}}


def submit(server: RunningServer, payload: dict[str, Any], query: str = "") -> dict[str, Any]:
    response = server.client.post(ANALYZE, json=payload)
    assert response.status_code == 202, response.text
    assert response.content == b""
    return server.wait_job(response.headers["operation-location"] + query)


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def test_26_documents_are_refused_like_azure(server: RunningServer) -> None:
    documents = [{"id": str(i), "text": "Play Adele."} for i in range(26)]
    error = error_of(server.client.post(ANALYZE, json=body(documents)), 400)
    assert error == {"code": "InvalidRequest", "message": "Invalid document in request.", "innererror": {
        "code": "InvalidDocumentBatch", "message": "Batch request contains too many records. Max 25 records are permitted."}}


def test_all_empty_batch_is_a_400(server: RunningServer) -> None:
    error = error_of(server.client.post(ANALYZE, json=body([{"id": "1", "text": ""}, {"id": "2", "text": "  "}])), 400)
    assert error["innererror"] == {"code": "InvalidDocumentBatch", "message": "Document text is empty."}


def test_duplicate_ids_are_refused(server: RunningServer) -> None:
    error = error_of(server.client.post(ANALYZE, json=body([{"id": "a", "text": "x"}, {"id": "a", "text": "y"}])), 400)
    assert error["innererror"]["code"] == "InvalidDocument"
    assert "duplicated Ids" in error["innererror"]["message"]


def test_more_than_125000_characters_are_refused(server: RunningServer) -> None:
    documents = [{"id": str(i), "text": "a" * 25_001} for i in range(5)]
    error = error_of(server.client.post(ANALYZE, json=body(documents)), 400)
    assert error["innererror"]["code"] == "InvalidDocumentBatch"
    assert "125000" in error["innererror"]["message"]


def test_unknown_string_index_type_is_refused(server: RunningServer) -> None:
    error = error_of(server.client.post(ANALYZE, json=body([{"id": "1", "text": "x"}], stringIndexType="Bytes")), 400)
    assert error["innererror"]["code"] == "InvalidParameterValue"


def test_malformed_json_gets_the_envelope(server: RunningServer) -> None:
    response = server.client.post(ANALYZE, content=b'{"analysisInput": ', headers={"Content-Type": "application/json"})
    error = error_of(response, 400)
    assert error["code"] == "InvalidRequest" and error["innererror"]["code"] == "InvalidRequestBodyFormat"


def test_missing_fields_get_the_envelope(server: RunningServer) -> None:
    error = error_of(server.client.post(ANALYZE, json={"tasks": {}}), 400)
    assert error["code"] == "InvalidRequest" and "analysisInput" in error["innererror"]["message"]


def test_unknown_job_is_404(server: RunningServer) -> None:
    error = error_of(server.client.get(f"{ANALYZE}/jobs/00000000-0000-0000-0000-000000000000"), 404)
    assert error["code"] == "NotFound"


@pytest.mark.parametrize(("project", "deployment", "needle"), [
    ("NoSuchProject", DEMO_DEPLOYMENT, "project 'NoSuchProject'"),
    (DEMO_PROJECT, "nosuchdeployment", "deployment 'nosuchdeployment'"),
])
def test_unknown_project_or_deployment_fails_the_job_clearly(deployed: RunningServer, project: str, deployment: str,
                                                             needle: str) -> None:
    job = submit(deployed, body([{"id": "1", "text": "Play Adele."}], project=project, deployment=deployment))
    assert job["status"] == "failed"
    (error,) = job["errors"]
    assert error["code"] == "NotFound" and needle in error["message"]
    assert error["target"] == "#/tasks/customEntityRecognitionTasks/0"


def test_empty_document_in_a_batch_gets_a_per_document_error(deployed: RunningServer) -> None:
    job = submit(deployed, body([{"id": "1", "text": "Play Adele."}, {"id": "2", "text": ""}]), "?showStats=True")
    assert job["status"] == "succeeded"
    results = job["tasks"]["customEntityRecognitionTasks"][0]["results"]
    assert [d["id"] for d in results["documents"]] == ["1"]
    assert results["errors"] == [{"id": "2", "error": {"code": "InvalidArgument", "message": "Invalid Document in request.",
                                  "innererror": {"code": "InvalidDocument", "message": "Document text is empty."}}}]
    assert results["statistics"] == {"documentsCount": 2, "validDocumentsCount": 1, "erroneousDocumentsCount": 1,
                                     "transactionsCount": 1}
    assert results["documents"][0]["statistics"] == {"charactersCount": 11, "transactionsCount": 1}


def test_statistics_only_with_show_stats(deployed: RunningServer) -> None:
    job = submit(deployed, body([{"id": "1", "text": "Play Adele."}]))
    results = job["tasks"]["customEntityRecognitionTasks"][0]["results"]
    assert "statistics" not in results and "statistics" not in results["documents"][0]


def test_25_documents_page_at_20_with_next_link(deployed: RunningServer) -> None:
    documents = [{"id": f"d{i}", "text": f"Book {i} seats at Golden Dragon in Oslo."} for i in range(25)]
    job = submit(deployed, body(documents))
    first = job["tasks"]["customEntityRecognitionTasks"][0]["results"]["documents"]
    assert [d["id"] for d in first] == [f"d{i}" for i in range(20)]
    second = deployed.client.get(job["@nextLink"]).json()
    assert "@nextLink" not in second
    assert [d["id"] for d in second["tasks"]["customEntityRecognitionTasks"][0]["results"]["documents"]] == [
        f"d{i}" for i in range(20, 25)]


def test_jobs_expire_after_24_hours(deployed: RunningServer) -> None:
    response = deployed.client.post(ANALYZE, json=body([{"id": "1", "text": "Play Adele."}]))
    location = response.headers["operation-location"]
    job = deployed.wait_job(location)
    created = datetime.fromisoformat(job["createdDateTime"].rstrip("Z"))
    assert datetime.fromisoformat(job["expirationDateTime"].rstrip("Z")) - created == timedelta(hours=24)
    engine = create_engine(f"sqlite:///{deployed.data_dir / 'customner.db'}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE jobs SET expires_at = :past WHERE id = :id"),
                           {"past": datetime(2000, 1, 1), "id": job["jobId"]})
    engine.dispose()
    assert deployed.client.get(location).status_code == 404


# "héllo 👍🏽 é ..." : é precomposed; 👍🏽 is two code points (four UTF-16 units) and one text element;
# the second é is e + U+0301, two code points and one text element.
EMOJI_TEXT = "h\u00e9llo \U0001F44D\U0001F3FD e\u0301 Book a table at Chez Marie in Lisbon on Friday."


@pytest.mark.parametrize(("index_type", "shift"), [
    ("TextElement_v8", -2), ("TextElements_v8", -2), (None, -2), ("UnicodeCodePoint", 0), ("Utf16CodeUnit", 2)])
def test_offsets_in_every_unit(deployed: RunningServer, index_type: str | None, shift: int) -> None:
    parameters = {} if index_type is None else {"stringIndexType": index_type}
    job = submit(deployed, body([{"id": "1", "text": EMOJI_TEXT}], **parameters))
    entities = job["tasks"]["customEntityRecognitionTasks"][0]["results"]["documents"][0]["entities"]
    assert entities, "the demo model should find entities here"
    for entity in entities:
        code_point = EMOJI_TEXT.index(entity["text"])
        assert code_point > 12, "every entity lies after the emoji and the combining mark"
        assert entity["offset"] == code_point + shift
        assert entity["length"] == len(entity["text"])
    found = {(e["text"], e["offset"]) for e in entities}
    assert ("Chez Marie", 28 + shift) in found
