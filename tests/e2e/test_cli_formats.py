"""The CLI imports and exports every exchange format, and checks a --texts folder before uploading anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from customner.formats import registry
from tests.formats.samples import stress_corpus
from tests.server import API_KEY, RunningServer


def run(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CUSTOMNER_ENDPOINT=server.url, CUSTOMNER_API_KEY=API_KEY, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "customner", *args], env=env, capture_output=True, text=True, timeout=300)


def test_import_with_a_missing_text_uploads_nothing_and_says_which(server: RunningServer, tmp_path: Path) -> None:
    documents = [{"location": name, "dataset": "Train", "entities": []} for name in ("a.txt", "b.txt", "c.txt")]
    body = {"projectFileVersion": "2022-05-01", "stringIndexType": "Utf16CodeUnit",
            "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": "cli-missing",
                         "projectName": "climissing", "language": "en"},
            "assets": {"projectKind": "CustomEntityRecognition", "entities": [], "documents": documents}}
    project_file = tmp_path / "project.json"
    project_file.write_text(json.dumps(body), encoding="utf-8")
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("Ann.", encoding="utf-8")
    (texts / "c.txt").write_text("Cid.", encoding="utf-8")
    process = run(server, "import", str(project_file), "--texts", str(texts))
    assert process.returncode == 1
    output = process.stdout + process.stderr
    assert "Traceback" not in output
    assert "1 of 3 documents have no file in" in output and "b.txt" in output and "Nothing was uploaded" in output
    listed = server.client.get("/storage/cli-missing").json()["value"]
    assert listed == []


def test_every_format_through_the_cli(server: RunningServer, tmp_path: Path) -> None:
    conll = tmp_path / "stress.conll"
    conll.write_bytes(registry.export_format("conll").write(stress_corpus()))
    process = run(server, "import", str(conll), "--project", "cliformats", "--language", "ar")
    assert process.returncode == 0, process.stdout + process.stderr
    assert "Imported the conll file stress.conll into project cliformats" in process.stdout
    for format_name, name in (("conll", "out.conll"), ("bioes", "out.bioes"), ("spacy", "out.spacy"), ("spacy", "out.jsonl"),
                              ("label-studio", "out.json"), ("doccano", "doccano.jsonl"), ("jsonl", "plain.jsonl")):
        output = tmp_path / name
        process = run(server, "export", "cliformats", "--format", format_name, "-o", str(output))
        assert process.returncode == 0, process.stdout + process.stderr
        data = output.read_bytes()
        detected = registry.detect(data)
        assert registry.read(detected, data).records[0].entities == registry.read("conll", conll.read_bytes()).records[0].entities
    assert (tmp_path / "out.conll").read_bytes() == conll.read_bytes()
    # A file whose format cannot be recognised gets one line, not a traceback.
    odd = tmp_path / "odd.txt"
    odd.write_text("just some words\n", encoding="utf-8")
    process = run(server, "import", str(odd))
    assert process.returncode == 1 and "format is not recognised" in process.stdout and "Traceback" not in process.stderr
