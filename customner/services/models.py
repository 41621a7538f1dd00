"""Trained models: read, list, delete, and restore a model's training data as the project's assets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from customner import errors
from customner.jobs.registry import job_function
from customner.ner.types import Span
from customner.services import authoring_jobs, projects
from customner.services.documents import DocumentRecord, ProjectAssets
from customner.services.evaluation import EvaluationSummary
from customner.store.tables import Deployment, EvaluatedDocument, Project, TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext

LOAD_SNAPSHOT_KIND = "load-snapshot"


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


def get(context: AppContext, project_name: str, label: str) -> TrainedModel:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        return get_model_or_raise(session, project_name, label)


def list_models(context: AppContext, project_name: str, skip: int, top: int) -> tuple[list[TrainedModel], int]:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        query = select(TrainedModel).where(TrainedModel.project_name == project_name)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(TrainedModel.trained_at).offset(skip).limit(top)).all()
        return list(rows), total


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


def assets_from_snapshot(snapshot: dict[str, Any]) -> ProjectAssets:
    """The inverse of ``transfer.snapshot_of``."""
    return ProjectAssets(
        categories=list(snapshot.get("categories", [])),
        documents=[
            DocumentRecord(
                location=d["location"], text=d["text"], language=d.get("language"), dataset=d.get("dataset"),
                regions=[(int(a), int(b)) for a, b in d.get("regions", [])],
                spans=[Span(int(a), int(b), str(c)) for a, b, c in d.get("spans", [])],
            )
            for d in snapshot.get("documents", [])
        ],
    )


def evaluation_summary(context: AppContext, project_name: str, label: str) -> EvaluationSummary:
    """The model's scores on its test set, from its training or its latest re-evaluation."""
    return EvaluationSummary.model_validate(get(context, project_name, label).evaluation_summary)


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
    return authoring_jobs.submit(context, LOAD_SNAPSHOT_KIND, project_name, {"modelLabel": label}, scope=label)


@job_function(LOAD_SNAPSHOT_KIND)
def run_load_snapshot(context: AppContext, job_id: str) -> None:
    """Make the project's labeled data what the model was trained on (Azure's ``:load-snapshot``)."""
    from customner.formats.azure_project import ProjectMetadata
    from customner.services.names import container_key
    from customner.services.transfer import replace_assets

    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        project = session.get(Project, job.project_name)
        assert project is not None
        assets = snapshot_assets(get_model_or_raise(session, project.name, job.payload["modelLabel"]))
        metadata = ProjectMetadata(
            project_kind="CustomEntityRecognition", storage_input_container_name=project.storage_container,
            project_name=project.name, multilingual=project.multilingual, description=project.description,
            language=project.language, settings=project.settings or {})
    for record in assets.documents:
        context.blobs.write_text(container_key(metadata.storage_input_container_name, record.location), record.text)
    replace_assets(context, metadata.project_name, metadata, assets)
