"""PDF and Word documents through the storage API, an Azure import, the CLI's --texts and the Studio's upload."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.formats.documents import docx_file, image_only_pdf, text_pdf
from tests.server import API_KEY, AUTHORING, VERSION, RunningServer

PDF_TEXT = "Invoice from Contoso Ltd.\nPaid by Ana Silva (Lisboa).\n\nSecond page: Zurich office."
DOCX_TEXT = "Memo 😀 for Ana\n\nمرحبا محمد في القاهرة"


def pdf() -> bytes:
    return text_pdf([["Invoice from Contoso Ltd.", "Paid by Ana Silva (Lisboa)."], ["Second page: Zurich office."]])


def docx() -> bytes:
    return docx_file(["Memo 😀 for Ana", "", "مرحبا محمد في القاهرة"])


def utf16_label(text: str, surface: str, category: str) -> dict[str, object]:
    start = text.index(surface)
    return {"category": category, "offset": len(text[:start].encode("utf-16-le")) // 2,
            "length": len(surface.encode("utf-16-le")) // 2}


def project_file(name: str, container: str) -> dict[str, object]:
    def document(location: str, text: str, labels: list[dict[str, object]]) -> dict[str, object]:
        return {"location": location, "language": "en", "dataset": "Train", "entities": [
            {"regionOffset": 0, "regionLength": len(text.encode("utf-16-le")) // 2, "labels": labels}]}

    return {"projectFileVersion": "2022-05-01", "stringIndexType": "Utf16CodeUnit",
            "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": container,
                         "projectName": name, "language": "en", "multilingual": True},
            "assets": {"projectKind": "CustomEntityRecognition", "entities": [{"category": "Org"}, {"category": "Person"}],
                       "documents": [
                           document("invoice.pdf", PDF_TEXT, [utf16_label(PDF_TEXT, "Contoso Ltd.", "Org"),
                                                              utf16_label(PDF_TEXT, "Ana Silva", "Person")]),
                           document("memo.docx", DOCX_TEXT, [utf16_label(DOCX_TEXT, "Ana", "Person"),
                                                             utf16_label(DOCX_TEXT, "محمد", "Person")])]}}


def test_uploaded_pdf_and_docx_become_their_text_and_labels_are_offsets_into_it(server: RunningServer) -> None:
    client = server.client
    assert client.put("/storage/pdf-docs/invoice.pdf", content=pdf()).status_code == 201
    assert client.put("/storage/pdf-docs/memo.docx", content=docx()).status_code == 201
    assert client.get("/storage/pdf-docs/invoice.pdf").text == PDF_TEXT
    assert client.get("/storage/pdf-docs/memo.docx").text == DOCX_TEXT
    body = project_file("pdfproject", "pdf-docs")
    response = client.post(f"{AUTHORING}/pdfproject/:import", params=VERSION, json=body)
    assert response.status_code == 202, response.text
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
    response = client.post(f"{AUTHORING}/pdfproject/:export", params={**VERSION, "stringIndexType": "Utf16CodeUnit"})
    job = server.wait_job(response.headers["operation-location"])
    exported = client.get(job["resultUrl"]).json()
    assert [d["entities"] for d in exported["assets"]["documents"]] == [d["entities"] for d in body["assets"]["documents"]]


def test_a_scanned_pdf_is_refused_not_stored_empty(server: RunningServer) -> None:
    response = server.client.put("/storage/pdf-docs/scan.pdf", content=image_only_pdf())
    assert response.status_code == 400
    error = response.json()["error"]
    assert "'scan.pdf' has no text layer" in error["message"] and error["innererror"]["code"] == "InvalidDocument"
    assert server.client.get("/storage/pdf-docs/scan.pdf").status_code == 404


def test_cli_texts_folder_with_pdf_and_docx(server: RunningServer, tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "invoice.pdf").write_bytes(pdf())
    (texts / "memo.docx").write_bytes(docx())
    path = tmp_path / "project.json"
    path.write_text(json.dumps(project_file("clipdf", "cli-pdf-docs")), encoding="utf-8")
    env = dict(os.environ, CUSTOMNER_ENDPOINT=server.url, CUSTOMNER_API_KEY=API_KEY, COLUMNS="200")
    process = subprocess.run([sys.executable, "-m", "customner", "import", str(path), "--texts", str(texts)], env=env,
                             capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stdout + process.stderr
    assert "Imported 2 documents into project clipdf" in process.stdout
    assert server.client.get("/storage/cli-pdf-docs/memo.docx").text == DOCX_TEXT
