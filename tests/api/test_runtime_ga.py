"""GA runtime (``/language/analyze-text/jobs``) over real HTTP: shapes, paging, failures and refusals."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from tests.api.conftest import assert_error
from tests.conftest import DEMO_DEPLOYMENT, DEMO_PROJECT
from tests.server import RunningServer

JOBS = "/language/analyze-text/jobs"
SEED = "Book a table for two at Chez Marie in Lisbon on Friday, and play Nina Simone."


def task(name: str | None = "0", project: str = DEMO_PROJECT, deployment: str = DEMO_DEPLOYMENT,
         **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "CustomEntityRecognition",
                            "parameters": {"projectName": project, "deploymentName": deployment, **parameters}}
    if name is not None:
        body["taskName"] = name
    return body


def job_body(documents: list[dict[str, Any]], tasks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"analysisInput": {"documents": documents}, "tasks": tasks, **extra}


def docs(count: int, text: str = SEED) -> list[dict[str, str]]:
    return [{"id": str(i), "text": text, "language": "en"} for i in range(count)]


def submit(server: RunningServer, body: dict[str, Any], version: str = "2023-04-01") -> str:
    response = server.client.post(JOBS, params={"api-version": version}, json=body)
    assert response.status_code == 202, response.text
    assert response.content == b""
    location: str = response.headers["operation-location"]
    return location


@pytest.mark.parametrize("version", ["2022-05-01", "2023-04-01", "2024-11-01"])
def test_operation_location_is_absolute_and_carries_the_api_version(deployed: RunningServer, version: str) -> None:
    location = submit(deployed, job_body(docs(1), [task()]), version)
    parts = urlsplit(location)
    assert location.startswith(f"{deployed.url}{JOBS}/")
    assert parse_qs(parts.query) == {"api-version": [version]}
    job = deployed.wait_job(location)
    assert job["status"] == "succeeded"
    assert set(job) >= {"jobId", "createdDateTime", "lastUpdatedDateTime", "expirationDateTime", "status", "errors", "tasks"}
    assert job["jobId"] == parts.path.rsplit("/", 1)[1]


def test_task_names_are_echoed_and_several_tasks_run_in_one_job(deployed: RunningServer) -> None:
    body = job_body(docs(2), [task("first"), task("Second Task", stringIndexType="Utf16CodeUnit"), task(None)],
                    displayName="three tasks")
    job = deployed.wait_job(submit(deployed, body))
    assert job["status"] == "succeeded" and job["displayName"] == "three tasks"
    assert job["tasks"] == {**job["tasks"], "completed": 3, "failed": 0, "inProgress": 0, "total": 3}
    items = job["tasks"]["items"]
    assert [item["taskName"] for item in items] == ["first", "Second Task", "2"]
    for item in items:
        assert item["kind"] == "CustomEntityRecognitionLROResults" and item["status"] == "succeeded"
        results = item["results"]
        assert results["projectName"] == DEMO_PROJECT and results["deploymentName"] == DEMO_DEPLOYMENT
        assert [d["id"] for d in results["documents"]] == ["0", "1"] and results["errors"] == []
        for document in results["documents"]:
            assert document["warnings"] == [] and "statistics" not in document
            for entity in document["entities"]:
                assert SEED[entity["offset"] : entity["offset"] + entity["length"]] == entity["text"]


def test_a_job_takes_four_transactions_on_its_worker(deployed: RunningServer) -> None:
    """Claim, read, resolve the deployment, finish. A 25-document job's model work takes tens of milliseconds, so
    each further round trip cost throughput: a cancel check right after the read, a progress save just before the
    finish writing the same results, the runner's finish and re-read after the job had ended itself (issue 13)."""
    on_job_threads: list[str] = []

    def count(_connection: Any) -> None:
        if threading.current_thread().name.startswith("job_"):  # the in-process engine's pool (not job-maintenance)
            on_job_threads.append(threading.current_thread().name)

    engine = deployed.context.db.engine
    event.listen(engine, "begin", count)
    try:
        job = deployed.wait_job(submit(deployed, job_body(docs(3), [task()])))
    finally:
        event.remove(engine, "begin", count)
    assert job["status"] == "succeeded" and job["tasks"]["items"][0]["results"]["documents"]
    assert len(on_job_threads) == 4, on_job_threads


def test_a_documents_answer_does_not_depend_on_the_documents_sent_with_it(deployed: RunningServer) -> None:
    """The int8 model used to share one activation scale per batch, so a job's other documents moved the answer."""
    texts = [SEED, "Book a table for two at Government in Seattle on Friday.",
             "David Schmidt is performing at Chez Marie tonight.", "cheap thai food near me open after 11 pm",
             "Is there a five star steakhouse in Boston with valet parking that takes reservations for 12 people?",
             "ZZZ 999 !!! Chez Chez Chez " * 8]

    def entities(documents: list[dict[str, str]]) -> dict[str, list[Any]]:
        job = deployed.wait_job(submit(deployed, job_body(documents, [task()])))
        return {d["id"]: d["entities"] for d in job["tasks"]["items"][0]["results"]["documents"]}

    together = entities([{"id": str(i), "text": text, "language": "en"} for i, text in enumerate(texts)])
    assert any(together.values())
    for i, text in enumerate(texts):
        assert entities([{"id": str(i), "text": text, "language": "en"}]) == {str(i): together[str(i)]}


def test_a_failed_task_makes_the_job_partially_completed(deployed: RunningServer) -> None:
    job = deployed.wait_job(submit(deployed, job_body(docs(1), [task("good"), task("bad", deployment="NoSuchDeployment")])))
    assert job["status"] == "partiallyCompleted"
    assert job["tasks"]["completed"] == 1 and job["tasks"]["failed"] == 1
    good, bad = job["tasks"]["items"]
    assert good["status"] == "succeeded" and good["results"]["documents"]
    assert bad["status"] == "failed" and "results" not in bad
    (error,) = job["errors"]
    assert error["code"] == "NotFound" and error["target"] == "#/tasks/items/1"
    assert "NoSuchDeployment" in error["message"]


def test_a_job_whose_tasks_all_fail_is_200_with_status_failed(deployed: RunningServer) -> None:
    location = submit(deployed, job_body(docs(1), [task(project="NoSuchProject"), task(deployment="Nope")]))
    job = deployed.wait_job(location)
    response = deployed.client.get(location)
    assert response.status_code == 200
    assert job["status"] == "failed"
    assert [(e["code"], e["target"]) for e in job["errors"]] == [("ProjectNotFound", "#/tasks/items/0"),
                                                                 ("NotFound", "#/tasks/items/1")]


def test_show_stats_adds_document_task_and_job_statistics(deployed: RunningServer) -> None:
    documents = [{"id": "a", "text": SEED}, {"id": "b", "text": ""}]
    location = submit(deployed, job_body(documents, [task()]))
    deployed.wait_job(location)
    job = deployed.client.get(f"{location}&showStats=True").json()
    expected = {"documentsCount": 2, "validDocumentsCount": 1, "erroneousDocumentsCount": 1, "transactionsCount": 1}
    assert job["statistics"] == expected
    results = job["tasks"]["items"][0]["results"]
    assert results["statistics"] == expected
    (document,) = results["documents"]
    assert document["statistics"] == {"charactersCount": len(SEED), "transactionsCount": 1}
    assert results["errors"] == [{"id": "b", "error": {
        "code": "InvalidArgument", "message": "Invalid Document in request.",
        "innererror": {"code": "InvalidDocument", "message": "Document text is empty."}}}]
    plain = deployed.client.get(location).json()
    assert "statistics" not in plain and "statistics" not in plain["tasks"]["items"][0]["results"]


def test_results_page_at_20_documents_per_task_with_next_link(deployed: RunningServer) -> None:
    location = submit(deployed, job_body(docs(25), [task("a"), task("b")]), "2022-05-01")
    first = deployed.wait_job(location)
    for item in first["tasks"]["items"]:
        assert [d["id"] for d in item["results"]["documents"]] == [str(i) for i in range(20)]
    next_link = first["nextLink"]
    assert parse_qs(urlsplit(next_link).query) == {"api-version": ["2022-05-01"], "skip": ["20"], "top": ["20"]}
    second = deployed.client.get(next_link).json()
    assert "nextLink" not in second
    for item in second["tasks"]["items"]:
        assert [d["id"] for d in item["results"]["documents"]] == [str(i) for i in range(20, 25)]
    custom = deployed.client.get(f"{location}&top=5&skip=10&showStats=true").json()
    assert [d["id"] for d in custom["tasks"]["items"][0]["results"]["documents"]] == [str(i) for i in range(10, 15)]
    assert parse_qs(urlsplit(custom["nextLink"]).query) == {
        "api-version": ["2022-05-01"], "skip": ["15"], "top": ["5"], "showStats": ["True"]}


def test_non_terminal_polls_carry_retry_after(deployed: RunningServer) -> None:
    location = submit(deployed, job_body(docs(25, SEED * 20), [task(str(i)) for i in range(4)]))
    first = deployed.client.get(location)
    assert first.status_code == 200
    assert first.json()["status"] in ("notStarted", "running")
    assert first.headers["retry-after"] == "1"
    deployed.client.post(f"{urlsplit(location).path}:cancel", params={"api-version": "2023-04-01"})
    deployed.wait_job(location)
    final = deployed.client.get(location)
    assert "retry-after" not in final.headers


def test_cancel_returns_202_to_the_job_and_the_job_ends_cancelled(deployed: RunningServer) -> None:
    location = submit(deployed, job_body(docs(25, SEED * 20), [task(str(i)) for i in range(6)]))
    path = urlsplit(location).path
    response = deployed.client.post(f"{path}:cancel", params={"api-version": "2023-04-01"})
    assert response.status_code == 202 and response.content == b""
    assert response.headers["operation-location"] == location
    job = deployed.wait_job(location)
    assert job["status"] == "cancelled"
    assert any(item["status"] == "cancelled" and item["results"]["documents"] == [] for item in job["tasks"]["items"])
    again = deployed.client.post(f"{path}:cancel", params={"api-version": "2023-04-01"})
    assert_error(again, 400, "InvalidRequest")


@pytest.mark.parametrize("version", [None, "2021-01-01", "2025-05-15-preview", "v3.2-preview.2"])
def test_unsupported_api_versions_are_refused_with_a_bare_404(deployed: RunningServer, version: str | None) -> None:
    params = {} if version is None else {"api-version": version}
    response = deployed.client.post(JOBS, params=params, json=job_body(docs(1), [task()]))
    error = assert_error(response, 404, "404", "UnsupportedApiVersion")
    assert error["message"] == "Resource not found"


@pytest.mark.parametrize(("documents", "inner", "needle"), [
    (docs(26), "InvalidDocumentBatch", "Max 25 records are permitted."),
    ([{"id": "1", "text": ""}, {"id": "2", "text": "  "}], "InvalidDocumentBatch", "Document text is empty."),
    ([{"id": "1", "text": "a"}, {"id": "1", "text": "b"}], "InvalidDocument", "duplicated Ids"),
    ([], "MissingInputDocuments", "Missing input documents."),
    ([{"id": "1", "text": "a" * 62_500}, {"id": "2", "text": "b" * 62_501}], "InvalidDocumentBatch", "125000 characters"),
])
def test_invalid_batches_are_synchronous_400s(deployed: RunningServer, documents: list[Any], inner: str, needle: str) -> None:
    response = deployed.client.post(JOBS, params={"api-version": "2023-04-01"}, json=job_body(documents, [task()]))
    error = assert_error(response, 400, "InvalidRequest", inner)
    assert needle in error["innererror"]["message"]


def test_bad_task_parameters_are_400(deployed: RunningServer) -> None:
    version = {"api-version": "2023-04-01"}
    bad_unit = deployed.client.post(JOBS, params=version, json=job_body(docs(1), [task(stringIndexType="Bytes")]))
    assert "Bytes" in assert_error(bad_unit, 400, "InvalidRequest", "InvalidParameterValue")["innererror"]["message"]
    other_kind = dict(task(), kind="SentimentAnalysis")
    response = deployed.client.post(JOBS, params=version, json=job_body(docs(1), [other_kind]))
    assert assert_error(response, 400, "InvalidRequest", "InvalidParameterValue")["target"] == "#/tasks/0"
    missing = {"kind": "CustomEntityRecognition", "parameters": {"projectName": DEMO_PROJECT}}
    response = deployed.client.post(JOBS, params=version, json=job_body(docs(1), [missing]))
    assert "deploymentName" in assert_error(response, 400, "InvalidRequest", "InvalidParameterValue")["innererror"]["message"]
    no_json = deployed.client.post(JOBS, params=version, content=b"{not json", headers={"content-type": "application/json"})
    assert_error(no_json, 400, "InvalidRequest", "InvalidRequestBodyFormat")


def test_unknown_jobs_and_keys(deployed: RunningServer) -> None:
    version = {"api-version": "2023-04-01"}
    assert_error(deployed.client.get(f"{JOBS}/00000000-0000-0000-0000-000000000000", params=version), 404, "NotFound")
    assert_error(deployed.client.post(f"{JOBS}/nope:cancel", params=version), 404, "NotFound")
    response = deployed.client.get(f"{JOBS}/x", params=version, headers={"Ocp-Apim-Subscription-Key": "wrong"})
    assert "invalid subscription key" in assert_error(response, 401, "401")["message"]
