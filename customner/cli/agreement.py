"""``customner agreement PROJECT``: how well a project's annotators agree, per entity type and per pair."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from customner.cli.http import AUTHORING, ApiError
from customner.cli.lifecycle import DataDir, Endpoint, Key, _client, _fail, console
from customner.cli.root import app


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _kappa(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@app.command()
def agreement(
    project: Annotated[str, typer.Argument(help="Project name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of tables.")] = False,
    endpoint: Endpoint = "http://127.0.0.1:5000", key: Key = None, data_dir: DataDir = Path("customner-data"),
) -> None:
    """Inter-annotator agreement: span F1 (exact and overlap) and token kappa (Cohen's / Fleiss')."""
    client = _client(endpoint, key, data_dir)
    try:
        body: dict[str, Any] = client.call("GET", f"{AUTHORING}/{project}/agreement").json()
    except ApiError as error:
        _fail(error)
    if as_json:
        console.print_json(json.dumps(body))
        return
    if not body["kappaKind"]:
        console.print("No document has been labeled by two or more annotators yet.")
        return
    kappa = "Cohen's kappa" if body["kappaKind"] == "cohen" else "Fleiss' kappa"
    console.print(f"{body['documents']} document(s) labeled by two or more of {', '.join(body['annotators'])}.")
    types = Table("entity type", "exact F1", "overlap F1", kappa, title="per entity type")
    types.add_row("all types", _pct(body["overall"]["exactF1"]), _pct(body["overall"]["overlapF1"]),
                  _kappa(body["overall"]["kappa"]))
    for name, scores in body["entities"].items():
        types.add_row(name, _pct(scores["exactF1"]), _pct(scores["overlapF1"]), _kappa(scores["kappa"]))
    console.print(types)
    pairs = Table("annotators", "documents", "exact F1", "overlap F1", "Cohen's kappa", title="per annotator pair")
    for pair in body["pairs"]:
        pairs.add_row(" · ".join(pair["annotators"]), str(pair["documents"]), _pct(pair["exactF1"]),
                      _pct(pair["overlapF1"]), _kappa(pair["kappa"]))
    console.print(pairs)
