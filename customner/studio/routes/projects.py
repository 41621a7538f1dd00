"""Projects page: list, create, delete, import and export, with entity types and their counts."""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from customner import errors
from customner.formats import registry
from customner.formats.azure_project import ProjectFile
from customner.formats.corpus import FormatError
from customner.services import authoring_jobs, projects, transfer
from customner.services.exchange import container_for
from customner.services.labeling import entity_types, overview
from customner.services.languages import LANGUAGES
from customner.studio.web import Studio, StudioRoute, current_actor, flash, redirect, render

router = APIRouter(route_class=StudioRoute)
EXPORT_VERSION = "2022-05-01"


@router.get("/projects")
def list_page(request: Request, context: Studio) -> Response:
    return render(request, "projects.html", projects=overview.overviews(context), languages=LANGUAGES,
                  formats={name: registry.LABELS[name] for name in registry.IMPORT_NAMES})


@router.post("/projects")
def create(request: Request, context: Studio, name: Annotated[str, Form()], language: Annotated[str, Form()] = "en-us",
           description: Annotated[str, Form()] = "", types: Annotated[str, Form()] = "") -> Response:
    name = name.strip()
    try:
        projects.get(context, name)
    except errors.ProjectNotFound:
        pass
    else:
        raise errors.Conflict(f"A project named '{name}' already exists.")
    projects.create_or_update(context, name, projects.ProjectChanges(
        project_kind=projects.PROJECT_KIND, storage_container=container_for(name), language=language,
        description=description.strip() or None))
    for entity in (part.strip() for part in re.split(r"[,\n]", types)):
        if entity:
            entity_types.add_entity_type(context, name, entity)
    flash(request, f"Project '{name}' created. Add documents next.")
    return redirect(request, f"/studio/projects/{name}/documents")


@router.get("/projects/{name}")
def project_page(request: Request, context: Studio, name: str) -> Response:
    return render(request, "project.html", project=overview.overview(context, name), tab="overview",
                  formats=registry.LABELS, trash=entity_types.trash(context, name))


@router.post("/projects/{name}/types")
def add_type(request: Request, context: Studio, name: str, entity: Annotated[str, Form()],
             back: Annotated[str, Form()] = "") -> Response:
    entity_types.add_entity_type(context, name, entity)
    flash(request, f"Entity type '{entity.strip()}' added.")
    return redirect(request, back if back.startswith("/studio/") else f"/studio/projects/{name}")


@router.post("/projects/{name}/types/{entity}/delete")
def delete_type(request: Request, context: Studio, name: str, entity: str) -> Response:
    removed = entity_types.delete_entity_type(context, name, entity, actor=current_actor(request))
    flash(request, f"Entity type '{entity}' deleted with its {removed} label(s). "
                   f"You can restore both from the trash below for {entity_types.TRASH_DAYS} days.")
    return redirect(request, f"/studio/projects/{name}")


@router.post("/projects/{name}/trash/{trash_id}/restore")
def restore_type(request: Request, context: Studio, name: str, trash_id: int) -> Response:
    restored, skipped = entity_types.restore_entity_type(context, name, trash_id, actor=current_actor(request))
    note = f" {skipped} label(s) were not restored: their document is gone or has an overlapping label now." if skipped else ""
    flash(request, f"Entity type restored with {restored} label(s).{note}", "warn" if skipped else "ok")
    return redirect(request, f"/studio/projects/{name}")


@router.post("/projects/{name}/delete")
def delete(request: Request, context: Studio, name: str) -> Response:
    job = authoring_jobs.wait(context, projects.submit_delete(context, name))
    problem = authoring_jobs.error_of(job)
    if problem:
        raise errors.InvalidRequest(f"The project could not be deleted: {problem}")
    flash(request, f"Project '{name}' deleted.")
    return redirect(request, "/studio/projects")


@router.post("/projects/import")
def import_project(request: Request, context: Studio, file: Annotated[UploadFile, File()],
                   name: Annotated[str, Form()] = "", format: Annotated[str, Form()] = "",
                   language: Annotated[str, Form()] = "") -> Response:
    """Any exchange format, recognised from the file unless chosen."""
    # A plain def: parsing thousands of documents and waiting for the job happen in the thread pool, not on the loop.
    data = file.file.read()
    try:
        chosen = registry.canonical(format) if format else registry.detect(data)
    except (ValueError, FormatError) as error:
        raise errors.InvalidRequest(f"'{file.filename}': {error}.") from error
    if chosen == registry.AZURE:
        project_file = _azure_file(file.filename or "", data)
        target = name.strip() or project_file.metadata.project_name
        job_id = transfer.submit_import(context, target, project_file)
    else:
        target = name.strip() or re.sub(r"[^A-Za-z0-9_.-]+", "-", (file.filename or "imported").rsplit(".", 1)[0]).strip("-.")
        job_id = transfer.submit_file_import(context, target, chosen, data, language or None)
    job = authoring_jobs.wait(context, job_id, timeout=120)
    problem = authoring_jobs.error_of(job)
    if problem:
        raise errors.InvalidRequest(f"The import did not finish: {problem}")
    flash(request, f"Project '{target}' imported ({chosen}).")
    return redirect(request, f"/studio/projects/{target}")


def _azure_file(filename: str, data: bytes) -> ProjectFile:
    try:
        return ProjectFile.model_validate(json.loads(data.decode("utf-8-sig")))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise errors.InvalidRequest(f"'{filename}' is not a JSON project file: {error}.") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise errors.InvalidRequest(f"'{filename}' is not an Azure project file: {where}: {first['msg']}.") from error


@router.get("/projects/{name}/export")
def export(context: Studio, name: str, format: str = "azure") -> Response:
    job = authoring_jobs.wait(context, transfer.submit_export(context, name, version=EXPORT_VERSION, format_name=format),
                            timeout=120)
    problem = authoring_jobs.error_of(job)
    if problem:
        raise errors.InvalidRequest(f"The export did not finish: {problem}")
    exported = transfer.export_file(context, name, job.id)
    disposition = {"Content-Disposition": f'attachment; filename="{name}{exported.extension}"'}
    if exported.format == registry.AZURE:
        return JSONResponse(json.loads(exported.data), headers=disposition)
    return Response(exported.data, media_type=exported.media_type, headers=disposition)
