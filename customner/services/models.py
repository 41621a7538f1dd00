"""Trained models: read, list, delete, and restore a model's training data as the project's assets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from customner import errors
from customner.formats.azure_project import ProjectMetadata
from customner.jobs.registry import job_function
from customner.services import authoring_jobs, projects
from customner.services.documents import ProjectAssets, assets_from_snapshot, replace_assets
from customner.services.evaluation import EvaluationSummary
from customner.services.names import container_key
from customner.store.tables import Deployment, EvaluatedDocument, Project, TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext

LOAD_SNAPSHOT_KIND = "load-snapshot"


@dataclass(frozen=True)
class ModelInfo:
    """A detached, read-only snapshot of one trained model (without its training data): never the ORM row."""

    id: str
    project_name: str
    label: str
    config_version: str
    trained_at: datetime
    training_seconds: float
    expiration_date: str
    has_snapshot: bool
    categories: list[str]  # the entity types it was trained on

    @classmethod
    def of(cls, row: TrainedModel) -> ModelInfo:
        return cls(id=row.id, project_name=row.project_name, label=row.label, config_version=row.config_version,
                   trained_at=row.trained_at, training_seconds=row.training_seconds, expiration_date=row.expiration_date,
                   has_snapshot=bool(row.snapshot), categories=list(row.snapshot.get("categories", [])))


def get_model_or_raise(session: Session, project_name: str, label: str) -> TrainedModel:
    model = session.scalars(
        select(TrainedModel).where(TrainedModel.project_name == project_name, TrainedModel.label == label)
    ).first()
    if model is None:
        raise errors.NotFound(
            f"The trained model '{label}' could not be found in project '{project_name}'.",
            inner_code="NotFound",
        )
    return model


def get(context: AppContext, project_name: str, label: str) -> ModelInfo:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        return ModelInfo.of(get_model_or_raise(session, project_name, label))


def list_models(context: AppContext, project_name: str, skip: int, top: int) -> tuple[list[ModelInfo], int]:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        query = select(TrainedModel).where(TrainedModel.project_name == project_name)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(TrainedModel.trained_at).offset(skip).limit(top)).all()
        return [ModelInfo.of(row) for row in rows], total


def delete(context: AppContext, project_name: str, label: str) -> None:
    """Delete a model; its files stay while a deployment still serves it."""
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        model = get_model_or_raise(session, project_name, label)
        deployed = session.scalars(select(Deployment).where(Deployment.model_id == model.id)).first()
        artifact = model.artifact_path
        session.delete(model)
    if deployed is None:
        context.blobs.delete(artifact)
        context.models.forget(model.id)


def delete_artifact_if_unused(context: AppContext, session: Session, model_id: str, artifact: str) -> None:
    in_use = session.scalars(select(Deployment).where(Deployment.model_id == model_id)).first()
    still_model = session.get(TrainedModel, model_id)
    if in_use is None and still_model is None:
        context.blobs.delete(artifact)
        context.models.forget(model_id)


def snapshot_assets(model: TrainedModel) -> ProjectAssets:
    return assets_from_snapshot(model.snapshot)


def evaluation_summary(context: AppContext, project_name: str, label: str) -> EvaluationSummary:
    """The model's scores on its test set, from its training or its latest re-evaluation."""
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        return EvaluationSummary.model_validate(get_model_or_raise(session, project_name, label).evaluation_summary)


@dataclass
class EvaluatedPage:
    """One page of a model's per-document results, with the texts those spans point into."""

    rows: list[EvaluatedDocument]
    total: int
    texts: dict[str, str]


def evaluated_documents(context: AppContext, project_name: str, label: str, skip: int, top: int) -> EvaluatedPage:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        model = get_model_or_raise(session, project_name, label)
        query = select(EvaluatedDocument).where(EvaluatedDocument.model_id == model.id)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(session.scalars(query.order_by(EvaluatedDocument.id).offset(skip).limit(top)).all())
        wanted = {row.location for row in rows}
        texts = {d["location"]: d["text"] for d in model.snapshot.get("documents", []) if d["location"] in wanted}
        return EvaluatedPage(rows, total, texts)


def submit_load_snapshot(context: AppContext, project_name: str, label: str) -> str:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        get_model_or_raise(session, project_name, label)
    return authoring_jobs.submit(context, LOAD_SNAPSHOT_KIND, project_name, {"model_label": label}, scope=label)


@job_function(LOAD_SNAPSHOT_KIND)
def run_load_snapshot(context: AppContext, job_id: str) -> None:
    """Make the project's labeled data what the model was trained on (Azure's ``:load-snapshot``)."""
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        project = session.get(Project, job.project_name)
        assert project is not None
        assets = snapshot_assets(get_model_or_raise(session, project.name, job.payload["model_label"]))
        metadata = ProjectMetadata(
            project_kind="CustomEntityRecognition", storage_input_container_name=project.storage_container,
            project_name=project.name, multilingual=project.multilingual, description=project.description,
            language=project.language, settings=project.settings or {})
    for record in assets.documents:
        context.blobs.write_text(container_key(metadata.storage_input_container_name, record.location), record.text)
    replace_assets(context, metadata.project_name, metadata, assets)
