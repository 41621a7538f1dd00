"""Labeling page and its JSON endpoints (versioned autosave, model suggestions and rejections, history)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Request, Response
from fastapi.responses import JSONResponse

from customner import errors
from customner.access import policy
from customner.services import annotators, audit
from customner.services.labeling import assistance, documents, label_store, overview
from customner.studio.web import Studio, StudioRoute, current_actor, current_role, flash, redirect, render

router = APIRouter(route_class=StudioRoute)


def whose_copy(request: Request, annotator: str | None) -> str | None:
    """Which copy of the labels a request works on: an annotator always their own, others any (None: the project's)."""
    if current_role(request) == "annotator":
        actor = current_actor(request)
        if annotator not in (None, "", actor):
            raise policy.Forbidden("Annotators can only open their own labels.")
        return actor
    return annotator or None


@router.get("/projects/{name}/label")
def start(request: Request, context: Studio, name: str) -> Response:
    """The Label tab: the first unlabeled document, else the first document (an annotator: of their own)."""
    if current_role(request) == "annotator":
        mine = next((p for p in annotators.progress(context, name) if p.annotator == current_actor(request)), None)
        if mine is None or mine.first_open is None:
            flash(request, "No document of this project is waiting for you." if mine is None else "All your documents are labeled.")
            return redirect(request, "/studio/projects")
        return redirect(request, f"/studio/projects/{name}/documents/{mine.first_open}")
    rows = documents.list_documents(context, name, documents.DocumentFilter())
    if not rows:
        flash(request, "Add some documents first.", "warn")
        return redirect(request, f"/studio/projects/{name}/documents")
    target = next((row for row in rows if not row.labeled), rows[0])
    return redirect(request, f"/studio/projects/{name}/documents/{target.id}")


@router.get("/projects/{name}/next-useful")
def next_useful(request: Request, context: Studio, name: str, after: int | None = None) -> Response:
    ranked = assistance.most_useful(context, name, exclude=after)
    if not ranked:
        flash(request, "Every document is labeled.", "ok")
        return redirect(request, f"/studio/projects/{name}/documents")
    return redirect(request, f"/studio/projects/{name}/documents/{ranked[0][0]}?useful=1")


@router.get("/projects/{name}/documents/{document_id}")
def page(request: Request, context: Studio, name: str, document_id: int, annotator: str | None = None) -> Response:
    copy = whose_copy(request, annotator)
    document = documents.get_document(context, name, document_id, copy)
    model = assistance.latest_model(context, name)
    state = {"project": name, "id": document.id, "text": document.text, "labels": document.labels,
             "categories": document.categories, "dataset": document.dataset, "hasModel": model is not None,
             "nextId": document.next_id, "previousId": document.previous_id, "version": document.version,
             "annotator": copy, "slots": {t.name: t.slot for t in document.types}}
    return render(request, "label.html", project=overview.overview(context, name), document=document,
                  state=state, model=model, tab="label", history=audit.history(context, name, document_id, copy))


@router.post("/projects/{name}/suggestions-model")
def train_suggestions_model(request: Request, context: Studio, name: str, document_id: Annotated[int, Form()]) -> Response:
    job_id = assistance.train_suggestions_model(context, name)
    flash(request, "Training a suggestions model on a quick schedule (about a minute for 300 documents); its "
                   "suggestions appear here once it is done.")
    return redirect(request, f"/studio/projects/{name}/documents/{document_id}?training={job_id}")


@router.get("/projects/{name}/documents/{document_id}/history")
def history(request: Request, context: Studio, name: str, document_id: int, annotator: str | None = None) -> Response:
    copy = whose_copy(request, annotator)
    text = documents.get_document(context, name, document_id, copy).text  # 404 for another project's document
    return render(request, "partials/history.html", history=audit.history(context, name, document_id, copy), text=text)


@router.post("/projects/{name}/documents/{document_id}/labels.json")
def save(request: Request, context: Studio, name: str, document_id: int, annotator: str | None = None,
         body: dict[str, Any] = Body(...)) -> Response:  # noqa: B008
    if not isinstance(body.get("version"), int):
        raise errors.InvalidRequest("Name the version of the labels you changed (\"version\"); reload the page.")
    try:
        saved = label_store.save_labels(context, name, document_id, list(body.get("labels", [])),
                                     base_version=body["version"], actor=current_actor(request),
                                     annotator=whose_copy(request, annotator))
    except label_store.StaleLabels as stale:
        return JSONResponse({"error": stale.message, "current": {
            "version": stale.version, "labels": stale.labels, "by": stale.by,
            "at": stale.at.isoformat() + "Z" if stale.at else None}}, status_code=409)
    return JSONResponse({"saved": saved.count, "version": saved.version})


@router.get("/projects/{name}/documents/{document_id}/suggestions.json")
def suggestions(request: Request, context: Studio, name: str, document_id: int, annotator: str | None = None) -> Response:
    model_id, found = assistance.suggestions(context, name, document_id, whose_copy(request, annotator))
    return JSONResponse({"model": model_id, "suggestions": found})


@router.post("/projects/{name}/documents/{document_id}/rejections.json")
def reject(request: Request, context: Studio, name: str, document_id: int,
           body: dict[str, Any] = Body(...)) -> Response:  # noqa: B008
    count = assistance.reject_suggestions(context, name, document_id, str(body.get("model", "")),
                                        list(body.get("suggestions", [])), actor=current_actor(request),
                                        undo=bool(body.get("undo")))
    return JSONResponse({"rejected": 0 if body.get("undo") else count})
