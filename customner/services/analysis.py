"""Runtime analysis jobs: validate a batch, run custom NER tasks, keep results for polling.

Both runtime surfaces (v3.2-preview.2 and GA) submit here and read the same job rows. The rows hold the domain
types below (snake_case, no wire names); ``api/`` renders them in each surface's Azure shape.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from customner import errors
from customner.clock import utcnow
from customner.jobs import lifecycle
from customner.jobs.lifecycle import Cancelled, JobRecord
from customner.jobs.registry import RUNTIME, job_function
from customner.jobs.status import TERMINAL, JobStatus
from customner.ner.offsets import OffsetMapper, StringIndexType
from customner.services.names import text_problem
from customner.store.tables import Deployment, Project

if TYPE_CHECKING:
    from customner.context import AppContext

MAX_DOCUMENTS = 25
MAX_CHARACTERS = 125_000
ANALYSIS_KIND = "analyze"
CHARACTERS_PER_TRANSACTION = 1000


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


class _Stored(BaseModel):
    """What a job row holds: frozen and strict, so a misspelt or wire-shaped field fails loudly."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class AnalysisRequest(_Stored):
    """The job's payload: what was submitted."""

    display_name: str | None
    documents: list[AnalysisDocument]
    tasks: list[CustomEntityTask]
    cancel_after: float | None = None
    submitted_via: str | None = None
    """The HTTP layer's name for the API surface that took the job; kept for it, never read here."""


class ErrorInfo(_Stored):
    """An error as data: its code and message, and the finer inner code when there is one."""

    code: str
    message: str
    inner_code: str | None = None
    inner_message: str | None = None

    @classmethod
    def of(cls, error: errors.ServiceError) -> ErrorInfo:
        inner = error.inner_message or error.message
        return cls(code=error.code, message=error.message, inner_code=error.inner_code,
                   inner_message=inner if error.inner_code else None)


class FoundEntity(_Stored):
    """One entity; ``offset`` and ``length`` count in the task's ``string_index_type``."""

    text: str
    category: str
    offset: int
    length: int
    confidence: float


class DocumentResult(_Stored):
    id: str
    entities: list[FoundEntity]
    characters: int  # text elements, what Azure bills

    @property
    def transactions(self) -> int:
        return max(1, math.ceil(self.characters / CHARACTERS_PER_TRANSACTION))


class DocumentError(_Stored):
    id: str
    error: ErrorInfo


class TaskOutcome(_Stored):
    """One task's state. ``documents`` is None until the task has run (and stays None when it failed)."""

    name: str
    project_name: str
    deployment_name: str
    status: JobStatus
    last_update: datetime
    documents: list[DocumentResult] | None = None
    document_errors: list[DocumentError] = []
    error: ErrorInfo | None = None

    @classmethod
    def waiting(cls, task: CustomEntityTask, status: JobStatus) -> TaskOutcome:
        return cls(name=task.name, project_name=task.project_name, deployment_name=task.deployment_name,
                   status=status, last_update=utcnow())


class AnalysisResult(_Stored):
    """The job's result: one outcome per task, in request order."""

    tasks: list[TaskOutcome]


@dataclass(frozen=True)
class TaskError:
    """A failed task's error and the task's position, from which each surface points at the task."""

    task_index: int
    error: ErrorInfo


@dataclass(frozen=True)
class AnalysisJob:
    """An analysis job as the HTTP layers and Studio see it."""

    id: str
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    display_name: str | None
    submitted_via: str | None
    document_ids: list[str]
    tasks: list[TaskOutcome]
    recorded_errors: list[dict[str, Any]]
    """Errors the job machinery recorded when the job function crashed (``jobs.runner``), as it writes them."""

    @classmethod
    def of(cls, record: JobRecord) -> AnalysisJob:
        request = AnalysisRequest.model_validate(record.payload)
        return cls(id=record.id, status=JobStatus(record.status), created_at=record.created_at,
                   updated_at=record.updated_at, expires_at=record.expires_at, display_name=request.display_name,
                   submitted_via=request.submitted_via,
                   document_ids=[document.id for document in request.documents],
                   tasks=AnalysisResult.model_validate(record.result).tasks,
                   recorded_errors=[error for error in record.errors if error])

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    @property
    def project_names(self) -> list[str]:
        return [task.project_name for task in self.tasks]

    @property
    def task_errors(self) -> list[TaskError]:
        """The job's errors when its tasks ended it (failed or partially completed) and nothing crashed:
        the failed tasks' errors. A running, cancelled or crashed job reports none of them."""
        if self.status not in (JobStatus.FAILED, JobStatus.PARTIALLY_COMPLETED) or self.recorded_errors:
            return []
        return [TaskError(index, task.error) for index, task in enumerate(self.tasks) if task.error is not None]

    @property
    def error_messages(self) -> list[str]:
        """The job's errors, for people."""
        return ([failure.error.message for failure in self.task_errors]
                + [str(error.get("message")) for error in self.recorded_errors])


def submit(
    context: AppContext, *, documents: list[AnalysisDocument], tasks: list[CustomEntityTask],
    display_name: str | None, cancel_after: float | None = None, submitted_via: str | None = None,
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
    request = AnalysisRequest(display_name=display_name, documents=documents, tasks=tasks, cancel_after=cancel_after,
                              submitted_via=submitted_via)
    lifecycle.create(
        context.db, ANALYSIS_KIND, job_id=job_id, ttl=timedelta(hours=context.settings.runtime_job_ttl_hours),
        payload=request.model_dump(mode="json"),
        result=_dump([TaskOutcome.waiting(task, JobStatus.NOT_STARTED) for task in tasks]),
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


def get(context: AppContext, job_id: str) -> AnalysisJob:
    job = lifecycle.load(context.db, job_id)
    if job is None or job.kind != ANALYSIS_KIND or job.expires_at < utcnow():
        raise errors.NotFound(
            "The specified job was not found.", inner_code="NotFound",
            inner_message=f"Job '{job_id}' does not exist or has expired.",
        )
    return AnalysisJob.of(job)


def cancel(context: AppContext, job_id: str) -> None:
    get(context, job_id)
    before = lifecycle.request_cancel(context.db, job_id, cancelled_result=_all_cancelled)
    if before in TERMINAL:
        # Azure's exact answer (its SDK test recordings): no innererror, and "its" as Azure spells it.
        raise errors.InvalidRequest(f"Failed to cancel job with job id {job_id} as its already completed.")


def _all_cancelled(result: dict[str, Any]) -> dict[str, Any]:
    tasks = AnalysisResult.model_validate(result).tasks
    return _dump([task.model_copy(update={"status": JobStatus.CANCELLED}) for task in tasks])


@job_function(ANALYSIS_KIND, queue=RUNTIME)
def run_analysis(context: AppContext, job_id: str) -> JobStatus | None:
    """Each task in turn; between tasks, the outcomes so far are saved (which also reads a cancel request).
    Every database round trip counts here: a 25-document job's model work takes a few tens of milliseconds."""
    job = lifecycle.load_running(context.db, job_id)
    request = AnalysisRequest.model_validate(job.payload)
    cancel_after = request.cancel_after
    deadline = None if cancel_after is None else job.created_at + timedelta(seconds=cancel_after)
    tasks = request.tasks
    outcomes: list[TaskOutcome] = []
    cancel = job.cancel_requested
    for index, task in enumerate(tasks):
        if cancel or (deadline is not None and utcnow() >= deadline):
            _save(context, job_id, outcomes + [TaskOutcome.waiting(t, JobStatus.CANCELLED) for t in tasks[index:]])
            raise Cancelled
        outcomes.append(_run_task(context, task, request.documents))
        if index + 1 < len(tasks):  # the last outcome is saved with the job's end
            cancel = _save(context, job_id, outcomes + [TaskOutcome.waiting(t, JobStatus.RUNNING)
                                                        for t in tasks[index + 1 :]])
    return _finish(context, job_id, outcomes)


_EMPTY_DOCUMENT = ErrorInfo(code="InvalidArgument", message="Invalid Document in request.",
                            inner_code="InvalidDocument", inner_message="Document text is empty.")


def _run_task(context: AppContext, task: CustomEntityTask, documents: list[AnalysisDocument]) -> TaskOutcome:
    started = TaskOutcome.waiting(task, JobStatus.SUCCEEDED)
    try:
        model_id, artifact = _resolve_deployment(context, task)
        predictor = context.models.get(model_id, artifact)
    except errors.ServiceError as error:
        return started.model_copy(update={"status": JobStatus.FAILED, "error": ErrorInfo.of(error)})
    valid = [document for document in documents if document.text.strip()]
    predictions = predictor.predict([document.text for document in valid])
    by_id = dict(zip((document.id for document in valid), predictions, strict=True))
    unit = StringIndexType.parse(task.string_index_type)
    results: list[DocumentResult] = []
    problems: list[DocumentError] = []
    for document in documents:
        if document.id not in by_id:
            problems.append(DocumentError(id=document.id, error=_EMPTY_DOCUMENT))
            continue
        # One grapheme segmentation serves both the statistics and, when asked for, the offsets.
        elements = OffsetMapper(document.text, StringIndexType.TEXT_ELEMENTS)
        mapper = elements if unit is StringIndexType.TEXT_ELEMENTS else OffsetMapper(document.text, unit)
        entities = []
        for entity in by_id[document.id]:
            offset, length = mapper.span(entity.start, entity.end)
            entities.append(FoundEntity(text=document.text[entity.start : entity.end], category=entity.category,
                                        offset=offset, length=length, confidence=float(entity.confidence)))
        results.append(DocumentResult(id=document.id, entities=entities, characters=elements.length()))
    return started.model_copy(update={"documents": results, "document_errors": problems, "last_update": utcnow()})


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


def _dump(tasks: list[TaskOutcome]) -> dict[str, Any]:
    return AnalysisResult(tasks=tasks).model_dump(mode="json")


def _save(context: AppContext, job_id: str, tasks: list[TaskOutcome]) -> bool:
    """Save the outcomes so far; returns whether a cancel was requested."""
    return lifecycle.progress(context.db, job_id, result=_dump(tasks))


def _finish(context: AppContext, job_id: str, tasks: list[TaskOutcome]) -> JobStatus | None:
    """End the job with its tasks' outcomes; None when it had already ended (the runner then reads how)."""
    failed = sum(task.status == JobStatus.FAILED for task in tasks)
    status = (JobStatus.FAILED if failed == len(tasks)
              else JobStatus.PARTIALLY_COMPLETED if failed else JobStatus.SUCCEEDED)
    return status if lifecycle.finish(context.db, job_id, status, result=_dump(tasks)) else None
