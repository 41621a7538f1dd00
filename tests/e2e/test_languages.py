"""Other languages through the API: Chinese, Arabic and Spanish projects train and answer with exact offsets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import regex

from tests.server import AUTHORING, VERSION, RunningServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ner"


def project_file(name: str, language: str, rows: list[dict[str, Any]], multilingual: bool = False) -> dict[str, Any]:
    categories = sorted({e["category"] for row in rows for e in row["entities"]})
    documents = []
    for index, row in enumerate(rows):
        def utf16(position: int, text: str = row["text"]) -> int:
            return len(text[:position].encode("utf-16-le")) // 2

        documents.append({
            "location": f"{name}_{index:03d}.txt", "language": language, "text": row["text"],
            "dataset": "Test" if index % 5 == 4 else "Train",
            "entities": [{"regionOffset": 0, "regionLength": utf16(len(row["text"])), "labels": [
                {"category": e["category"], "offset": utf16(e["offset"]),
                 "length": utf16(e["offset"] + e["length"]) - utf16(e["offset"])} for e in row["entities"]]}]})
    return {"projectFileVersion": "2022-05-01", "stringIndexType": "Utf16CodeUnit",
            "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": name.replace("_", "-"),
                         "projectName": name, "language": language, "multilingual": multilingual, "settings": {}},
            "assets": {"projectKind": "CustomEntityRecognition", "entities": [{"category": c} for c in categories],
                       "documents": documents}}


@pytest.mark.parametrize(("fixture", "language", "multilingual"), [("zh", "zh-hans", False), ("ar", "ar", False),
                                                                   ("es", "es", True)])
def test_language_project_trains_and_answers_with_exact_offsets(server: RunningServer, fixture: str, language: str,
                                                                 multilingual: bool) -> None:
    rows = [json.loads(line) for line in (FIXTURES / f"{fixture}.jsonl").read_text("utf-8").splitlines() if line]
    name = f"lang_{fixture}"
    client = server.client
    response = client.post(f"{AUTHORING}/{name}/:import", params=VERSION, json=project_file(name, language, rows, multilingual))
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    response = client.post(f"{AUTHORING}/{name}/:train", params=VERSION, json={
        "modelLabel": "m", "trainingConfigVersion": "latest", "evaluationOptions": {"kind": "manual"}})
    job = server.wait_job(response.headers["operation-location"])
    assert job["status"] == "succeeded", job
    summary = client.get(f"{AUTHORING}/{name}/models/m/evaluation/summary-result", params=VERSION).json()
    assert summary["customEntityRecognitionEvaluation"]["microF1"] > 0.3
    response = client.put(f"{AUTHORING}/{name}/deployments/prod", params=VERSION, json={"trainedModelLabel": "m"})
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"

    texts = [row["text"] for row in rows[:10]]
    for index_type in ("UnicodeCodePoint", "Utf16CodeUnit", "TextElements_v8"):
        response = client.post("/language/analyze-text/jobs", params={"api-version": "2023-04-01"}, json={
            "analysisInput": {"documents": [{"id": str(i), "text": t} for i, t in enumerate(texts)]},
            "tasks": [{"kind": "CustomEntityRecognition", "parameters": {
                "projectName": name, "deploymentName": "prod", "stringIndexType": index_type}}]})
        result = server.wait_job(response.headers["operation-location"])
        documents = result["tasks"]["items"][0]["results"]["documents"]
        assert sum(len(d["entities"]) for d in documents) >= 5
        for document in documents:
            text = texts[int(document["id"])]
            for entity in document["entities"]:
                if index_type == "Utf16CodeUnit":
                    units = text.encode("utf-16-le")
                    found = units[2 * entity["offset"]: 2 * (entity["offset"] + entity["length"])].decode("utf-16-le")
                elif index_type == "TextElements_v8":  # grapheme clusters: Arabic shadda joins its letter
                    found = "".join(regex.findall(r"\X", text)[entity["offset"]: entity["offset"] + entity["length"]])
                else:
                    found = text[entity["offset"]: entity["offset"] + entity["length"]]
                assert found == entity["text"]
