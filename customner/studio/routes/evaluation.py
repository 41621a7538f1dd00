"""Evaluation page: scores per type, the confusion heatmap, per-document spans and improvement guidance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response

from customner.services import labeling, models
from customner.services.evaluation import ConfusionCell
from customner.studio.highlight import pieces, type_colors
from customner.studio.web import Studio, StudioRoute, render

router = APIRouter(route_class=StudioRoute)
NONE = "$none"
MAX_DOCUMENTS = 500
EMPTY = ConfusionCell(count=0.0, row_percent=0.0)


@dataclass
class RegionView:
    location: str
    expected: list[Any]
    predicted: list[Any]
    mismatch: bool


def heatmap(matrix: dict[str, dict[str, ConfusionCell]], categories: list[str]) -> tuple[list[str], list[list[dict[str, Any]]]]:
    """Rows are expected types, columns predicted, both with ``$none``; shade is the row percentage."""
    names = [c for c in categories if c in matrix or any(c in row for row in matrix.values())]
    seen = set(matrix) | {n for row in matrix.values() for n in row}
    names += sorted(seen - set(names) - {NONE}) + [NONE]
    rows = []
    for gold in names:
        row = matrix.get(gold, {})
        cells = [row.get(p, EMPTY) for p in names]
        rows.append([{"raw": cell.count, "share": cell.row_percent, "diagonal": gold == p, "gold": gold, "predicted": p}
                     for p, cell in zip(names, cells, strict=True)])
    return names, rows


def _key(span: dict[str, Any]) -> tuple[int, int, str]:
    return span["start"], span["end"], span["category"]


def region_views(context: Any, name: str, label: str, mismatches_only: bool) -> list[RegionView]:
    page = models.evaluated_documents(context, name, label, 0, MAX_DOCUMENTS)
    views = []
    for document in page.rows:
        text = page.texts.get(document.location, "")
        for region in document.regions:
            mismatch = {_key(s) for s in region["expected"]} != {_key(s) for s in region["predicted"]}
            if mismatches_only and not mismatch:
                continue
            views.append(RegionView(
                location=document.location, mismatch=mismatch,
                expected=pieces(text, region["expected"], region["start"], region["end"]),
                predicted=pieces(text, region["predicted"], region["start"], region["end"])))
    return views


@router.get("/projects/{name}/evaluate")
def page(request: Request, context: Studio, name: str, model: str | None = None, mismatches: bool = False) -> Response:
    project = labeling.overview(context, name)
    rows, _ = models.list_models(context, name, 0, 100)
    rows = sorted(rows, key=lambda row: row.trained_at, reverse=True)
    chosen = next((row for row in rows if row.label == model), rows[0] if rows else None)
    values: dict[str, Any] = dict(project=project, models=rows, chosen=chosen, tab="evaluate", mismatches=mismatches)
    if chosen is not None:
        summary = models.evaluation_summary(context, name, chosen.label)
        categories = list(chosen.snapshot.get("categories", [])) or list(summary.entities)
        names, matrix = heatmap(summary.confusion, categories)
        values.update(evaluation=summary, guidance=labeling.guidance(summary), names=names, matrix=matrix,
                      colors=type_colors(categories),
                      regions=region_views(context, name, chosen.label, mismatches))
    return render(request, "evaluate.html", **values)
