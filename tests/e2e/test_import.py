"""Import validation: clear errors that name the document and label; nothing is half-imported."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import demo_project_file
from tests.server import AUTHORING, VERSION, RunningServer


def project_file(name: str, documents: list[dict[str, Any]], categories: tuple[str, ...] = ("Person",)) -> dict[str, Any]:
    return {"projectFileVersion": "2022-05-01", "stringIndexType": "Utf16CodeUnit",
            "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": "imports",
                         "projectName": name, "language": "en-us", "multilingual": False, "settings": {}},
            "assets": {"projectKind": "CustomEntityRecognition", "entities": [{"category": c} for c in categories],
                       "documents": documents}}


def document(location: str, text: str | None, labels: list[tuple[str, int, int]], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"location": location, "language": "en-us", "dataset": "Train", "entities": [
        {"regionOffset": 0, "regionLength": len(text.encode("utf-16-le")) // 2 if text else 0,
         "labels": [{"category": c, "offset": o, "length": n} for c, o, n in labels]}], **extra}
    if text is not None:
        body["text"] = text
    return body


def import_error(server: RunningServer, name: str, body: dict[str, Any]) -> dict[str, Any]:
    response = server.client.post(f"{AUTHORING}/{name}/:import", params=VERSION, json=body)
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


@pytest.mark.parametrize(("labels", "needle"), [
    ([("Person", 4, 30)], "falls outside the document"),
    ([("Person", 0, 3), ("Person", 2, 4)], "overlaps label Person"),
    ([("Place", 0, 3)], "entity type 'Place' is not declared"),
])
def test_bad_labels_are_refused_naming_document_and_label(server: RunningServer, labels: list[tuple[str, int, int]],
                                                           needle: str) -> None:
    body = project_file("bad", [document("a.txt", "Ann met Bob.", [("Person", 0, 3)]),
                                document("b.txt", "Cid saw Dee.", labels)])
    error = import_error(server, "bad", body)
    assert error["code"] == "InvalidRequest"
    assert "document 'b.txt'" in error["message"] and needle in error["message"]
    assert server.client.get(f"{AUTHORING}/bad", params=VERSION).status_code == 404  # nothing half-imported


def test_failed_reimport_leaves_the_existing_project_untouched(server: RunningServer) -> None:
    good = project_file("keep", [document("a.txt", "Ann met Bob.", [("Person", 0, 3), ("Person", 8, 3)])])
    response = server.client.post(f"{AUTHORING}/keep/:import", params=VERSION, json=good)
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    bad = copy.deepcopy(good)
    bad["assets"]["documents"].append(document("z.txt", "Zed.", [("Person", 0, 40)]))
    import_error(server, "keep", bad)
    exported = export(server, "keep")
    assert [d["location"] for d in exported["assets"]["documents"]] == ["a.txt"]


def test_missing_text_file_is_reported(server: RunningServer) -> None:
    error = import_error(server, "nofile", project_file("nofile", [document("missing.txt", None, [])]))
    assert "no file 'missing.txt' in storage container 'imports'" in error["message"]


def test_text_can_come_from_the_container_folder(server: RunningServer) -> None:
    folder = server.data_dir / "storage" / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "disk.txt").write_text("Eve called 😀 Fay.", encoding="utf-8")
    # "Fay" is at code point 13 but UTF-16 offset 14: the emoji is a surrogate pair.
    body = project_file("fromdisk", [document("disk.txt", None, [("Person", 0, 3), ("Person", 14, 3)])])
    body["assets"]["documents"][0]["entities"][0]["regionLength"] = 18
    response = server.client.post(f"{AUTHORING}/fromdisk/:import", params=VERSION, json=body)
    assert response.status_code == 202, response.text
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    labels = export(server, "fromdisk")["assets"]["documents"][0]["entities"][0]["labels"]
    assert labels == [{"category": "Person", "offset": 0, "length": 3}, {"category": "Person", "offset": 14, "length": 3}]


def test_label_splitting_a_surrogate_pair_is_refused(server: RunningServer) -> None:
    body = project_file("split", [document("s.txt", "😀 Gus", [("Person", 1, 4)])])
    assert "surrogate pair" in import_error(server, "split", body)["message"]


def test_demo_project_round_trips_offset_for_offset(server: RunningServer) -> None:
    original = demo_project_file()
    original["metadata"]["projectName"] = "roundtrip"
    response = server.client.post(f"{AUTHORING}/roundtrip/:import", params=VERSION, json=original)
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    exported = export(server, "roundtrip")
    for before, after in zip(original["assets"]["documents"], exported["assets"]["documents"], strict=True):
        assert after["location"] == before["location"] and after["dataset"] == before["dataset"]
        assert after["entities"] == before["entities"]
    assert exported["assets"]["entities"] == original["assets"]["entities"]


def export(server: RunningServer, name: str) -> dict[str, Any]:
    response = server.client.post(f"{AUTHORING}/{name}/:export", params={**VERSION, "stringIndexType": "Utf16CodeUnit"})
    job = server.wait_job(response.headers["operation-location"])
    assert job["status"] == "succeeded", job
    result: dict[str, Any] = server.client.get(job["resultUrl"]).json()
    return result
