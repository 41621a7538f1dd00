"""Project lifecycle commands: import, train, evaluate, deploy, analyze, export."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from customner.cli.http import AUTHORING, ApiError, Client, resolve_key
from customner.cli.root import app

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


@app.command("import")
def import_project(
    project_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Azure project file (JSON).")],
    project: Annotated[str | None, typer.Option(help="Project name (default: the file's metadata.projectName).")] = None,
    texts: Annotated[Path | None, typer.Option(exists=True, file_okay=False,
                                                help="Folder of .txt files to upload to the project's container first.")] = None,
    endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data"),
) -> None:
    """Import an Azure project file, optionally uploading its texts first."""
    body = json.loads(project_file.read_text("utf-8"))
    name = project or body["metadata"]["projectName"]
    client = _client(endpoint, key, data_dir)
    try:
        if texts is not None:
            _upload(client, body, texts)
        client.wait(client.start("POST", f"{AUTHORING}/{name}/:import", json=body))
    except ApiError as error:
        _fail(error)
    console.print(f"Imported [bold]{len(body['assets']['documents'])}[/bold] documents into project [bold]{name}[/bold].")


def _upload(client: Client, body: dict[str, Any], folder: Path) -> None:
    container = body["metadata"]["storageInputContainerName"]
    documents = body["assets"]["documents"]
    with _progress_bar("uploading texts") as bar:
        task = bar.add_task("upload", total=len(documents))
        for document in documents:
            path = folder / document["location"]
            client.http.put(f"/storage/{container}/{document['location']}", content=path.read_bytes()).raise_for_status()
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
           output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the project file.")],
           endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data")) -> None:
    """Export a project as an Azure project file."""
    client = _client(endpoint, key, data_dir)
    try:
        job = client.wait(client.start("POST", f"{AUTHORING}/{project}/:export", params={"stringIndexType": "Utf16CodeUnit"}))
        body = client.http.get(job["resultUrl"]).json()
    except ApiError as error:
        _fail(error)
    output.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    console.print(f"Wrote {output}.")
