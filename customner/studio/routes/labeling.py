"""Labeling page and its JSON endpoints (autosave, model suggestions, next most useful document)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from customner.services import labeling
from customner.studio.web import Studio, StudioRoute, flash, redirect, render

router = APIRouter(route_class=StudioRoute)


@router.get("/projects/{name}/label")
def start(request: Request, context: Studio, name: str) -> Response:
    """The Label tab: the first unlabeled document, else the first document."""
    rows = labeling.list_documents(context, name, labeling.DocumentFilter())
    if not rows:
        flash(request, "Add some documents first.", "warn")
        return redirect(request, f"/studio/projects/{name}/documents")
    target = next((row for row in rows if not row.labeled), rows[0])
    return redirect(request, f"/studio/projects/{name}/documents/{target.id}")


@router.get("/projects/{name}/next-useful")
def next_useful(request: Request, context: Studio, name: str, after: int | None = None) -> Response:
    ranked = labeling.most_useful(context, name, exclude=after)
    if not ranked:
        flash(request, "Every document is labeled.", "ok")
        return redirect(request, f"/studio/projects/{name}/documents")
    return redirect(request, f"/studio/projects/{name}/documents/{ranked[0][0]}?useful=1")


@router.get("/projects/{name}/documents/{document_id}")
def page(request: Request, context: Studio, name: str, document_id: int) -> Response:
    document = labeling.get_document(context, name, document_id)
    model = labeling.latest_model(context, name)
    state = {"project": name, "id": document.id, "text": document.text, "labels": document.labels,
             "categories": document.categories, "dataset": document.dataset, "hasModel": model is not None,
             "nextId": document.next_id, "previousId": document.previous_id}
    return render(request, "label.html", project=labeling.overview(context, name), document=document,
                  state=state, model=model, tab="label")


@router.post("/projects/{name}/documents/{document_id}/labels.json")
def save(context: Studio, name: str, document_id: int, body: dict[str, Any] = Body(...)) -> Response:  # noqa: B008
    saved = labeling.save_labels(context, name, document_id, list(body.get("labels", [])))
    return JSONResponse({"saved": saved})


@router.get("/projects/{name}/documents/{document_id}/suggestions.json")
def suggestions(context: Studio, name: str, document_id: int) -> Response:
    return JSONResponse({"suggestions": labeling.suggestions(context, name, document_id)})
