"""Import and export in every exchange format through the authoring API: the same labels, offset for offset."""

from __future__ import annotations

import json
from typing import Any

import pytest

from customner.formats import registry
from tests.formats.samples import stress_corpus
from tests.server import AUTHORING, RunningServer

PREVIEW = {"api-version": "2025-05-15-preview"}


def import_file(server: RunningServer, project: str, format_name: str, data: bytes, **params: str) -> dict[str, Any]:
    response = server.client.post(f"{AUTHORING}/{project}/:import", params={**PREVIEW, **params}, content=data,
                                  headers={"format": format_name})
    assert response.status_code == 202, response.text
    return server.wait_job(response.headers["operation-location"])


def export_file(server: RunningServer, project: str, format_name: str | None) -> bytes:
    params = {**PREVIEW, "stringIndexType": "Utf16CodeUnit", **({"format": format_name} if format_name else {})}
    response = server.client.post(f"{AUTHORING}/{project}/:export", params=params)
    assert response.status_code == 202, response.text
    job = server.wait_job(response.headers["operation-location"])
    assert job["status"] == "succeeded", job
    result = server.client.get(job["resultUrl"])
    assert result.status_code == 200
    return result.content


@pytest.mark.parametrize("format_name", sorted(registry.EXPORTS))
def test_import_then_export_gives_back_the_same_file(server: RunningServer, format_name: str) -> None:
    project = f"exchange-{format_name}"
    data = registry.export_format(format_name).write(stress_corpus())
    job = import_file(server, project, format_name, data, language="zh-hans")
    assert job["status"] == "succeeded", job
    assert export_file(server, project, format_name) == data


def test_a_label_studio_import_exports_as_azure_with_utf16_offsets(server: RunningServer) -> None:
    data = registry.export_format("label-studio").write(stress_corpus())
    assert import_file(server, "exchange-to-azure", "label-studio", data)["status"] == "succeeded"
    project_file = server.client.get(f"{AUTHORING}/exchange-to-azure", params=PREVIEW).json()
    assert project_file["language"] == "en" and project_file["storageInputContainerName"] == "exchange-to-azure"
    azure = json.loads(export_file(server, "exchange-to-azure", None))
    first = azure["assets"]["documents"][0]
    text = stress_corpus().records[0].text
    utf16 = text.encode("utf-16-le")
    assert first["location"] == "emoji.txt"
    assert [utf16[2 * label["offset"]:2 * (label["offset"] + label["length"])].decode("utf-16-le")
            for label in first["entities"][0]["labels"]] == ["Anna", "Jose\u0301", "Café 😀 Corp", "Zürich"]


def test_a_bad_file_is_refused_naming_its_line_and_nothing_is_imported(server: RunningServer) -> None:
    data = b'{"text": "Ann met Bob.", "label": [[0, 3, "Person"]]}\n{"text": "Cid.", "label": [[0, 9, "Person"]]}\n'
    response = server.client.post(f"{AUTHORING}/exchange-bad/:import", params=PREVIEW, content=data,
                                  headers={"format": "doccano"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "InvalidRequest" and "line 2, label 1" in error["message"], error
    assert server.client.get(f"{AUTHORING}/exchange-bad", params=PREVIEW).status_code == 404


def test_conll_export_of_a_label_inside_a_word_fails_and_says_which(server: RunningServer) -> None:
    data = b'{"id": "trip.txt", "text": "Visit Lisboa today", "entities": [{"offset": 6, "length": 4, "category": "City"}]}\n'
    assert import_file(server, "exchange-inside", "jsonl", data)["status"] == "succeeded"
    response = server.client.post(f"{AUTHORING}/exchange-inside/:export", params={**PREVIEW, "format": "conll"})
    job = server.wait_job(response.headers["operation-location"])
    assert job["status"] == "failed"
    assert "trip.txt: entity 'City' 'Lisb' at 6-10 does not start and end on token boundaries" in str(job["errors"])


def test_an_unknown_format_is_a_parameter_error(server: RunningServer) -> None:
    response = server.client.post(f"{AUTHORING}/x-unknown/:import", params=PREVIEW, content=b"{}", headers={"format": "xml"})
    assert response.status_code == 400
    assert response.json()["error"]["innererror"]["code"] == "InvalidParameterValue"


def test_azure_docs_example_imports_with_or_without_the_format_header(server: RunningServer) -> None:
    from tests.formats.test_public_examples import FIXTURES

    data = (FIXTURES / "azure-project.json").read_bytes()
    for project, header in (("azure-example-json", {"format": "json"}), ("azure-example-none", {})):
        response = server.client.post(f"{AUTHORING}/{project}/:import", params=PREVIEW, content=data,
                                      headers={"content-type": "application/json", **header})
        assert response.status_code == 202, response.text
        assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
        exported = json.loads(export_file(server, project, None))
        assert exported["assets"]["documents"][0]["entities"] == json.loads(data)["assets"]["documents"][0]["entities"]
