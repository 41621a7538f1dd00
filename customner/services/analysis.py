"""Runtime analysis jobs: validate a batch, run custom NER tasks, keep results for polling.

Both runtime surfaces (v3.2-preview.2 and GA) submit here and read the same job rows.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from customner import errors
from customner.clock import iso_precise, utcnow
from customner.jobs import lifecycle
from customner.jobs.lifecycle import TERMINAL, Cancelled, JobRecord, JobStatus
from customner.jobs.registry import RUNTIME, job_function
from customner.ner.offsets import OffsetMapper, StringIndexType
from customner.services.names import text_problem
from customner.store.tables import Deployment, Project

if TYPE_CHECKING:
    from customner.context import AppContext

MAX_DOCUMENTS = 25
MAX_CHARACTERS = 125_000
ANALYSIS_KIND = "analyze"


@dataclass
class AnalysisDocument:
    id: str
    text: str
    language: str | None = None


@dataclass
class CustomEntityTask:
    name: str
    project_name: str
    deployment_name: str
    string_index_type: str = StringIndexType.TEXT_ELEMENTS.value
    logging_opt_out: bool = False


def submit(
    context: AppContext, *, documents: list[AnalysisDocument], tasks: list[CustomEntityTask],
    display_name: str | None, surface: str, cancel_after: float | None = None,
) -> str:
    """Validate the batch as Azure does and queue the job; returns the job id.

    ``cancel_after`` (GA 2025-11-01): seconds after submission at which a job not yet completed is cancelled;
    it is checked before each task, so the job ends ``cancelled`` at the first task boundary past the deadline.
    """
    _validate_batch(documents)
    if not tasks:
        raise errors.InvalidRequest(
            "Invalid Request.", inner_code="MissingInputDocuments",
            inner_message="The request must contain at least one customEntityRecognition task.",
        )
    _check_queue(context)
    job_id = str(uuid.uuid4())
    lifecycle.create(
        context.db, ANALYSIS_KIND, job_id=job_id, ttl=timedelta(hours=context.settings.runtime_job_ttl_hours),
        payload={
            "displayName": display_name, "surface": surface,
            "documents": [asdict(document) for document in documents],
            "tasks": [asdict(task) for task in tasks], "cancelAfter": cancel_after,
        },
        result={"tasks": [_task_state(task, JobStatus.NOT_STARTED) for task in tasks]},
    )
    context.jobs.enqueue(job_id, ANALYSIS_KIND)
    return job_id


def _check_queue(context: AppContext) -> None:
    """Backpressure: past ``max_queued_jobs`` waiting jobs, a submission is refused with 429 and Retry-After."""
    limit = context.settings.max_queued_jobs
    waiting = lifecycle.count_waiting(context.db, ANALYSIS_KIND)
    if waiting >= limit:
        raise errors.TooManyRequests(
            f"Too many analysis jobs are waiting ({waiting}, the limit is {limit}). Please retry after the "
            "Retry-After seconds; jobs already submitted keep running.", retry_after=2)


def _validate_batch(documents: list[AnalysisDocument]) -> None:
    if not documents:
        raise errors.InvalidRequest(
            "Invalid Request.", inner_code="MissingInputDocuments", inner_message="Missing input documents."
        )
    if len(documents) > MAX_DOCUMENTS:
        raise errors.InvalidDocumentBatch(
            "Invalid document in request.",
            inner_message=f"Batch request contains too many records. Max {MAX_DOCUMENTS} records are permitted.",
        )
    ids = [document.id for document in documents]
    if any(not document_id for document_id in ids):
        raise errors.InvalidRequest(
            "Invalid document in request.", inner_code="InvalidDocument",
            inner_message="Every document must have a non-empty id.",
        )
    if len(set(ids)) != len(ids):
        raise errors.InvalidRequest(
            "Invalid document in request.", inner_code="InvalidDocument",
            inner_message="Request contains duplicated Ids. Make sure each document has a unique Id.",
        )
    for document in documents:
        problem = text_problem(document.text)
        if problem:
            raise errors.InvalidRequest(
                "Invalid document in request.", inner_code="InvalidDocument",
                inner_message=f"Document '{document.id}' {problem}.")
    if all(not document.text.strip() for document in documents):
        raise errors.InvalidDocumentBatch("Invalid Document in request.", inner_message="Document text is empty.")
    characters = sum(text_elements(document.text) for document in documents)
    if characters > MAX_CHARACTERS:
        raise errors.InvalidDocumentBatch(
            "Invalid document in request.",
            inner_message=(
                f"Request Payload sent is too large to be processed. The documents contain {characters} "
                f"characters; the limit is {MAX_CHARACTERS} characters per request."
            ),
        )


def text_elements(text: str) -> int:
    return OffsetMapper(text, StringIndexType.TEXT_ELEMENTS).length()


def _task_state(task: CustomEntityTask, status: str) -> dict[str, Any]:
    return {
        "name": task.name, "projectName": task.project_name, "deploymentName": task.deployment_name,
        "status": status, "lastUpdate": iso_precise(utcnow()),
    }


def get(context: AppContext, job_id: str) -> JobRecord:
    job = lifecycle.load(context.db, job_id)
    if job is None or job.kind != ANALYSIS_KIND or job.expires_at < utcnow():
        raise errors.NotFound(
            "The specified job was not found.", inner_code="NotFound",
            inner_message=f"Job '{job_id}' does not exist or has expired.",
        )
    return job


def cancel(context: AppContext, job_id: str) -> None:
    get(context, job_id)
    before = lifecycle.request_cancel(context.db, job_id, cancelled_result=lambda result: {
        "tasks": [dict(task, status=JobStatus.CANCELLED) for task in result["tasks"]]})
    if before in TERMINAL:
        # Azure's exact answer (its SDK test recordings): no innererror, and "its" as Azure spells it.
        raise errors.InvalidRequest(f"Failed to cancel job with job id {job_id} as its already completed.")


@job_function(ANALYSIS_KIND, queue=RUNTIME)
def run_analysis(context: AppContext, job_id: str) -> None:
    job = lifecycle.load_running(context.db, job_id)
    payload = job.payload
    cancel_after = payload.get("cancelAfter")
    deadline = None if cancel_after is None else job.created_at + timedelta(seconds=float(cancel_after))
    documents = [AnalysisDocument(**document) for document in payload["documents"]]
    tasks = [CustomEntityTask(**task) for task in payload["tasks"]]
    results: list[dict[str, Any]] = []
    for index, task in enumerate(tasks):
        if lifecycle.cancel_requested(context.db, job_id) or (deadline is not None and utcnow() >= deadline):
            _save_results(context, job_id, results + [_task_state(t, JobStatus.CANCELLED) for t in tasks[index:]])
            raise Cancelled
        results.append(_run_task(context, task, documents, index, payload["surface"]))
        pending = [_task_state(t, JobStatus.RUNNING) for t in tasks[index + 1 :]]
        _save_results(context, job_id, results + pending)
    _finish(context, job_id, results)


def _run_task(
    context: AppContext, task: CustomEntityTask, documents: list[AnalysisDocument], index: int, surface: str
) -> dict[str, Any]:
    state = _task_state(task, JobStatus.SUCCEEDED)
    try:
        model_id, artifact = _resolve_deployment(context, task)
        predictor = context.models.get(model_id, artifact)
    except errors.ServiceError as error:
        pointer = f"#/tasks/items/{index}" if surface == "ga" else f"#/tasks/customEntityRecognitionTasks/{index}"
        return dict(state, status=JobStatus.FAILED, error=dict(error.to_dict(), target=pointer))
    valid = [document for document in documents if document.text.strip()]
    predictions = predictor.predict([document.text for document in valid])
    by_id = dict(zip((document.id for document in valid), predictions, strict=True))
    unit = StringIndexType.parse(task.string_index_type)
    state["documents"], state["errors"] = [], []
    for document in documents:
        if document.id not in by_id:
            state["errors"].append({"id": document.id, "error": {
                "code": "InvalidArgument", "message": "Invalid Document in request.",
                "innererror": {"code": "InvalidDocument", "message": "Document text is empty."}}})
            continue
        # One grapheme segmentation serves both the statistics and, when asked for, the offsets.
        elements = OffsetMapper(document.text, StringIndexType.TEXT_ELEMENTS)
        mapper = elements if unit is StringIndexType.TEXT_ELEMENTS else OffsetMapper(document.text, unit)
        entities = []
        for entity in by_id[document.id]:
            offset, length = mapper.span(entity.start, entity.end)
            entities.append({
                "text": document.text[entity.start : entity.end], "category": entity.category,
                "offset": offset, "length": length, "confidenceScore": round(float(entity.confidence), 4),
            })
        characters = elements.length()
        state["documents"].append({
            "id": document.id, "entities": entities, "warnings": [],
            "statistics": {"charactersCount": characters, "transactionsCount": max(1, math.ceil(characters / 1000))},
        })
    state["lastUpdate"] = iso_precise(utcnow())
    return state


def _resolve_deployment(context: AppContext, task: CustomEntityTask) -> tuple[str, str]:
    with context.db.session() as session:
        if session.get(Project, task.project_name) is None:
            raise errors.ProjectNotFound(
                f"The project '{task.project_name}' was not found. Project names are case-sensitive."
            )
        deployment = session.scalars(
            select(Deployment).where(
                Deployment.project_name == task.project_name, Deployment.name == task.deployment_name
            )
        ).first()
        if deployment is None:
            raise errors.NotFound(
                f"The deployment '{task.deployment_name}' was not found in project '{task.project_name}'. "
                "Deployment names are case-sensitive."
            )
        return deployment.model_id, deployment.artifact_path


def _save_results(context: AppContext, job_id: str, tasks: list[dict[str, Any]]) -> None:
    lifecycle.progress(context.db, job_id, result={"tasks": tasks})


def _finish(context: AppContext, job_id: str, tasks: list[dict[str, Any]]) -> None:
    failed = [task for task in tasks if task["status"] == JobStatus.FAILED]
    status = (JobStatus.FAILED if len(failed) == len(tasks)
              else JobStatus.PARTIALLY_COMPLETED if failed else JobStatus.SUCCEEDED)
    lifecycle.finish(context.db, job_id, status, result={"tasks": tasks}, errors=[task["error"] for task in failed])
