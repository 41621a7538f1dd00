"""Projects: create, merge-update, read, list and delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from customner import errors
from customner.clock import utcnow
from customner.jobs.registry import job_function
from customner.services import authoring_jobs
from customner.services.languages import check_language
from customner.services.names import check_container_name, check_project_name
from customner.store.tables import Deployment, Project, TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext

PROJECT_KIND = "CustomEntityRecognition"
DELETE_PROJECT_KIND = "delete-project"


@dataclass
class ProjectChanges:
    """Fields of a merge-patch; ``None`` means "leave as it is"."""

    project_kind: str | None = None
    storage_container: str | None = None
    language: str | None = None
    multilingual: bool | None = None
    description: str | None = None
    settings: dict[str, Any] | None = None


@dataclass(frozen=True)
class ProjectInfo:
    """A detached, read-only snapshot of one project: what services hand to the HTTP layers (never the ORM row)."""

    name: str
    kind: str
    language: str
    multilingual: bool
    description: str | None
    storage_container: str
    settings: dict[str, Any]
    created_at: datetime
    modified_at: datetime
    trained_at: datetime | None
    deployed_at: datetime | None

    @classmethod
    def of(cls, row: Project) -> ProjectInfo:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


def get_or_raise(session: Session, name: str) -> Project:
    project = session.get(Project, name)
    if project is None:
        raise errors.ProjectNotFound(
            f"The project '{name}' could not be found. Project names are case-sensitive.",
            inner_code="ProjectNotFound",
        )
    return project


def create_or_update(context: AppContext, name: str, changes: ProjectChanges) -> tuple[ProjectInfo, bool]:
    """Returns the project and whether it was created."""
    check_project_name(name)
    if changes.project_kind not in (None, PROJECT_KIND):
        raise errors.InvalidRequest(
            f"Project kind '{changes.project_kind}' is not supported.", inner_code="InvalidParameterValue",
            inner_message="customner serves custom named entity recognition projects only (CustomEntityRecognition).",
        )
    if changes.language is not None:
        check_language(changes.language)
    if changes.storage_container is not None:
        check_container_name(changes.storage_container)
    now = utcnow()
    with context.db.session() as session:
        project = session.get(Project, name)
        created = project is None
        if project is None:
            missing = [field for field, value in (
                ("projectKind", changes.project_kind), ("storageInputContainerName", changes.storage_container),
                ("language", changes.language)) if value is None]
            if missing:
                raise errors.InvalidRequest(
                    f"Missing required field(s) to create a project: {', '.join(missing)}.",
                    inner_code="InvalidParameterValue",
                )
            project = Project(name=name, created_at=now, settings={}, multilingual=False)
            session.add(project)
        apply_changes(project, changes)
        project.modified_at = now
        session.flush()
        return ProjectInfo.of(project), created


def apply_changes(project: Project, changes: ProjectChanges) -> None:
    if changes.project_kind is not None:
        project.kind = changes.project_kind
    if changes.storage_container is not None:
        project.storage_container = changes.storage_container
    if changes.language is not None:
        project.language = changes.language
    if changes.multilingual is not None:
        project.multilingual = changes.multilingual
    if changes.description is not None:
        project.description = changes.description
    if changes.settings is not None:
        project.settings = changes.settings


def get(context: AppContext, name: str) -> ProjectInfo:
    with context.db.session() as session:
        return ProjectInfo.of(get_or_raise(session, name))


def list_projects(context: AppContext, skip: int, top: int) -> tuple[list[ProjectInfo], int]:
    with context.db.session() as session:
        total = session.scalar(select(func.count()).select_from(Project)) or 0
        rows = session.scalars(select(Project).order_by(Project.created_at, Project.name).offset(skip).limit(top)).all()
        return [ProjectInfo.of(row) for row in rows], total


def submit_delete(context: AppContext, name: str) -> str:
    with context.db.session() as session:
        get_or_raise(session, name)
    return authoring_jobs.submit(context, DELETE_PROJECT_KIND, name, {"project_name": name})


@job_function(DELETE_PROJECT_KIND)
def run_delete(context: AppContext, job_id: str) -> None:
    with context.db.session() as session:
        name = authoring_jobs.load(session, job_id).payload["project_name"]
        project = session.get(Project, name)
        if project is None:
            return
        artifacts = {m.artifact_path for m in session.scalars(select(TrainedModel).where(TrainedModel.project_name == name))}
        artifacts |= {d.artifact_path for d in session.scalars(select(Deployment).where(Deployment.project_name == name))}
        for deployment in session.scalars(select(Deployment).where(Deployment.project_name == name)):
            context.models.forget(deployment.model_id)
            session.delete(deployment)
        session.delete(project)
    for artifact in artifacts:
        context.blobs.delete(artifact)
