"""The CLI drives the whole lifecycle against a running server, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import demo_project_file
from tests.server import API_KEY, RunningServer


def customner(server: RunningServer, *args: str, stdin: str | None = None) -> str:
    env = dict(os.environ, CUSTOMNER_ENDPOINT=server.url, CUSTOMNER_API_KEY=API_KEY, COLUMNS="200")
    process = subprocess.run([sys.executable, "-m", "customner", *args], env=env, capture_output=True, text=True,
                             input=stdin, timeout=600)
    assert process.returncode == 0, process.stdout + process.stderr
    return process.stdout


def test_lifecycle_through_the_cli(server: RunningServer, tmp_path: Path) -> None:
    project = demo_project_file()
    project["metadata"]["projectName"] = "cliproject"
    project["metadata"]["storageInputContainerName"] = "cli-texts"
    texts = tmp_path / "texts"
    texts.mkdir()
    for document in project["assets"]["documents"]:
        (texts / document["location"]).write_text(document.pop("text"), encoding="utf-8")
    project_path = tmp_path / "project.json"
    project_path.write_text(json.dumps(project), encoding="utf-8")

    assert "Imported 72 documents" in customner(server, "import", str(project_path), "--texts", str(texts))
    assert "cliproject" in customner(server, "projects")
    evaluation = customner(server, "train", "cliproject", "--model", "crf", "--config-version", "2024-06-01")
    assert "restaurant_name" in evaluation and "micro" in evaluation
    assert "Deployed crf" in customner(server, "deploy", "cliproject", "prod", "--model", "crf")
    tagged = customner(server, "analyze", "cliproject", "prod", "Book a table at Chez Marie in Lisbon on Friday.")
    assert "Lisbon" in tagged and "city" in tagged
    raw = json.loads(customner(server, "analyze", "cliproject", "prod", "--json", stdin="Play Adele in Paris."))
    assert raw["status"] == "succeeded"
    exported_path = tmp_path / "exported.json"
    customner(server, "export", "cliproject", "-o", str(exported_path))
    exported = json.loads(exported_path.read_text("utf-8"))
    assert [d["entities"] for d in exported["assets"]["documents"]] == [d["entities"] for d in project["assets"]["documents"]]


def test_cli_reports_api_errors_readably(server: RunningServer) -> None:
    env = dict(os.environ, CUSTOMNER_ENDPOINT=server.url, CUSTOMNER_API_KEY=API_KEY, COLUMNS="200")
    process = subprocess.run([sys.executable, "-m", "customner", "evaluate", "nosuchproject", "m"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 1
    assert "ProjectNotFound" in process.stdout and "Traceback" not in process.stdout + process.stderr


def test_a_cli_command_loads_neither_the_server_nor_the_database_layer() -> None:
    """Each command is a fresh process: loading the server with it cost about 4 s of a slow CPU's time per call
    (AMD EPYC Zen 1: `customner --help` took 4.8 s, 1.2 s without). ``serve``, ``worker``, ``users`` and ``keys``
    load what they need when they run."""
    heavy = ("customner.app", "customner.api", "customner.store", "customner.services", "customner.jobs.lifecycle",
             "sqlalchemy", "alembic", "fastapi", "uvicorn", "torch", "onnxruntime")
    probe = f"import sys, customner.cli; print(sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    process = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "[]"


def test_the_cli_knows_the_servers_authoring_paths() -> None:
    from customner.api.authoring.render import PREFIX
    from customner.cli.http import AUTHORING

    assert AUTHORING == PREFIX
