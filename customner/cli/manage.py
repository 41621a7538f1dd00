"""Managing what a server holds: ``customner projects|models|deployments|jobs ...``.

Every command talks to a running server through the authoring API (``--endpoint``/``--key`` or
``CUSTOMNER_ENDPOINT``/``CUSTOMNER_API_KEY``), prints a table by default and the API's own JSON with ``--json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from customner.cli.http import AUTHORING, ApiError, Client
from customner.cli.lifecycle import DataDir, Endpoint, Key, _client, _fail, console
from customner.cli.root import app
from customner.jobs.status import TERMINAL

T = TypeVar("T")
DEFAULT_ENDPOINT = "http://127.0.0.1:5000"
DEFAULT_DATA_DIR = Path("customner-data")
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a table (for scripts).")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
Project = Annotated[str, typer.Argument(help="Project name.")]

projects_app = typer.Typer(help="List, show and delete projects.", no_args_is_help=False)
models_app = typer.Typer(help="List and delete a project's trained models.", no_args_is_help=True)
deployments_app = typer.Typer(help="List, swap and delete a project's deployments.", no_args_is_help=True)
jobs_app = typer.Typer(help="List, show and cancel a project's training jobs (the jobs Azure's API lists).",
                       no_args_is_help=True)
app.add_typer(projects_app, name="projects")
app.add_typer(models_app, name="models")
app.add_typer(deployments_app, name="deployments")
app.add_typer(jobs_app, name="jobs")


def _list_all(client: Client, path: str) -> list[dict[str, Any]]:
    """Every item of a paged authoring listing, following ``nextLink``."""
    body = client.call("GET", path).json()
    items: list[dict[str, Any]] = list(body["value"])
    while body.get("nextLink"):
        response = client.http.get(body["nextLink"])
        if response.status_code >= 400:
            raise ApiError(f"HTTP {response.status_code} while paging {path}")
        body = response.json()
        items += body["value"]
    return items


def _run(endpoint: str, key: str | None, data_dir: Path, action: Callable[[Client], T]) -> T:
    """Call the server; an API error becomes a readable message and exit code 1."""
    client = _client(endpoint, key, data_dir)
    try:
        return action(client)
    except ApiError as error:
        raise _fail(error) from error  # _fail prints and raises typer.Exit itself


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _confirm(question: str, yes: bool) -> None:
    if not yes and not typer.confirm(question, default=False):
        console.print("Nothing deleted.")
        raise typer.Exit(1)


def _date(value: str | None) -> str:
    """``2026-11-30T13:05:50Z`` as ``2026-11-30 13:05:50``; empty when absent."""
    return (value or "").replace("T", " ").rstrip("Z")


# ------------------------------------------------------------------ projects

@projects_app.callback(invoke_without_command=True)
def projects_default(ctx: typer.Context, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
                     data_dir: DataDir = DEFAULT_DATA_DIR, as_json: AsJson = False) -> None:
    """Without a subcommand, ``customner projects`` lists the projects."""
    if ctx.invoked_subcommand is None:
        list_projects(endpoint, key, data_dir, as_json)


@projects_app.command("list")
def list_projects(endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None, data_dir: DataDir = DEFAULT_DATA_DIR,
                  as_json: AsJson = False) -> None:
    """List the projects."""
    projects = _run(endpoint, key, data_dir, lambda client: _list_all(client, AUTHORING))
    if as_json:
        _print_json(projects)
        return
    if not projects:
        console.print("No projects.")
        return
    table = Table("project", "language", "container", "last trained", "last deployed")
    for p in projects:
        table.add_row(p["projectName"], p["language"], p["storageInputContainerName"],
                      _date(p.get("lastTrainedDateTime")), _date(p.get("lastDeployedDateTime")))
    console.print(table)


@projects_app.command("show")
def show_project(project: Project, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
                 data_dir: DataDir = DEFAULT_DATA_DIR, as_json: AsJson = False) -> None:
    """Show a project's settings, with its trained models and deployments."""
    details, models, deployments = _run(endpoint, key, data_dir, lambda client: (
        client.call("GET", f"{AUTHORING}/{project}").json(), _list_all(client, f"{AUTHORING}/{project}/models"),
        _list_all(client, f"{AUTHORING}/{project}/deployments")))
    if as_json:
        _print_json({**details, "models": models, "deployments": deployments})
        return
    table = Table("field", "value", title=project, show_header=False)
    for label, field in (("language", "language"), ("multilingual", "multilingual"),
                         ("storage container", "storageInputContainerName"), ("description", "description")):
        table.add_row(label, str(details.get(field, "")))
    for label, field in (("created", "createdDateTime"), ("last modified", "lastModifiedDateTime"),
                         ("last trained", "lastTrainedDateTime"), ("last deployed", "lastDeployedDateTime")):
        table.add_row(label, _date(details.get(field)))
    table.add_row("trained models", ", ".join(m["label"] for m in models) or "none")
    table.add_row("deployments", ", ".join(d["deploymentName"] for d in deployments) or "none")
    console.print(table)


@projects_app.command("delete")
def delete_project(project: Project, yes: Yes = False, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
                   data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Delete a project with its models and deployments."""
    _confirm(f"Delete project {project} with all its models and deployments?", yes)
    _run(endpoint, key, data_dir, lambda client: client.wait(client.start("DELETE", f"{AUTHORING}/{project}")))
    console.print(f"Deleted project [bold]{project}[/bold].")


# ------------------------------------------------------------------ models

@models_app.command("list")
def list_models(project: Project, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
                data_dir: DataDir = DEFAULT_DATA_DIR, as_json: AsJson = False) -> None:
    """List a project's trained models, with their test-set micro-F1."""
    def fetch(client: Client) -> tuple[list[dict[str, Any]], dict[str, float | None]]:
        models = _list_all(client, f"{AUTHORING}/{project}/models")
        summaries = {m["label"]: client.call("GET", f"{AUTHORING}/{project}/models/{m['label']}/evaluation/summary-result")
                     .json() for m in models}
        return models, {label: s.get("customEntityRecognitionEvaluation", {}).get("microF1") for label, s in summaries.items()}

    models, scores = _run(endpoint, key, data_dir, fetch)
    if as_json:
        _print_json(models)
        return
    if not models:
        console.print(f"Project {project} has no trained models.")
        return
    table = Table("model", "trained", "seconds", "config version", "expires", "micro-F1", title=project)
    for m in models:
        f1 = scores.get(m["label"])
        table.add_row(m["label"], _date(m["lastTrainedDateTime"]), str(m["lastTrainingDurationInSeconds"]),
                      m["modelTrainingConfigVersion"], m["modelExpirationDate"], "" if f1 is None else f"{f1:.3f}")
    console.print(table)


@models_app.command("delete")
def delete_model(project: Project, model: Annotated[str, typer.Argument(help="Model label.")], yes: Yes = False,
                 endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Delete a trained model (a deployment that serves it keeps serving it)."""
    _confirm(f"Delete model {model} of project {project}?", yes)
    _run(endpoint, key, data_dir, lambda client: client.call("DELETE", f"{AUTHORING}/{project}/models/{model}"))
    console.print(f"Deleted model [bold]{model}[/bold] of project [bold]{project}[/bold].")


# ------------------------------------------------------------------ deployments

@deployments_app.command("list")
def list_deployments(project: Project, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
                     data_dir: DataDir = DEFAULT_DATA_DIR, as_json: AsJson = False) -> None:
    """List a project's deployments and the model each serves."""
    deployments, models = _run(endpoint, key, data_dir, lambda client: (
        _list_all(client, f"{AUTHORING}/{project}/deployments"), _list_all(client, f"{AUTHORING}/{project}/models")))
    labels = {m["modelId"]: m["label"] for m in models}
    if as_json:
        _print_json(deployments)
        return
    if not deployments:
        console.print(f"Project {project} has no deployments.")
        return
    table = Table("deployment", "model", "deployed", "model trained", "expires", title=project)
    for d in deployments:
        # A deployment keeps serving a model whose label was deleted or retrained: show its id then.
        model = labels.get(d["modelId"], f"(model id {d['modelId']})")
        table.add_row(d["deploymentName"], model, _date(d["lastDeployedDateTime"]), _date(d["lastTrainedDateTime"]),
                      d["deploymentExpirationDate"])
    console.print(table)


@deployments_app.command("swap")
def swap_deployments(project: Project, first: Annotated[str, typer.Argument(help="First deployment.")],
                     second: Annotated[str, typer.Argument(help="Second deployment.")],
                     endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Swap the models of two deployments in one step."""
    body = {"firstDeploymentName": first, "secondDeploymentName": second}
    _run(endpoint, key, data_dir, lambda client: client.wait(
        client.start("POST", f"{AUTHORING}/{project}/deployments/:swap", json=body)))
    console.print(f"Swapped the models of [bold]{first}[/bold] and [bold]{second}[/bold] in project {project}.")


@deployments_app.command("delete")
def delete_deployment(project: Project, deployment: Annotated[str, typer.Argument(help="Deployment name.")],
                      yes: Yes = False, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
                      data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Delete a deployment (the trained model stays)."""
    _confirm(f"Delete deployment {deployment} of project {project}?", yes)
    _run(endpoint, key, data_dir, lambda client: client.wait(client.start("DELETE", f"{AUTHORING}/{project}/deployments/{deployment}")))
    console.print(f"Deleted deployment [bold]{deployment}[/bold] of project [bold]{project}[/bold].")


# ------------------------------------------------------------------ jobs

def _progress(job: dict[str, Any]) -> str:
    result = job.get("result") or {}
    training = (result.get("trainingStatus") or {}).get("percentComplete", 0)
    evaluation = (result.get("evaluationStatus") or {}).get("percentComplete", 0)
    return f"{training}% / {evaluation}%"


@jobs_app.command("list")
def list_jobs(project: Project, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
              data_dir: DataDir = DEFAULT_DATA_DIR, as_json: AsJson = False) -> None:
    """List a project's training jobs (kept 7 days by default), oldest first."""
    jobs = _run(endpoint, key, data_dir, lambda client: _list_all(client, f"{AUTHORING}/{project}/train/jobs"))
    if as_json:
        _print_json(jobs)
        return
    if not jobs:
        console.print(f"Project {project} has no training jobs.")
        return
    table = Table("job id", "model", "status", "training / evaluation", "created", "last updated", title=project)
    for job in jobs:
        table.add_row(job["jobId"], (job.get("result") or {}).get("modelLabel", ""), job["status"], _progress(job),
                      _date(job["createdDateTime"]), _date(job["lastUpdatedDateTime"]))
    console.print(table)


JobId = Annotated[str, typer.Argument(help="Training job id (see `customner jobs list PROJECT`).")]


@jobs_app.command("show")
def show_job(project: Project, job_id: JobId, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
             data_dir: DataDir = DEFAULT_DATA_DIR, as_json: AsJson = False) -> None:
    """Show one training job: status, progress, times and errors."""
    job = _run(endpoint, key, data_dir, lambda client: client.call("GET", f"{AUTHORING}/{project}/train/jobs/{job_id}").json())
    if as_json:
        _print_json(job)
        return
    _show_job(job)


def _show_job(job: dict[str, Any]) -> None:
    result = job.get("result") or {}
    table = Table("field", "value", title=job["jobId"], show_header=False)
    table.add_row("status", job["status"])
    table.add_row("model", str(result.get("modelLabel", "")))
    table.add_row("training config", str(result.get("trainingConfigVersion", "")))
    for phase in ("trainingStatus", "evaluationStatus"):
        state = result.get(phase) or {}
        table.add_row(phase.removesuffix("Status"), f"{state.get('status', '')} {state.get('percentComplete', 0)}%")
    table.add_row("created", _date(job["createdDateTime"]))
    table.add_row("last updated", _date(job["lastUpdatedDateTime"]))
    table.add_row("expires", _date(job.get("expirationDateTime")))
    for error in job.get("errors") or []:
        table.add_row("error", f"{error.get('code')}: {error.get('message')}")
    console.print(table)


@jobs_app.command("cancel")
def cancel_job(project: Project, job_id: JobId, endpoint: Endpoint = DEFAULT_ENDPOINT, key: Key = None,
               data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Cancel a training job and wait until it has stopped."""
    def cancel(client: Client) -> dict[str, Any]:
        location = client.start("POST", f"{AUTHORING}/{project}/train/jobs/{job_id}/:cancel")
        job: dict[str, Any] = client.http.get(location).json()
        while job.get("status") not in TERMINAL:
            time.sleep(0.5)
            job = client.http.get(location).json()
        return job

    job = _run(endpoint, key, data_dir, cancel)
    # A cancel that arrives during the evaluation can end the job succeeded, as on Azure.
    console.print(f"Training job {job_id} ended [bold]{job['status']}[/bold].")
