"""Project lifecycle commands: import, train, evaluate, deploy, analyze, export."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from customner.cli.http import AUTHORING, ApiError, Client, resolve_key
from customner.cli.root import app
from customner.formats import registry
from customner.formats.corpus import FormatError

console = Console()
Endpoint = Annotated[str, typer.Option(envvar="CUSTOMNER_ENDPOINT", help="The service's URL.")]
Key = Annotated[str | None, typer.Option(help="Subscription key (default: CUSTOMNER_API_KEY or DATA_DIR/api-key).")]
DataDir = Annotated[Path, typer.Option(envvar="CUSTOMNER_DATA_DIR", help="Where to find the server's api-key file.")]


def _client(endpoint: str, key: str | None, data_dir: Path) -> Client:
    try:
        return Client(endpoint, resolve_key(key, data_dir))
    except ApiError as error:
        _fail(error)


def _fail(error: ApiError) -> typer.Exit:
    console.print(f"[red]error:[/red] {error}")
    raise typer.Exit(1)


def _progress_bar(description: str) -> Progress:
    return Progress(TextColumn(description), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                    console=console)


IMPORT_FORMATS = ", ".join(registry.IMPORT_NAMES)
EXPORT_FORMATS = ", ".join(registry.EXPORT_NAMES)


@app.command("import")
def import_project(
    project_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The file to import.")],
    format_name: Annotated[str | None, typer.Option("--format", help=f"{IMPORT_FORMATS} (default: recognised from the file).")] = None,
    project: Annotated[str | None, typer.Option(help="Project name (default: the Azure file's metadata.projectName, "
                                                     "else the file name).")] = None,
    language: Annotated[str | None, typer.Option(
        help="Project language for a non-Azure file (default: the existing project's, else en).")] = None,
    texts: Annotated[Path | None, typer.Option(exists=True, file_okay=False,
                                                help="Folder of the Azure file's documents (.txt, .pdf, .docx) to upload to the "
                                                     "project's container first.")] = None,
    endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data"),
) -> None:
    """Import a labeled file: Azure's project file, CoNLL, spaCy, Label Studio, doccano or JSONL."""
    data = project_file.read_bytes()
    try:
        chosen = registry.canonical(format_name) if format_name else registry.detect(data)
    except (ValueError, FormatError) as error:
        _fail(ApiError(f"{project_file}: {error}"))
    if chosen != registry.AZURE:
        if texts is not None:
            _fail(ApiError(f"--texts is for Azure project files; a {chosen} file carries its texts."))
        name = project or _name_from_file(project_file)
        client = _client(endpoint, key, data_dir)
        try:
            client.wait(client.start("POST", f"{AUTHORING}/{name}/:import", content=data, headers={"format": chosen},
                                     params={"language": language} if language else {}))
        except ApiError as error:
            _fail(error)
        console.print(f"Imported the {chosen} file {project_file.name} into project [bold]{name}[/bold].")
        return
    body = _azure_body(project_file, data)
    name = project or body["metadata"]["projectName"]
    files = _document_files(body, texts) if texts is not None else []
    client = _client(endpoint, key, data_dir)
    try:
        if texts is not None:
            _upload(client, str(body["metadata"].get("storageInputContainerName")), files)
        client.wait(client.start("POST", f"{AUTHORING}/{name}/:import", json=body))
    except ApiError as error:
        _fail(error)
    console.print(f"Imported [bold]{len(body['assets']['documents'])}[/bold] documents into project [bold]{name}[/bold].")


def _name_from_file(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.") or "imported"


def _azure_body(path: Path, data: bytes) -> dict[str, Any]:
    """The parsed project file, or one clear line when it is not one (no traceback)."""
    try:
        body = json.loads(data.decode("utf-8-sig"))
        metadata, documents = body["metadata"], body["assets"]["documents"]
        if not isinstance(metadata.get("projectName"), str) or not isinstance(documents, list):
            raise TypeError("metadata.projectName or assets.documents is missing")
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        _fail(ApiError(f"{path} is not an Azure project file ({type(error).__name__}: {error}); "
                       f"name its format with --format ({IMPORT_FORMATS})."))
    result: dict[str, Any] = body
    return result


def _document_files(body: dict[str, Any], folder: Path) -> list[tuple[str, Path]]:
    """Every document's file in ``folder``, all checked before anything is uploaded."""
    files = [(str(document.get("location")), folder / str(document.get("location"))) for document in body["assets"]["documents"]]
    missing = [location for location, path in files if not path.is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        _fail(ApiError(f"{len(missing)} of {len(files)} documents have no file in {folder}: {shown}. Nothing was uploaded."))
    return files


def _upload(client: Client, container: str, files: list[tuple[str, Path]]) -> None:
    with _progress_bar("uploading texts") as bar:
        task = bar.add_task("upload", total=len(files))
        for location, path in files:
            client.call("PUT", f"/storage/{container}/{location}", content=path.read_bytes())
            bar.advance(task)


@app.command()
def train(
    project: Annotated[str, typer.Argument(help="Project name.")],
    model: Annotated[str, typer.Option(help="Model label to create or overwrite.")],
    config_version: Annotated[str, typer.Option(help="trainingConfigVersion.")] = "latest",
    split: Annotated[str, typer.Option(help="'manual' (the documents' Train/Test) or a test percentage, e.g. 20.")] = "manual",
    endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data"),
) -> None:
    """Train a model, with a live progress bar, then print its evaluation."""
    evaluation: dict[str, Any] = {"kind": "manual"}
    if split != "manual":
        test = int(split)
        evaluation = {"kind": "percentage", "trainingSplitPercentage": 100 - test, "testingSplitPercentage": test}
    client = _client(endpoint, key, data_dir)
    try:
        location = client.start("POST", f"{AUTHORING}/{project}/:train", json={
            "modelLabel": model, "trainingConfigVersion": config_version, "evaluationOptions": evaluation})
        with _progress_bar(f"training {model}") as bar:
            task = bar.add_task("train", total=100)

            def show(job: dict[str, Any]) -> None:
                result = job.get("result") or {}
                bar.update(task, completed=(result.get("trainingStatus", {}).get("percentComplete", 0) * 0.9
                                            + result.get("evaluationStatus", {}).get("percentComplete", 0) * 0.1))

            client.wait(location, show)
    except ApiError as error:
        _fail(error)
    evaluate(project, model, endpoint, key, data_dir)


@app.command()
def evaluate(project: Annotated[str, typer.Argument()], model: Annotated[str, typer.Argument()],
             endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data")) -> None:
    """Print a model's evaluation: per-type precision, recall and F1 with label counts."""
    client = _client(endpoint, key, data_dir)
    try:
        summary = client.call("GET", f"{AUTHORING}/{project}/models/{model}/evaluation/summary-result").json()
    except ApiError as error:
        _fail(error)
    ev = summary["customEntityRecognitionEvaluation"]
    table = Table("type", "precision", "recall", "F1", "train labels", "test labels", title=f"{project} / {model}")
    for name, scores in ev["entities"].items():
        table.add_row(name, f"{scores['precision']:.3f}", f"{scores['recall']:.3f}", f"{scores['f1']:.3f}",
                      str(scores.get("trainLabelCount", "")), str(scores.get("testLabelCount", "")))
    micro_f1 = f"[bold]{ev['microF1']:.3f}[/bold]"
    table.add_row("[bold]micro[/bold]", f"{ev['microPrecision']:.3f}", f"{ev['microRecall']:.3f}", micro_f1, "", "")
    table.add_row("macro", f"{ev['macroPrecision']:.3f}", f"{ev['macroRecall']:.3f}", f"{ev['macroF1']:.3f}", "", "")
    console.print(table)
    interval = ev.get("microF1ConfidenceInterval95")
    if interval:
        console.print(f"micro-F1 95% bootstrap interval: {interval['lower']:.3f} to {interval['upper']:.3f}")
    for warning in ev.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {warning['message']}")


@app.command()
def deploy(project: Annotated[str, typer.Argument()], deployment: Annotated[str, typer.Argument()],
           model: Annotated[str, typer.Option(help="Trained model label to serve.")],
           endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data")) -> None:
    """Deploy a trained model to a named slot."""
    client = _client(endpoint, key, data_dir)
    try:
        client.wait(client.start("PUT", f"{AUTHORING}/{project}/deployments/{deployment}", json={"trainedModelLabel": model}))
    except ApiError as error:
        _fail(error)
    console.print(f"Deployed [bold]{model}[/bold] to [bold]{project}/{deployment}[/bold].")


@app.command()
def analyze(
    project: Annotated[str, typer.Argument()], deployment: Annotated[str, typer.Argument()],
    text: Annotated[str | None, typer.Argument(help="Text to analyze (default: read standard input).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw runtime response.")] = False,
    endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data"),
) -> None:
    """Find entities in a text through the GA runtime API."""
    content = text if text is not None else sys.stdin.read()
    client = _client(endpoint, key, data_dir)
    try:
        job = client.wait(client.start("POST", "/language/analyze-text/jobs", json={
            "analysisInput": {"documents": [{"id": "1", "text": content}]},
            "tasks": [{"kind": "CustomEntityRecognition", "taskName": "cli", "parameters": {
                "projectName": project, "deploymentName": deployment, "stringIndexType": "UnicodeCodePoint"}}]}))
    except ApiError as error:
        _fail(error)
    if as_json:
        console.print_json(data=job)
        return
    entities = [entity for document in job["tasks"]["items"][0]["results"]["documents"] for entity in document["entities"]]
    if not entities:
        console.print("No entities found.")
        return
    table = Table("entity", "type", "offset", "length", "confidence")
    for entity in entities:
        table.add_row(entity["text"], entity["category"], str(entity["offset"]), str(entity["length"]),
                      f"{entity['confidenceScore']:.2f}")
    console.print(table)


@app.command()
def export(project: Annotated[str, typer.Argument()],
           output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the file.")],
           format_name: Annotated[str, typer.Option("--format", help=f"{EXPORT_FORMATS}; spacy with an -o ending in "
                                                                       ".jsonl writes spaCy JSONL.")] = "azure",
           endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data")) -> None:
    """Export a project as an Azure project file or in another format."""
    try:
        chosen = registry.canonical(format_name)
    except ValueError as error:
        _fail(ApiError(str(error)))
    if chosen == "spacy" and output.suffix.lower() == ".jsonl":
        chosen = "spacy-jsonl"
    client = _client(endpoint, key, data_dir)
    try:
        job = client.wait(client.start("POST", f"{AUTHORING}/{project}/:export",
                                       params={"stringIndexType": "Utf16CodeUnit", "format": chosen}))
        response = client.http.get(job["resultUrl"])
    except ApiError as error:
        _fail(error)
    if chosen == registry.AZURE:
        output.write_text(json.dumps(response.json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    else:
        output.write_bytes(response.content)
    console.print(f"Wrote {output} ({chosen}).")
