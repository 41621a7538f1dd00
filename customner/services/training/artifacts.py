"""Where a training's model lives: its folder in the blob store, its row, and the sweep of orphaned folders."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from customner import ner
from customner.clock import utcnow
from customner.jobs import lifecycle
from customner.services.authoring_jobs import TRAIN_KIND
from customner.services.evaluation import EvaluationSummary
from customner.services.models import delete_artifact_if_unused
from customner.services.training.options import TrainingPayload
from customner.store.tables import Deployment, EvaluatedDocument, Project, TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext


def model_id_for(job_id: str) -> str:
    """The model a training job writes, known from its id alone (so the sweeper spares a running training's folder)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"customner-training:{job_id}").hex


def artifact_key(project_name: str, model_id: str) -> str:
    return f"models/{project_name}/{model_id}"


def report_dict(report: ner.TrainingReport) -> dict[str, Any]:
    return asdict(report)


def store_model(context: AppContext, project_name: str, payload: TrainingPayload, model_id: str, artifact: str,
                seconds: float, summary: EvaluationSummary, evaluated: list[EvaluatedDocument],
                snapshot: dict[str, Any], report: dict[str, Any]) -> None:
    """Keep the model under its label, replacing (and deleting the folder of) a model trained earlier under it."""
    now = utcnow()
    expiration = dict(ner.training_config_versions()).get(payload.training_config_version)
    old: TrainedModel | None = None
    with context.db.session() as session:
        old = session.scalars(select(TrainedModel).where(
            TrainedModel.project_name == project_name, TrainedModel.label == payload.model_label)).first()
        if old is not None:
            session.delete(old)
            session.flush()
        session.add(TrainedModel(
            id=model_id, project_name=project_name, label=payload.model_label,
            config_version=payload.training_config_version, artifact_path=artifact, trained_at=now,
            training_seconds=seconds, expiration_date=expiration or str(date.today() + timedelta(days=365)),
            evaluation_options=payload.evaluation_options.model_dump(mode="json"),
            evaluation_summary=summary.model_dump(mode="json"), snapshot=snapshot,
            training_report=report))
        session.flush()
        session.add_all(evaluated)
        project = session.get(Project, project_name)
        if project is not None:
            project.trained_at = now
        if old is not None:
            session.flush()
            delete_artifact_if_unused(context, session, old.id, old.artifact_path)


def sweep_partial_models(context: AppContext) -> list[str]:
    """Remove model folders no model, deployment or running training owns (a training killed with kill -9)."""
    candidates = [artifact_key(project, model) for project in context.blobs.list_dirs("models")
                  for model in context.blobs.list_dirs(f"models/{project}")]
    if not candidates:
        return []
    # Listed before the owners are read, and running trainings read before models: a training stores its
    # model before it ends, so a folder is always seen as owned by one or the other.
    owned = {artifact_key(str(job.project_name), model_id_for(job.id)) for job in lifecycle.active(context.db, TRAIN_KIND)}
    with context.db.session() as session:
        owned |= set(session.scalars(select(TrainedModel.artifact_path)).all())
        owned |= set(session.scalars(select(Deployment.artifact_path)).all())
    removed = [key for key in candidates if key not in owned]
    for key in removed:
        context.blobs.delete(key)
    return removed
