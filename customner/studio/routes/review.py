"""Teams: assign documents to annotators, review their labels side by side, and read their agreement.

Who may open which page is decided by ``customner.access.policy`` (assign: owners; review: reviewers).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from customner.services import annotators
from customner.services.labeling import documents, label_store, overview
from customner.studio.highlight import pieces
from customner.studio.web import Studio, StudioRoute, current_actor, flash, redirect, render

router = APIRouter(route_class=StudioRoute)


@router.get("/projects/{name}/assign")
def assign_page(request: Request, context: Studio, name: str) -> Response:
    return render(request, "assign.html", project=overview.overview(context, name), tab="review",
                  progress=annotators.progress(context, name))


@router.post("/projects/{name}/assign")
def assign(request: Request, context: Studio, name: str, names: Annotated[str, Form()],
           per_document: Annotated[int, Form()] = 1, mode: Annotated[str, Form()] = "count",
           count: Annotated[int, Form()] = 10, status: Annotated[str, Form()] = "all",
           dataset: Annotated[str, Form()] = "", category: Annotated[str, Form()] = "") -> Response:
    wanted = documents.DocumentFilter(status=status, category=category or None, dataset=dataset or None)
    made = annotators.assign(context, name, names.replace("\n", ",").split(","), per_document=per_document,
                             count=count if mode == "count" else None, wanted=None if mode == "count" else wanted,
                             actor=current_actor(request))
    flash(request, f"{made} assignment(s) made." if made else "Nothing to assign: every chosen document has its annotators.",
          "ok" if made else "warn")
    return redirect(request, f"/studio/projects/{name}/assign")


@router.get("/projects/{name}/review")
def queue(request: Request, context: Studio, name: str) -> Response:
    return render(request, "review.html", project=overview.overview(context, name), tab="review",
                  rows=annotators.review_queue(context, name), report=annotators.project_agreement(context, name))


@router.get("/projects/{name}/review/{document_id}")
def review_page(request: Request, context: Studio, name: str, document_id: int) -> Response:
    view = annotators.review_view(context, name, document_id)
    as_dicts = {annotator: None if spans is None else pieces(view.text, [vars(s) for s in spans])
                for annotator, spans in view.copies.items()}
    rows = annotators.review_queue(context, name)
    ids = [row.id for row in rows]
    following = ids[ids.index(document_id) + 1] if document_id in ids and ids.index(document_id) + 1 < len(ids) else None
    return render(request, "review_document.html", project=overview.overview(context, name), tab="review", view=view,
                  copies=as_dicts, current=pieces(view.text, [vars(s) for s in view.current]), following=following)


@router.post("/projects/{name}/review/{document_id}")
def settle(request: Request, context: Studio, name: str, document_id: int, version: Annotated[int, Form()],
           accept: Annotated[str, Form()] = "", keep: Annotated[list[str] | None, Form()] = None,
           then: Annotated[str, Form()] = "") -> Response:
    try:
        saved = annotators.settle(context, name, document_id, base_version=version, actor=current_actor(request),
                                  accept=accept or None, keep=None if accept else (keep or []))
    except label_store.StaleLabels as stale:
        flash(request, f"{stale.message} The page now shows the newest labels.", "warn")
        return redirect(request, f"/studio/projects/{name}/review/{document_id}")
    flash(request, f"Reviewed: {saved.count} label(s) are now the project's labels (version {saved.version}).")
    if then == "edit":
        return redirect(request, f"/studio/projects/{name}/documents/{document_id}")
    if then.isdigit():
        return redirect(request, f"/studio/projects/{name}/review/{then}")
    return redirect(request, f"/studio/projects/{name}/review")


@router.get("/projects/{name}/agreement")
def agreement_page(request: Request, context: Studio, name: str) -> Response:
    return render(request, "agreement.html", project=overview.overview(context, name), tab="review",
                  report=annotators.project_agreement(context, name))
