"""No name from a request reaches a path outside its own root: every entry point that names a container or a file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import assert_error
from tests.e2e.test_import import document, project_file
from tests.server import AUTHORING, VERSION, RunningServer

BAD_CONTAINERS = ["..", "../models/p/1", "../../../etc", "/etc", "customner.db", "storage/../x", "a\x00b", "CON",
                  "%2e%2e", "..%2f..%2fetc", "Upper-Case", "a--b", "-ab", "ab", "a" * 64, "a/b", "a\\b"]
BAD_FILE_NAMES = ["..", ".", "../evil.txt", "../../models/x.txt", "/etc/passwd", "a/b.txt", "a\\b.txt", "a\x00.txt",
                  "CON", "nul.txt", "trailing.", " lead.txt", "x" * 256, "\ud800.txt"]


def files_outside_storage(data_dir: Path) -> set[str]:
    """Every file under the data dir except the database, the key, and the contents of storage/ and models/."""
    found = set()
    for root, _, files in os.walk(data_dir):
        relative = Path(root).relative_to(data_dir)
        if relative.parts[:1] in (("storage",), ("models",), ("exports",)):
            continue
        found |= {str(relative / name) for name in files if not name.startswith("customner.db") and name != "api-key"}
    return found


def import_body(container: str, location: str = "a.txt") -> dict[str, Any]:
    body = project_file("Escape", [document(location, "Ann met Bob.", [("Person", 0, 3)])])
    body["metadata"]["storageInputContainerName"] = container
    return body


@pytest.mark.parametrize("container", BAD_CONTAINERS)
def test_import_refuses_a_container_name_that_could_escape(server: RunningServer, container: str) -> None:
    before = files_outside_storage(server.data_dir)
    response = server.client.post(f"{AUTHORING}/Escape/:import", params=VERSION, json=import_body(container))
    error = assert_error(response, 400, "InvalidRequest", "InvalidParameterValue")
    assert "container" in error["message"]
    assert files_outside_storage(server.data_dir) == before
    assert not (server.data_dir / "storage" / "a.txt").exists()


@pytest.mark.parametrize("location", BAD_FILE_NAMES)
def test_import_refuses_a_document_location_outside_the_container(server: RunningServer, location: str) -> None:
    body = json.dumps(import_body("escape", location))  # ASCII-escaped, so a lone surrogate travels as \\ud800
    response = server.client.post(f"{AUTHORING}/Escape/:import", params=VERSION, content=body,
                                  headers={"Content-Type": "application/json"})
    assert_error(response, 400, "InvalidRequest")
    assert server.client.get(f"{AUTHORING}/Escape", params=VERSION).status_code == 404


def test_legacy_import_refuses_an_escaping_container(server: RunningServer) -> None:
    legacy = {"project-file-version": "2021-11-01-preview", "stringIndexType": "Utf16CodeUnit",
              "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": "../models",
                           "projectName": "Legacy", "language": "en-us", "multilingual": False, "settings": {}},
              "assets": {"extractors": [{"extractorName": "Person"}], "documents": [
                  {"location": "a.txt", "language": "en-us", "dataset": "Train", "text": "Ann met Bob.",
                   "extractors": [{"regionOffset": 0, "regionLength": 12,
                                   "labels": [{"extractorName": "Person", "offset": 0, "length": 3}]}]}]}}
    response = server.client.post(f"{AUTHORING}/Legacy/:import", params=VERSION, json=legacy)
    assert_error(response, 400, "InvalidRequest", "InvalidParameterValue")


@pytest.mark.parametrize("container", ["../../../etc", "..", "customner.db", "/tmp", "Bad_Name"])
def test_patch_refuses_an_escaping_container(server: RunningServer, container: str) -> None:
    response = server.client.patch(f"{AUTHORING}/PatchEscape", params=VERSION,
                                   headers={"Content-Type": "application/merge-patch+json"},
                                   json={"projectKind": "CustomEntityRecognition", "language": "en-us",
                                         "storageInputContainerName": container})
    assert_error(response, 400, "InvalidRequest", "InvalidParameterValue")
    assert server.client.get(f"{AUTHORING}/PatchEscape", params=VERSION).status_code == 404


@pytest.mark.parametrize("path", [
    "/storage/customner.db/a.txt", "/storage/%2e%2e/a.txt", "/storage/ab/a.txt", "/storage/good-box/%2e%2e",
    "/storage/good-box/a%00.txt", "/storage/good-box/CON", "/storage/good-box/..%5cevil.txt",
])
@pytest.mark.parametrize("method", ["PUT", "GET", "DELETE"])
def test_storage_routes_refuse_escaping_names(server: RunningServer, path: str, method: str) -> None:
    before = files_outside_storage(server.data_dir)
    response = server.client.request(method, path, content=b"hello" if method == "PUT" else None)
    assert response.status_code in (400, 404), response.text  # 404 only where no route matches the decoded path
    assert "error" in response.json()
    assert files_outside_storage(server.data_dir) == before


@pytest.mark.parametrize("container", ["customner.db", "%2e%2e", "Bad_Name"])
def test_storage_listing_refuses_bad_container_names(server: RunningServer, container: str) -> None:
    response = server.client.get(f"/storage/{container}")
    assert response.status_code in (400, 404) and "error" in response.json()


def test_a_symlink_inside_a_container_cannot_lead_out(server: RunningServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    container = server.data_dir / "storage" / "linked-box"
    container.mkdir(parents=True, exist_ok=True)
    (container / "leak.txt").symlink_to(secret)
    assert_error(server.client.get("/storage/linked-box/leak.txt"), 400, "InvalidRequest")
    body = import_body("linked-box", "leak.txt")
    del body["assets"]["documents"][0]["text"]
    response = server.client.post(f"{AUTHORING}/Leak/:import", params=VERSION, json=body)
    assert response.status_code == 400 and "top secret" not in response.text
