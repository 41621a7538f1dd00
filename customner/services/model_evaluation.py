"""Re-evaluate a trained model on the project's current data (Azure's ``models/{label}/:evaluate``, 2023-04-15-preview).

The model is not retrained: the project's labeled documents are split as asked, the model predicts the test
set, and the result replaces the model's evaluation summary and per-document results. Test documents that the
model was trained on make the scores optimistic; the job says how many in a warning instead of hiding it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete

from customner import errors, ner
from customner.jobs.lifecycle import JobRecord
from customner.jobs.registry import job_function
from customner.jobs.status import JobStatus
from customner.services import authoring_jobs, projects, training
from customner.services.documents import load_assets
from customner.services.evaluation import EvaluationOptions
from customner.services.models import get_model_or_raise, snapshot_assets
from customner.store.tables import EvaluatedDocument

if TYPE_CHECKING:
    from customner.context import AppContext

EVALUATE_KIND = "evaluate-model"


class EvaluationJobPayload(BaseModel):
    """What an evaluation job re-evaluates and how it splits the data; rows store its dump."""

    model_config = ConfigDict(frozen=True)

    model_label: str
    training_config_version: str
    evaluation_options: EvaluationOptions


class EvaluationJobState(EvaluationJobPayload):
    """What an evaluation job shows: its request and how far it is."""

    percent_complete: int


def submit(context: AppContext, project_name: str, label: str, options: EvaluationOptions) -> str:
    training.check_evaluation_options(options)
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        model = get_model_or_raise(session, project_name, label)
        config_version = model.config_version
    payload = EvaluationJobPayload(model_label=label, training_config_version=config_version, evaluation_options=options)
    return authoring_jobs.submit(context, EVALUATE_KIND, project_name, payload.model_dump(mode="json"), scope=label)


def state_of(job: JobRecord) -> EvaluationJobState:
    """The job's request and its progress; a succeeded job is complete whatever progress it last wrote."""
    done = job.status == JobStatus.SUCCEEDED
    return EvaluationJobState(**dict(EvaluationJobPayload.model_validate(job.payload)),
                              percent_complete=100 if done else round(100 * job.progress))


@job_function(EVALUATE_KIND)
def run_evaluate(context: AppContext, job_id: str) -> None:
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        payload = EvaluationJobPayload.model_validate(job.payload)
        project = projects.get_or_raise(session, str(job.project_name))
        language = project.language
        assets = load_assets(session, context.blobs, project)
        model = get_model_or_raise(session, project.name, payload.model_label)
        model_id, artifact, categories = model.id, model.artifact_path, snapshot_assets(model).categories
        trained_options = EvaluationOptions.model_validate(model.evaluation_options or {})
        seen, _ = training.split(snapshot_assets(model).documents, trained_options)
    options = payload.evaluation_options
    train, test = training.split([d for d in assets.documents if d.labeled], options)
    if not test:
        hint = "assign some documents to the Test set" if options.kind == "manual" else "add more labeled documents"
        raise errors.JobFailure(f"The test set is empty, so the model cannot be evaluated; {hint}.", code="InvalidRequest")
    # A predictor of its own: re-evaluating must not evict a deployed model from the serving cache.
    predictor = ner.load(context.blobs.read_dir(artifact))
    summary, evaluated = training.evaluate_test_set(predictor, model_id, categories, train, test, language, options)
    trained_on = {record.location for record in seen}
    overlap = sum(record.location in trained_on for record in test)
    warnings = [] if not overlap else [{
        "code": "TestDocumentsSeenInTraining",
        "message": f"{overlap} of the {len(test)} test documents were in this model's training set, "
                   "so these scores are optimistic."}]
    with context.db.session() as session:
        model = get_model_or_raise(session, project.name, payload.model_label)
        if model.id != model_id:  # retrained meanwhile: this evaluation describes a model that no longer exists
            raise errors.JobFailure(f"Model '{model.label}' was retrained while it was being evaluated; evaluate it again.",
                                    code="Conflict")
        model.evaluation_summary = summary.model_dump(mode="json")
        model.evaluation_options = options.model_dump(mode="json")
        session.execute(delete(EvaluatedDocument).where(EvaluatedDocument.model_id == model_id))
        session.add_all(evaluated)
        row = authoring_jobs.load(session, job_id)
        row.warnings, row.progress = warnings, 1.0
