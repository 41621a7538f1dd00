"""Documents page: upload or paste texts, filter the list, assign each document to Train or Test."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from customner.services import sources
from customner.services.labeling import documents, overview
from customner.studio.web import Studio, StudioRoute, flash, is_htmx, redirect, render

router = APIRouter(route_class=StudioRoute)


def _dataset(value: str) -> str | None:
    """The form's dataset; "" is "Unassigned" (FastAPI turns an empty form field into the default, so it is "")."""
    return value if value in documents.DATASETS else None


@router.get("/projects/{name}/documents")
def list_page(request: Request, context: Studio, name: str, status: str = "all", category: str = "",
              dataset: str = "") -> Response:
    wanted = documents.DocumentFilter(status=status, category=category or None, dataset=dataset or None)
    values: dict[str, Any] = dict(project=overview.overview(context, name), documents=documents.list_documents(context, name, wanted),
                  wanted=wanted, tab="documents")
    if is_htmx(request) and request.headers.get("HX-Target") == "document-list":
        return render(request, "partials/document_list.html", **values)
    return render(request, "documents.html", **values)


@router.post("/projects/{name}/documents/upload")
def upload(request: Request, context: Studio, name: str, files: Annotated[list[UploadFile], File()],
           dataset: Annotated[str, Form()] = "") -> Response:
    uploads = [documents.NewDocument(upload.filename or "", upload.file.read()) for upload in files if upload.filename]
    added = documents.add_documents(context, name, uploads, _dataset(dataset))
    flash(request, f"Added {len(added)} document(s): {', '.join(added[:5])}{' …' if len(added) > 5 else ''}.")
    return redirect(request, f"/studio/projects/{name}/documents")


@router.post("/projects/{name}/documents/paste")
def paste(request: Request, context: Studio, name: str, text: Annotated[str, Form()],
          filename: Annotated[str, Form()] = "", dataset: Annotated[str, Form()] = "") -> Response:
    added = documents.paste_document(context, name, text, filename.strip() or None, _dataset(dataset))
    flash(request, f"Added {added}.")
    return redirect(request, f"/studio/projects/{name}/documents")


@router.post("/projects/{name}/documents/{document_id}/dataset")
def set_dataset(request: Request, context: Studio, name: str, document_id: int,
                dataset: Annotated[str, Form()] = "") -> Response:
    documents.set_dataset(context, name, document_id, _dataset(dataset))
    shown = _dataset(dataset) or "unassigned"
    return render(request, "partials/saved.html", message=f"Saved: {shown}")


@router.post("/projects/{name}/documents/dataset")
def set_many(request: Request, context: Studio, name: str, ids: Annotated[list[int], Form()],
             dataset: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    changed = documents.set_dataset_many(context, name, ids, _dataset(dataset))
    flash(request, f"{changed} document(s) assigned to {_dataset(dataset) or 'no dataset'}.")
    return redirect(request, back if back.startswith(f"/studio/projects/{name}/documents") else f"/studio/projects/{name}/documents")


@router.post("/projects/{name}/documents/{document_id}/delete")
def delete(request: Request, context: Studio, name: str, document_id: int) -> Response:
    documents.delete_document(context, name, document_id)
    flash(request, "Document removed from the project (its text stays in the storage container).")
    return redirect(request, f"/studio/projects/{name}/documents")


@router.get("/projects/{name}/documents/{document_id}/source")
def source_page(request: Request, context: Studio, name: str, document_id: int, offset: int | None = None) -> Response:
    """Where a PDF's pages or a Word file's paragraphs lie in the document's text; with ``offset``, which holds it."""
    found = sources.document_source(context, name, document_id)
    unit = found.source.unit_of(offset) if found.source is not None and offset is not None else None
    return render(request, "document_source.html", project=overview.overview(context, name), tab="documents",
                  document_id=document_id, found=found, offset=offset, unit=unit)
