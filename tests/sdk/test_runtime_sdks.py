"""The official runtime SDKs against the real server: 5.2.0b2 (v3.2-preview.2), 5.4.0 (GA) and 6.0.0b3 (GA).

Each SDK runs in its own venv (scripts/sdk_venvs.sh) as a subprocess; the drivers print JSON we assert on.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import regex

from tests.conftest import DEMO_DEPLOYMENT, DEMO_PROJECT
from tests.sdk.runner import run_driver
from tests.server import RunningServer

SEED_TEXT = "Book a table for two at Chez Marie in Lisbon on Friday, and play Nina Simone."
# "👍🏽" is two astral code points (4 UTF-16 units, 1 text element); "é" is e + U+0301 (2 code points, 1 element).
PREFIX = "h\u00e9llo \U0001F44D\U0001F3FD e\u0301! "
INDEX_TEXT = PREFIX + SEED_TEXT


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def text_elements(text: str) -> int:
    return len(regex.findall(r"\X", text))


def entities_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    assert "error" not in result, result
    (document,) = result["documents"]
    assert "error" not in document, document
    entities: list[dict[str, Any]] = document["entities"]
    assert entities, "the demo model found nothing in the seed sentence"
    return entities


def assert_entity_shape(entity: dict[str, Any]) -> None:
    assert isinstance(entity["text"], str) and entity["text"]
    assert entity["category"] in {"restaurant_name", "artist", "city", "date"}
    assert isinstance(entity["offset"], int) and isinstance(entity["length"], int)
    assert 0.0 <= entity["confidence"] <= 1.0


# ------------------------------------------------------------------ 5.2.0b2, v3.2-preview.2

def test_sdk52_analyze_actions_gets_custom_entities(deployed: RunningServer) -> None:
    documents = [{"id": "a", "text": SEED_TEXT, "language": "en"}, {"id": "b", "text": INDEX_TEXT, "language": "en"}]
    result = run_driver("sdk52", "sdk52_actions.py", deployed, DEMO_PROJECT, DEMO_DEPLOYMENT, json.dumps(documents))
    assert "error" not in result, result["error"]["traceback"]
    assert result["sdk"] == "5.2.0b2" and result["api_version"] == "v3.2-preview.2"
    assert result["status"] == "succeeded"
    per_document = result["documents"]
    assert [[r["id"] for r in actions] for actions in per_document] == [["a"], ["b"]]
    seed = per_document[0][0]
    found = {(e["text"], e["category"]) for e in seed["entities"]}
    assert {("Chez Marie", "restaurant_name"), ("Lisbon", "city")} <= found
    for entity in seed["entities"]:
        assert_entity_shape(entity)
        assert SEED_TEXT[entity["offset"] : entity["offset"] + entity["length"]] == entity["text"]
    assert seed["statistics"]["characterCount"] == len(SEED_TEXT)
    # v3.2 default unit is TextElement_v8: two text elements fewer than code points before each entity.
    for entity in per_document[1][0]["entities"]:
        start = INDEX_TEXT.index(entity["text"], len(PREFIX))
        assert entity["offset"] == text_elements(INDEX_TEXT[:start]) == start - 2


def test_sdk52_follows_next_link_through_25_documents(deployed: RunningServer) -> None:
    result = run_driver("sdk52", "sdk52_actions.py", deployed, DEMO_PROJECT, DEMO_DEPLOYMENT,
                        json.dumps(paging_documents()))
    assert "error" not in result, result["error"]["traceback"]
    assert [[r["id"] for r in actions] for actions in result["documents"]] == [[str(i)] for i in range(25)]
    assert all(actions[0]["entities"] for actions in result["documents"])


# ------------------------------------------------------------------ 5.4.0, GA 2022-05-01 and 2023-04-01

def paging_documents() -> list[dict[str, str]]:
    return [{"id": str(i), "text": f"Play Nina Simone in Lisbon, request {i}.", "language": "en"} for i in range(25)]


MIXED = [{"id": "1", "text": SEED_TEXT, "language": "en"}, {"id": "2", "text": "", "language": "en"},
         {"id": "3", "text": "Dinner at Chez Marie in Lisbon on Friday.", "language": "en"}]


@pytest.fixture(scope="module", params=["2023-04-01", "2022-05-01"])
def sdk54(request: pytest.FixtureRequest, deployed: RunningServer) -> dict[str, Any]:
    spec = {"api_version": request.param, "project": DEMO_PROJECT, "deployment": DEMO_DEPLOYMENT,
            "index_text": INDEX_TEXT, "paging_documents": paging_documents(), "mixed_documents": MIXED,
            "cancel_documents": [{"id": str(i), "text": SEED_TEXT * 20, "language": "en"} for i in range(25)],
            "cancel_actions": 8}
    result = run_driver("sdk54", "sdk54_runtime.py", deployed, stdin=spec)
    assert result["sdk"] == "5.4.0"
    return result


@pytest.mark.parametrize("index_type", ["UnicodeCodePoint", "Utf16CodeUnit", "TextElement_v8"])
def test_sdk54_string_index_types_count_exactly(sdk54: dict[str, Any], index_type: str) -> None:
    entities = entities_of(sdk54[f"index_{index_type}"])
    for entity in entities:
        assert_entity_shape(entity)
        start = INDEX_TEXT.index(entity["text"], len(PREFIX))
        end = start + len(entity["text"])
        measure = {"UnicodeCodePoint": len, "Utf16CodeUnit": utf16_units, "TextElement_v8": text_elements}[index_type]
        assert (entity["offset"], entity["length"]) == (measure(INDEX_TEXT[:start]),
                                                         measure(INDEX_TEXT[:end]) - measure(INDEX_TEXT[:start]))
        shift = {"UnicodeCodePoint": 0, "Utf16CodeUnit": 2, "TextElement_v8": -2}[index_type]
        assert entity["offset"] == start + shift


def test_sdk54_show_stats_and_details(sdk54: dict[str, Any]) -> None:
    result = sdk54["stats"]
    assert "error" not in result, result
    (document,) = result["documents"]
    assert document["statistics"] == {"characterCount": text_elements(INDEX_TEXT), "transactionCount": 1}
    assert result["status"] == "succeeded"
    assert result["details"]["display_name"] == "stats job"
    assert result["details"]["id"]


def test_sdk54_pages_through_25_documents(sdk54: dict[str, Any]) -> None:
    result = sdk54["paging"]
    assert "error" not in result, result
    assert [d["id"] for d in result["documents"]] == [str(i) for i in range(25)]
    assert all("error" not in d and d["entities"] for d in result["documents"])


def test_sdk54_empty_document_is_a_per_document_error(sdk54: dict[str, Any]) -> None:
    result = sdk54["mixed"]
    assert "error" not in result, result
    first, second, third = result["documents"]
    assert (first["id"], second["id"], third["id"]) == ("1", "2", "3")
    assert second["error"] == {"code": "InvalidDocument", "message": "Document text is empty."}
    assert first["entities"] and third["entities"]
    assert first["statistics"]["characterCount"] == len(SEED_TEXT)


def test_sdk54_two_custom_entity_actions_in_one_job(sdk54: dict[str, Any]) -> None:
    result = sdk54["two_actions"]
    assert "error" not in result, result
    assert result["status"] == "succeeded"
    by_document = result["documents"]
    assert len(by_document) == 3
    for actions in by_document:
        assert len(actions) == 2
    assert [a["id"] for a in by_document[1]] == ["2", "2"]
    assert all(a["error"]["code"] == "InvalidDocument" for a in by_document[1])
    assert by_document[0][0]["entities"] == by_document[0][1]["entities"]  # ASCII text: units agree
    assert by_document[0][0]["kind"] == "CustomEntityRecognition"


def test_sdk54_failed_action_becomes_per_document_errors(sdk54: dict[str, Any]) -> None:
    result = sdk54["failed_action"]
    assert "error" not in result, result
    assert result["status"] == "partiallyCompleted"
    ((good, bad),) = result["documents"]
    assert good["entities"]
    assert bad["error"]["code"] == "NotFound" and "NoSuchDeployment" in bad["error"]["message"]


def test_sdk54_failed_job_raises_the_service_error(sdk54: dict[str, Any]) -> None:
    result = sdk54["failed_job"]
    assert result["raised"] == "HttpResponseError"
    assert result["message"].startswith("(NotFound)") and "NoSuchDeployment" in result["message"]


def test_sdk54_cancel(sdk54: dict[str, Any]) -> None:
    result = sdk54["cancel"]
    assert "error" not in result, result
    assert result["cancel_returned"] == "None"
    assert result["status"] == "cancelled"
    cancelled = [action for actions in result["documents"] for action in actions if "error" in action]
    assert cancelled, "a cancelled job must leave at least one action without results"
    assert all("cancelled" in action["error"]["message"] for action in cancelled)


# ------------------------------------------------------------------ 6.0.0b3 TextAnalysisClient, 2024-11-01

@pytest.mark.parametrize("version", ["2024-11-01", "default"])
def test_sdk6_text_analysis_client(deployed: RunningServer, version: str) -> None:
    documents = [{"id": "1", "text": INDEX_TEXT, "language": "en"}, {"id": "2", "text": "", "language": "en"}]
    result = run_driver("sdk6", "sdk6_runtime.py", deployed, version, DEMO_PROJECT, DEMO_DEPLOYMENT,
                        json.dumps(documents))
    assert "error" not in result, result["error"]["traceback"]
    assert result["status"] == "succeeded" and result["display_name"] == "sdk6"
    (item,) = result["items"]
    assert item["kind"] == "CustomEntityRecognitionLROResults" and item["task_name"] == "my-ner-task"
    assert item["errors"] == [{"id": "2", "code": "InvalidArgument"}]
    (document,) = item["documents"]
    assert document["entities"] and document["warnings"] == []
    for entity in document["entities"]:
        start = INDEX_TEXT.index(entity["text"], len(PREFIX))
        assert entity["offset"] == utf16_units(INDEX_TEXT[:start])
        assert entity["length"] == utf16_units(entity["text"])


def test_sdk6_sees_the_first_page_and_the_next_link(deployed: RunningServer) -> None:
    """6.0.0b3 does not follow ``nextLink`` itself; the first 20 documents and the link are what it gets."""
    result = run_driver("sdk6", "sdk6_runtime.py", deployed, "2024-11-01", DEMO_PROJECT, DEMO_DEPLOYMENT,
                        json.dumps(paging_documents()))
    assert "error" not in result, result["error"]["traceback"]
    (item,) = result["items"]
    assert [d["id"] for d in item["documents"]] == [str(i) for i in range(20)]
    assert result["next_link"].startswith(deployed.url) and "api-version=2024-11-01&skip=20&top=20" in result["next_link"]


# ------------------------------------------------------------------ 6.0.0b3 TextAnalysisClient, GA 2025-11-01

CRF_PROJECT, CRF_DEPLOYMENT = "SdkCrfProject", "sdk-crf"


@pytest.fixture(scope="module")
def crf_deployed(server: RunningServer) -> RunningServer:
    """A small feature-CRF project, deployed: trains in seconds even on a busy machine."""
    from tests.api.conftest import import_project, small_project_file, train
    from tests.server import AUTHORING

    assert import_project(server, small_project_file(CRF_PROJECT, documents=30), CRF_PROJECT)["status"] == "succeeded"
    assert train(server, CRF_PROJECT, "m")["status"] == "succeeded"
    response = server.client.put(f"{AUTHORING}/{CRF_PROJECT}/deployments/{CRF_DEPLOYMENT}",
                                 params={"api-version": "2023-04-01"}, json={"trainedModelLabel": "m"})
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    return server


def sdk6_on_2025_11_01(server: RunningServer, **job_options: Any) -> dict[str, Any]:
    documents = json.dumps([{"id": "1", "text": INDEX_TEXT, "language": "en"}])
    return run_driver("sdk6", "sdk6_runtime.py", server, "2025-11-01", CRF_PROJECT, CRF_DEPLOYMENT, documents,
                      json.dumps(job_options))


def test_sdk6_on_ga_2025_11_01(crf_deployed: RunningServer) -> None:
    result = sdk6_on_2025_11_01(crf_deployed)
    assert "error" not in result, result["error"]["traceback"]
    assert result["status"] == "succeeded"
    (item,) = result["items"]
    (document,) = item["documents"]
    assert document["entities"]
    for entity in document["entities"]:  # Utf16CodeUnit, as the driver asks
        start = INDEX_TEXT.index(entity["text"], len(PREFIX))
        assert entity["offset"] == utf16_units(INDEX_TEXT[:start])


def test_sdk6_cancel_after_on_2025_11_01(crf_deployed: RunningServer) -> None:
    """The SDK's ``cancel_after`` (the job input's ``cancelAfter``): honoured, and harmless when there is time."""
    roomy = sdk6_on_2025_11_01(crf_deployed, cancel_after=3600)
    assert "error" not in roomy, roomy["error"]["traceback"]
    assert roomy["status"] == "succeeded" and roomy["items"][0]["documents"][0]["entities"]
    # Not polled through the SDK: 6.0.0b3 never stops polling a "cancelled" job (azure-core expects "canceled").
    expired = sdk6_on_2025_11_01(crf_deployed, cancel_after=0, no_wait=True)
    job = crf_deployed.wait_job(expired["operation_location"])
    assert job["status"] == "cancelled" and [item["status"] for item in job["tasks"]["items"]] == ["cancelled"]
