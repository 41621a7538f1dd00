"""Checking a training request and queueing it; cancelling and listing training jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from customner import errors, ner
from customner.jobs import lifecycle
from customner.jobs.lifecycle import JobRecord
from customner.jobs.status import TERMINAL
from customner.services import authoring_jobs, projects
from customner.services.names import MAX_MODELS, check_resource_name
from customner.services.training.options import EvaluationOptions, TrainingOptions, TrainingPayload
from customner.services.training.progress import TrainingState, initial_state, state_of
from customner.store.tables import TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext

TRAIN_KIND = authoring_jobs.TRAIN_KIND


def submit(context: AppContext, project_name: str, options: TrainingOptions) -> str:
    check_resource_name("model", options.model_label)
    check_evaluation_options(options.evaluation)
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        try:
            version = ner.resolve_config_version(options.config_version)
        except ValueError as error:
            raise errors.InvalidRequest(str(error), inner_code="InvalidParameterValue") from error
        running = lifecycle.find_active(session, TRAIN_KIND, project_name)
        if running is not None:
            raise errors.Conflict(
                f"A training job ('{running.id}') is already running for project '{project_name}'. "
                "Wait for it to finish or cancel it; one training job runs per project at a time."
            )
        labels = session.scalars(select(TrainedModel.label).where(TrainedModel.project_name == project_name)).all()
        if options.model_label not in labels and len(labels) >= MAX_MODELS:
            raise errors.QuotaExceeded(
                f"Project '{project_name}' already has {MAX_MODELS} trained models, the limit. "
                "Delete one or train under an existing model label to overwrite it."
            )
        if not project.documents:
            raise errors.InvalidRequest(f"Project '{project_name}' has no documents to train on; import some first.")
        payload = TrainingPayload(model_label=options.model_label, requested_config_version=options.config_version,
                                  training_config_version=version, seed=options.seed,
                                  evaluation_options=options.evaluation, quick=options.quick)
        job = authoring_jobs.build(context, TRAIN_KIND, project_name, scope=options.model_label,
                                   payload=payload.model_dump(mode="json"))
        job.result = initial_state(payload).model_dump(mode="json")
        # Added in the same transaction as the "one training job per project" check.
        session.add(job)
    context.jobs.enqueue(job.id, TRAIN_KIND)
    return job.id


def check_evaluation_options(options: EvaluationOptions) -> None:
    if options.kind not in ("percentage", "manual"):
        raise errors.InvalidRequest(f"evaluationOptions.kind '{options.kind}' is not supported; use 'percentage' or 'manual'.",
                                    inner_code="InvalidParameterValue")
    if options.kind == "percentage":
        total = options.training_split_percentage + options.testing_split_percentage
        if total != 100 or min(options.training_split_percentage, options.testing_split_percentage) <= 0:
            raise errors.InvalidRequest(
                "trainingSplitPercentage and testingSplitPercentage must both be positive and add up to 100.",
                inner_code="InvalidParameterValue")


def cancel(context: AppContext, project_name: str, job_id: str) -> None:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
    job = lifecycle.load(context.db, job_id)
    if job is None or job.kind != TRAIN_KIND or job.project_name != project_name:
        raise errors.NotFound(f"The training job '{job_id}' was not found in project '{project_name}'.")
    before = lifecycle.request_cancel(context.db, job_id)
    if before in TERMINAL:
        raise errors.InvalidRequest(f"The training job '{job_id}' has already finished ({before}).")


@dataclass(frozen=True)
class TrainingJob:
    """A training job as the HTTP layers show it: the job and its training state."""

    record: JobRecord
    state: TrainingState


def list_jobs(context: AppContext, project_name: str, skip: int, top: int) -> tuple[list[TrainingJob], int]:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
    records, total = lifecycle.list_for_project(context.db, TRAIN_KIND, project_name, skip, top)
    return [TrainingJob(record, state_of(record)) for record in records], total


def get_job(context: AppContext, project_name: str, job_id: str) -> TrainingJob:
    record = authoring_jobs.get(context, job_id, (TRAIN_KIND,), project_name)
    return TrainingJob(record, state_of(record))
