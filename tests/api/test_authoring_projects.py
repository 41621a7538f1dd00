"""Authoring projects, import and export (A1–A10) over real HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import assert_error, import_project
from tests.server import AUTHORING, RunningServer

VERSIONS = ["2022-05-01", "2023-04-01", "2025-05-15-preview"]
MERGE_PATCH = {"content-type": "application/merge-patch+json"}


def metadata(name: str, **extra: Any) -> dict[str, Any]:
    return {"projectKind": "CustomEntityRecognition", "storageInputContainerName": f"{name.lower()}-c",
            "projectName": name, "language": "en-us", **extra}


def patch(server: RunningServer, name: str, body: dict[str, Any], version: str = "2022-05-01") -> Any:
    return server.client.patch(f"{AUTHORING}/{name}", params={"api-version": version}, json=body, headers=MERGE_PATCH)


@pytest.mark.parametrize("version", VERSIONS)
def test_patch_creates_then_updates_a_project(server: RunningServer, version: str) -> None:
    name = f"Patch-{version}"
    created = patch(server, name, metadata(name, description="first"), version)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["projectName"] == name and body["description"] == "first" and body["multilingual"] is False
    assert set(body) >= {"projectKind", "storageInputContainerName", "language", "createdDateTime", "lastModifiedDateTime"}
    updated = patch(server, name, {"description": "second"}, version)
    assert updated.status_code == 200
    assert updated.json()["description"] == "second" and updated.json()["language"] == "en-us"
    got = server.client.get(f"{AUTHORING}/{name}", params={"api-version": version})
    assert got.status_code == 200 and got.json() == updated.json()


def test_project_errors(server: RunningServer) -> None:
    version = {"api-version": "2023-04-01"}
    assert_error(server.client.get(f"{AUTHORING}/NoSuchProject", params=version), 404, "ProjectNotFound")
    assert_error(patch(server, "bad name", metadata("bad name")), 400, "InvalidRequest", "InvalidParameterValue")
    long_name = "x" * 101
    assert_error(patch(server, long_name, metadata(long_name)), 400, "InvalidRequest", "InvalidParameterValue")
    mismatch = patch(server, "Mismatch", metadata("Other"))
    assert_error(mismatch, 400, "InvalidRequest", "InvalidParameterValue")
    incomplete = patch(server, "Incomplete", {"description": "no kind, container or language"})
    assert_error(incomplete, 400, "InvalidRequest")
    assert_error(server.client.get(f"{AUTHORING}/x", params={"api-version": "2024-11-01"}), 404, "404",
                 "UnsupportedApiVersion")


def test_list_projects_pages_with_next_link(server: RunningServer) -> None:
    for index in range(3):
        assert patch(server, f"Listed-{index}", metadata(f"Listed-{index}")).status_code in (200, 201)
    everything = server.client.get(AUTHORING, params={"api-version": "2022-05-01"}).json()
    names = [p["projectName"] for p in everything["value"]]
    assert {"Listed-0", "Listed-1", "Listed-2"} <= set(names) and everything["nextLink"] is None
    page = server.client.get(AUTHORING, params={"api-version": "2022-05-01", "maxpagesize": 2}).json()
    assert [p["projectName"] for p in page["value"]] == names[:2]
    query = parse_qs(urlsplit(page["nextLink"]).query)
    assert query["api-version"] == ["2022-05-01"] and query["skip"] == ["2"]
    rest = server.client.get(page["nextLink"]).json()
    assert [p["projectName"] for p in rest["value"]] == names[2:4]
    limited = server.client.get(AUTHORING, params={"api-version": "2022-05-01", "top": 1, "skip": 1}).json()
    assert [p["projectName"] for p in limited["value"]] == names[1:2] and limited["nextLink"] is None


def test_delete_project_is_a_job_under_global_deletion_jobs(server: RunningServer) -> None:
    assert patch(server, "ToDelete", metadata("ToDelete")).status_code == 201
    response = server.client.delete(f"{AUTHORING}/ToDelete", params={"api-version": "2023-04-01"})
    assert response.status_code == 202 and response.content == b""
    location = response.headers["operation-location"]
    assert urlsplit(location).path.startswith(f"{AUTHORING}/global/deletion-jobs/")
    assert parse_qs(urlsplit(location).query) == {"api-version": ["2023-04-01"]}
    job = server.wait_job(location)
    assert job["status"] == "succeeded"
    assert set(job) >= {"jobId", "createdDateTime", "lastUpdatedDateTime", "expirationDateTime", "status"}
    assert_error(server.client.get(f"{AUTHORING}/ToDelete", params={"api-version": "2023-04-01"}), 404, "ProjectNotFound")
    assert_error(server.client.delete(f"{AUTHORING}/ToDelete", params={"api-version": "2023-04-01"}), 404, "ProjectNotFound")


# Non-BMP characters before and inside labels, so UTF-16 offsets differ from code points.
ROUND_TRIP_TEXT = "\U0001F600 Dinner at Caf\u00e9 \U0001D54F\U0001D560 in Porto \U0001F1F5\U0001F1F9 on Friday."


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def round_trip_file(name: str, legacy: bool = False) -> dict[str, Any]:
    text = ROUND_TRIP_TEXT
    labels = []
    for category, needle in (("restaurant", "Caf\u00e9 \U0001D54F\U0001D560"), ("city", "Porto"), ("date", "Friday")):
        start = text.index(needle)
        labels.append({"category": category, "offset": utf16(text[:start]), "length": utf16(needle)})
    document = {"location": "doc1.txt", "language": "en-us", "dataset": "Train", "text": text,
                "entities": [{"regionOffset": 0, "regionLength": utf16(text), "labels": labels}]}
    second = {"location": "doc2.txt", "language": "en-us", "dataset": "Test", "text": "Lunch in Porto.",
              "entities": [{"regionOffset": 0, "regionLength": 15, "labels": [{"category": "city", "offset": 9, "length": 5}]}]}
    assets: dict[str, Any] = {"projectKind": "CustomEntityRecognition",
                              "entities": [{"category": c} for c in ("restaurant", "city", "date")],
                              "documents": [document, second]}
    if legacy:
        assets = {"extractors": [{"extractorName": e["category"]} for e in assets["entities"]], "documents": [
            {**d, "extractors": [{**r, "labels": [{"extractorName": lb["category"], "offset": lb["offset"],
                                                   "length": lb["length"]} for lb in r["labels"]]}
                                 for r in d["entities"]]} for d in assets["documents"]]}
        for d in assets["documents"]:
            del d["entities"]
    version_key = "project-file-version" if legacy else "projectFileVersion"  # the older draft's spelling
    return {version_key: "2022-05-01", "stringIndexType": "Utf16CodeUnit",
            "metadata": metadata(name, multilingual=False, description="round trip", settings={}), "assets": assets}


def export(server: RunningServer, name: str, version: str = "2023-04-01") -> dict[str, Any]:
    response = server.client.post(f"{AUTHORING}/{name}/:export",
                                  params={"api-version": version, "stringIndexType": "Utf16CodeUnit"})
    assert response.status_code == 202, response.text
    location = response.headers["operation-location"]
    assert urlsplit(location).path.startswith(f"{AUTHORING}/{name}/export/jobs/")
    job = server.wait_job(location)
    assert job["status"] == "succeeded", job
    result_url = job["resultUrl"]
    assert parse_qs(urlsplit(result_url).query) == {"api-version": [version]}
    result = server.client.get(result_url)
    assert result.status_code == 200
    exported: dict[str, Any] = result.json()
    return exported


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "legacy-extractors"])
def test_import_export_round_trip_keeps_utf16_offsets(server: RunningServer, legacy: bool) -> None:
    name = "RoundTripLegacy" if legacy else "RoundTrip"
    source = round_trip_file(name, legacy)
    job = import_project(server, source, name)
    assert job["status"] == "succeeded", job
    exported = export(server, name)
    assert exported["stringIndexType"] == "Utf16CodeUnit" and exported["projectFileVersion"] == "2023-04-01"
    assert exported["metadata"]["projectName"] == name and exported["metadata"]["language"] == "en-us"
    assets = exported["assets"]
    assert assets["projectKind"] == "CustomEntityRecognition"
    assert assets["entities"] == [{"category": "restaurant"}, {"category": "city"}, {"category": "date"}]
    expected = round_trip_file(name)["assets"]["documents"]
    for document in expected:
        del document["text"]
    assert assets["documents"] == expected
    assert all("text" not in document for document in assets["documents"])


def test_import_replaces_the_project_and_reports_problems_synchronously(server: RunningServer) -> None:
    version = {"api-version": "2022-05-01"}
    body = round_trip_file("ImportChecks")
    body["assets"]["documents"][0]["entities"][0]["labels"].append({"category": "undeclared", "offset": 0, "length": 1})
    response = server.client.post(f"{AUTHORING}/ImportChecks/:import", params=version, json=body)
    error = assert_error(response, 400, "InvalidRequest", "InvalidDocument")
    assert "undeclared" in error["message"]
    too_many = round_trip_file("ImportChecks")
    too_many["assets"]["entities"] = [{"category": f"type{i}"} for i in range(201)]
    response = server.client.post(f"{AUTHORING}/ImportChecks/:import", params=version, json=too_many)
    assert "at most 200 entity types" in assert_error(response, 400, "InvalidRequest")["message"]
    long_document = round_trip_file("ImportChecks")
    long_document["assets"]["documents"][1] = {"location": "long.txt", "dataset": "Train", "text": "a" * 128_001}
    response = server.client.post(f"{AUTHORING}/ImportChecks/:import", params=version, json=long_document)
    assert "128000" in assert_error(response, 400, "InvalidRequest")["message"]
    no_metadata = server.client.post(f"{AUTHORING}/ImportChecks/:import", params=version, json={"projectFileVersion": "x"})
    assert_error(no_metadata, 400, "InvalidRequest", "InvalidRequestBodyFormat")
    bad_name = server.client.post(f"{AUTHORING}/bad name/:import", params=version, json=round_trip_file("bad name"))
    assert_error(bad_name, 400, "InvalidRequest", "InvalidParameterValue")


def test_export_errors(server: RunningServer) -> None:
    version = "2023-04-01"
    missing = server.client.post(f"{AUTHORING}/NoSuchProject/:export",
                                 params={"api-version": version, "stringIndexType": "Utf16CodeUnit"})
    assert_error(missing, 404, "ProjectNotFound")
    assert patch(server, "ExportChecks", metadata("ExportChecks")).status_code in (200, 201)
    wrong_unit = server.client.post(f"{AUTHORING}/ExportChecks/:export",
                                    params={"api-version": version, "stringIndexType": "UnicodeCodePoint"})
    assert_error(wrong_unit, 400, "InvalidRequest", "InvalidParameterValue")
    unknown_job = server.client.get(f"{AUTHORING}/ExportChecks/export/jobs/nope", params={"api-version": version})
    assert_error(unknown_job, 404, "NotFound")
    unknown_result = server.client.get(f"{AUTHORING}/ExportChecks/export/jobs/nope/result", params={"api-version": version})
    assert_error(unknown_result, 404, "NotFound")
