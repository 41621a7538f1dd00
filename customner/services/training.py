"""Training jobs: split the data, train through ``customner.ner``, evaluate on the test set, keep the model."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from customner import errors, ner
from customner.clock import iso_precise, utcnow
from customner.jobs import lifecycle
from customner.jobs.lifecycle import TERMINAL, Cancelled, JobStatus
from customner.jobs.registry import TRAINING, job_function
from customner.ner import metrics
from customner.ner.types import LabeledDocument, Span, TrainingRequest
from customner.services import authoring_jobs, evaluation, projects
from customner.services.documents import DocumentRecord, load_assets
from customner.services.models import delete_artifact_if_unused
from customner.services.names import MAX_MODELS, check_resource_name
from customner.services.transfer import snapshot_of
from customner.store.tables import Deployment, EvaluatedDocument, Job, Project, TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext

TRAIN_KIND = authoring_jobs.TRAIN_KIND
PROGRESS_INTERVAL_SECONDS = 0.5


@dataclass
class EvaluationOptions:
    kind: str = "percentage"
    training_split_percentage: int = 80
    testing_split_percentage: int = 20

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> EvaluationOptions:
        return cls(kind=wire.get("kind", "percentage"), training_split_percentage=wire.get("trainingSplitPercentage", 80),
                   testing_split_percentage=wire.get("testingSplitPercentage", 20))

    def to_wire(self) -> dict[str, Any]:
        if self.kind == "manual":
            return {"kind": "manual"}
        return {"kind": "percentage", "trainingSplitPercentage": self.training_split_percentage,
                "testingSplitPercentage": self.testing_split_percentage}


@dataclass
class TrainingOptions:
    model_label: str
    config_version: str = "latest"
    evaluation: EvaluationOptions = field(default_factory=EvaluationOptions)
    seed: int = 0


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
        job = authoring_jobs.build(context, TRAIN_KIND, project_name, scope=options.model_label, payload={
                          "modelLabel": options.model_label, "requestedConfigVersion": options.config_version,
                          "trainingConfigVersion": version, "seed": options.seed,
                          "evaluationOptions": options.evaluation.to_wire()})
        job.result = _result_state(job.payload, training=(JobStatus.NOT_STARTED, 0.0),
                                   evaluation=(JobStatus.NOT_STARTED, 0.0))
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


def _result_state(payload: dict[str, Any], *, training: tuple[str, float], evaluation: tuple[str, float],
                  started: str | None = None, training_end: str | None = None, evaluation_start: str | None = None,
                  evaluation_end: str | None = None, estimated_end: str | None = None) -> dict[str, Any]:
    training_state: dict[str, Any] = {"percentComplete": round(training[1]), "status": training[0]}
    if started:
        training_state["startDateTime"] = started
    if training_end:
        training_state["endDateTime"] = training_end
    evaluation_state: dict[str, Any] = {"percentComplete": round(evaluation[1]), "status": evaluation[0]}
    if evaluation_start:
        evaluation_state["startDateTime"] = evaluation_start
    if evaluation_end:
        evaluation_state["endDateTime"] = evaluation_end
    result = {"modelLabel": payload["modelLabel"], "trainingConfigVersion": payload["trainingConfigVersion"],
              "trainingStatus": training_state, "evaluationStatus": evaluation_state}
    if estimated_end:
        result["estimatedEndDateTime"] = estimated_end
    return result


def split(documents: list[DocumentRecord], options: EvaluationOptions) -> tuple[list[DocumentRecord], list[DocumentRecord]]:
    """Manual: the documents' own dataset. Percentage: a stable hash of the location, so reruns agree."""
    if options.kind == "manual":
        return ([d for d in documents if d.dataset != "Test"], [d for d in documents if d.dataset == "Test"])
    ranked = sorted(documents, key=lambda d: hashlib.sha256(d.location.encode()).hexdigest())
    test_size = max(1, round(len(ranked) * options.testing_split_percentage / 100)) if len(ranked) > 1 else 0
    test = {d.location for d in ranked[:test_size]}
    return [d for d in documents if d.location not in test], [d for d in documents if d.location in test]


def as_examples(records: list[DocumentRecord], default_language: str) -> list[LabeledDocument]:
    """One example per labeled region, with spans shifted to the region's start."""
    examples = []
    for record in records:
        for start, end, spans in record.region_spans():
            examples.append(LabeledDocument(
                text=record.text[start:end], language=record.language or default_language,
                spans=[Span(s.start - start, s.end - start, s.category) for s in spans]))
    return examples


class _Progress:
    """Writes percentComplete to the job row at most every half second; reports cancellation."""

    def __init__(self, context: AppContext, job_id: str, started: str) -> None:
        self.context, self.job_id, self.started = context, job_id, started
        self._last_write = 0.0
        self._cancelled = False
        self._t0 = time.monotonic()

    def training(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last_write < PROGRESS_INTERVAL_SECONDS and fraction < 1.0:
            return
        self._last_write = now
        estimated = None
        if fraction > 0.02:
            remaining = (now - self._t0) * (1 - fraction) / fraction
            estimated = iso_precise(utcnow() + timedelta(seconds=remaining * 1.15))
        self._cancelled = lifecycle.progress(
            self.context.db, self.job_id, fraction=fraction,
            update_result=lambda result: _result_state(
                result, training=(JobStatus.RUNNING, 100 * fraction), evaluation=(JobStatus.NOT_STARTED, 0.0),
                started=self.started, estimated_end=estimated))

    def should_stop(self) -> bool:
        return self._cancelled


@job_function(TRAIN_KIND, queue=TRAINING, resumable=False)
def run_training(context: AppContext, job_id: str) -> None:
    started = iso_precise(utcnow())
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        payload = job.payload
        project = projects.get_or_raise(session, job.project_name)
        language, multilingual, project_name = project.language, project.multilingual, project.name
        assets = load_assets(session, context.blobs, project)
    options = EvaluationOptions(
        kind=payload["evaluationOptions"]["kind"],
        training_split_percentage=payload["evaluationOptions"].get("trainingSplitPercentage", 80),
        testing_split_percentage=payload["evaluationOptions"].get("testingSplitPercentage", 20))
    # Documents nobody has labeled yet (uploaded in the Studio) would teach "no entities here".
    train_records, test_records = split([d for d in assets.documents if d.labeled], options)
    _check_data(train_records, test_records, options)
    model_id = model_id_for(job_id)
    artifact = f"models/{project_name}/{model_id}"
    progress = _Progress(context, job_id, started or "")
    progress.training(0.0)
    t0 = time.monotonic()
    try:
        with context.blobs.write_dir(artifact) as output_dir:
            report = ner.train(TrainingRequest(
                documents=as_examples(train_records, language), categories=assets.categories, language=language,
                multilingual=multilingual, output_dir=output_dir,
                config_version=payload["trainingConfigVersion"], seed=int(payload.get("seed", 0)),
                on_progress=progress.training, should_stop=progress.should_stop))
    except ner.TrainingCancelled as error:
        context.blobs.delete(artifact)
        raise Cancelled from error
    except BaseException:
        context.blobs.delete(artifact)
        raise
    training_seconds = time.monotonic() - t0
    training_end = iso_precise(utcnow())
    _set_state(context, job_id, payload, started, training_end, (JobStatus.RUNNING, 0.0))
    summary, evaluated = evaluate_test_set(context, artifact, model_id, assets.categories, train_records, test_records,
                                   language, options)
    # A cancel accepted after the last progress report still wins, as long as no model is stored.
    if lifecycle.cancel_requested(context.db, job_id):
        context.blobs.delete(artifact)
        raise Cancelled
    _store_model(context, project_name, payload, model_id, artifact, training_seconds, summary, evaluated,
                 snapshot_of(assets), report_dict(report))
    _set_state(context, job_id, payload, started, training_end, (JobStatus.SUCCEEDED, 100.0), done=True)


def model_id_for(job_id: str) -> str:
    """The model a training job writes, known from its id alone (so the sweeper spares a running training's folder)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"customner-training:{job_id}").hex


def report_dict(report: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(report)


def _check_data(train: list[DocumentRecord], test: list[DocumentRecord], options: EvaluationOptions) -> None:
    if not any(record.spans for record in train):
        raise errors.JobFailure("The training set has no labeled entities; label some documents before training.",
                                code="InvalidRequest")
    if not test:
        hint = ("assign some documents to the Test set" if options.kind == "manual"
                else "add more documents")
        raise errors.JobFailure(f"The test set is empty, so the model cannot be evaluated; {hint}.",
                                code="InvalidRequest")


def evaluate_test_set(context: AppContext, artifact: str, model_id: str, categories: list[str],
                      train: list[DocumentRecord], test: list[DocumentRecord], language: str, options: EvaluationOptions
                      ) -> tuple[dict[str, Any], list[EvaluatedDocument]]:
    predictor = context.models.get(model_id, artifact)
    regions = [(record, start, end, spans) for record in test for start, end, spans in record.region_spans()]
    texts = [record.text[start:end] for record, start, end, _ in regions]
    predicted = predictor.predict(texts)
    gold = [[Span(s.start - start, s.end - start, s.category) for s in spans] for _, start, end, spans in regions]
    result = metrics.evaluate(gold, predicted, texts)
    train_counts = Counter(s.category for record in train for _, _, spans in record.region_spans() for s in spans)
    test_counts = Counter(s.category for _, _, _, spans in regions for s in spans)
    summary = evaluation.summary(result, categories, train_counts, test_counts, options.to_wire())
    by_location: dict[str, EvaluatedDocument] = {}
    for (record, start, end, _), expected, found in zip(regions, gold, predicted, strict=True):
        row = by_location.setdefault(record.location, EvaluatedDocument(
            model_id=model_id, location=record.location, language=record.language or language, regions=[]))
        row.regions = [*row.regions, {
            "start": start, "end": end,
            "expected": [{"category": s.category, "start": s.start + start, "end": s.end + start} for s in expected],
            "predicted": [{"category": e.category, "start": e.start + start, "end": e.end + start,
                           "confidence": e.confidence} for e in found]}]
    return summary, list(by_location.values())


def _store_model(context: AppContext, project_name: str, payload: dict[str, Any], model_id: str, artifact: str,
                 seconds: float, summary: dict[str, Any], evaluated: list[EvaluatedDocument],
                 snapshot: dict[str, Any], report: dict[str, Any]) -> None:
    now = utcnow()
    expiration = dict(ner.training_config_versions()).get(payload["trainingConfigVersion"])
    old: TrainedModel | None = None
    with context.db.session() as session:
        old = session.scalars(select(TrainedModel).where(
            TrainedModel.project_name == project_name, TrainedModel.label == payload["modelLabel"])).first()
        if old is not None:
            session.delete(old)
            session.flush()
        session.add(TrainedModel(
            id=model_id, project_name=project_name, label=payload["modelLabel"],
            config_version=payload["trainingConfigVersion"], artifact_path=artifact, trained_at=now,
            training_seconds=seconds, expiration_date=expiration or str(date.today() + timedelta(days=365)),
            evaluation_options=payload["evaluationOptions"], evaluation_summary=summary, snapshot=snapshot,
            training_report=report))
        session.flush()
        session.add_all(evaluated)
        project = session.get(Project, project_name)
        if project is not None:
            project.trained_at = now
        if old is not None:
            session.flush()
            delete_artifact_if_unused(context, session, old.id, old.artifact_path)


def _set_state(context: AppContext, job_id: str, payload: dict[str, Any], started: str | None, training_end: str | None,
               evaluation: tuple[str, float], done: bool = False) -> None:
    now = iso_precise(utcnow())
    lifecycle.progress(context.db, job_id, fraction=1.0 if done else None, result=_result_state(
        payload, training=(JobStatus.SUCCEEDED, 100.0), evaluation=evaluation, started=started,
        training_end=training_end, evaluation_start=training_end, evaluation_end=now if done else None))


def cancel(context: AppContext, project_name: str, job_id: str) -> None:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
    job = lifecycle.load(context.db, job_id)
    if job is None or job.kind != TRAIN_KIND or job.project_name != project_name:
        raise errors.NotFound(f"The training job '{job_id}' was not found in project '{project_name}'.")
    before = lifecycle.request_cancel(context.db, job_id)
    if before in TERMINAL:
        raise errors.InvalidRequest(f"The training job '{job_id}' has already finished ({before}).")


def list_jobs(context: AppContext, project_name: str, skip: int, top: int) -> tuple[list[Job], int]:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
    return lifecycle.list_for_project(context.db, TRAIN_KIND, project_name, skip, top)


def sweep_partial_models(context: AppContext) -> list[str]:
    """Remove model folders no model, deployment or running training owns (a training killed with kill -9)."""
    candidates = [f"models/{project}/{model}" for project in context.blobs.list_dirs("models")
                  for model in context.blobs.list_dirs(f"models/{project}")]
    if not candidates:
        return []
    # Listed before the owners are read, and running trainings read before models: a training stores its
    # model before it ends, so a folder is always seen as owned by one or the other.
    owned = {f"models/{job.project_name}/{model_id_for(job.id)}" for job in lifecycle.active(context.db, TRAIN_KIND)}
    with context.db.session() as session:
        owned |= set(session.scalars(select(TrainedModel.artifact_path)).all())
        owned |= set(session.scalars(select(Deployment.artifact_path)).all())
    removed = [key for key in candidates if key not in owned]
    for key in removed:
        context.blobs.delete(key)
    return removed
