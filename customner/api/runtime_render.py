"""Render an analysis job in each runtime surface's Azure shape. Paging is per task, over input order.

The job comes from ``services.analysis`` as domain types; every Azure field name of a runtime job is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from customner.api.surfaces import RUNTIME_GA, RUNTIME_SURFACES, RUNTIME_V32, Surface
from customner.clock import iso_precise, iso_seconds
from customner.jobs.status import JobStatus
from customner.services.analysis import AnalysisJob, DocumentResult, ErrorInfo, TaskOutcome

DEFAULT_PAGE = 20

_PENDING = (JobStatus.NOT_STARTED, JobStatus.RUNNING)


@dataclass
class ResultPage:
    skip: int
    top: int
    show_stats: bool


def error_object(error: ErrorInfo, target: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.inner_code is not None:
        body["innererror"] = {"code": error.inner_code, "message": error.inner_message}
    if target is not None:
        body["target"] = target
    return body


def _document(document: DocumentResult, show_stats: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"id": document.id, "entities": [
        {"text": entity.text, "category": entity.category, "offset": entity.offset, "length": entity.length,
         "confidenceScore": round(entity.confidence, 4)}
        for entity in document.entities], "warnings": []}
    if show_stats:
        body["statistics"] = {"charactersCount": document.characters, "transactionsCount": document.transactions}
    return body


def _batch_statistics(documents: list[DocumentResult], erroneous: int) -> dict[str, int]:
    return {"documentsCount": len(documents) + erroneous, "validDocumentsCount": len(documents),
            "erroneousDocumentsCount": erroneous,
            "transactionsCount": sum(document.transactions for document in documents)}


def _task_results(task: TaskOutcome, ids: list[str], page: ResultPage) -> dict[str, Any] | None:
    names = {"projectName": task.project_name, "deploymentName": task.deployment_name}
    if task.status == JobStatus.CANCELLED:
        return {"documents": [], "errors": [], **names}
    if task.documents is None:
        return None
    wanted = set(ids[page.skip : page.skip + page.top])
    documents = [document for document in task.documents if document.id in wanted]
    problems = [problem for problem in task.document_errors if problem.id in wanted]
    results: dict[str, Any] = {
        "documents": [_document(document, page.show_stats) for document in documents],
        "errors": [{"id": problem.id, "error": error_object(problem.error)} for problem in problems], **names}
    if page.show_stats:
        results["statistics"] = _batch_statistics(documents, len(problems))
    return results


def _counts(tasks: list[TaskOutcome]) -> dict[str, int]:
    completed = sum(task.status == JobStatus.SUCCEEDED for task in tasks)
    failed = sum(task.status == JobStatus.FAILED for task in tasks)
    pending = sum(task.status in _PENDING for task in tasks)
    return {"completed": completed, "failed": failed, "inProgress": pending, "total": len(tasks)}


def _request_statistics(tasks: list[TaskOutcome]) -> dict[str, int] | None:
    """Job-level ``statistics`` (showStats): the whole request, taken from the first task that ran."""
    for task in tasks:
        if task.documents is not None:
            return _batch_statistics(task.documents, len(task.document_errors))
    return None


def _task_pointer(job: AnalysisJob, surface: Surface) -> str:
    """A failed task's error points where the surface that took the job shows the task (else the one asked)."""
    pointer = RUNTIME_SURFACES.get(job.submitted_via or "", surface).task_pointer
    assert pointer is not None
    return pointer


def _envelope(job: AnalysisJob, page: ResultPage, surface: Surface) -> dict[str, Any]:
    pointer = _task_pointer(job, surface)
    task_errors = [error_object(failure.error, pointer.format(failure.task_index)) for failure in job.task_errors]
    body: dict[str, Any] = {
        "jobId": job.id, "createdDateTime": iso_seconds(job.created_at),
        "expirationDateTime": iso_seconds(job.expires_at), "status": job.status.value,
        "errors": [surface.dialect(error) for error in task_errors + job.recorded_errors],
    }
    if job.display_name is not None:
        body["displayName"] = job.display_name
    statistics = _request_statistics(job.tasks) if page.show_stats else None
    if statistics is not None:
        body["statistics"] = statistics
    return body


def poll_headers(job: AnalysisJob) -> dict[str, str]:
    """Retry-After on non-terminal polls: the SDKs sleep that long instead of their 5 s default."""
    return {} if job.finished else {"Retry-After": "1"}


def has_more(job: AnalysisJob, page: ResultPage) -> bool:
    return job.finished and page.skip + page.top < len(job.document_ids)


def render_ga(job: AnalysisJob, page: ResultPage) -> dict[str, Any]:
    """The GA body (``tasks.items``)."""
    items = []
    for task in job.tasks:
        if task.status in _PENDING:
            continue
        item: dict[str, Any] = {"kind": "CustomEntityRecognitionLROResults", "taskName": task.name,
                                "lastUpdateDateTime": iso_precise(task.last_update), "status": task.status.value}
        results = _task_results(task, job.document_ids, page)
        if results is not None:
            item["results"] = results
        items.append(item)
    body = _envelope(job, page, RUNTIME_GA)
    body["lastUpdatedDateTime"] = iso_seconds(job.updated_at)
    body["tasks"] = {**_counts(job.tasks), "items": items}
    return body


def render_v32(job: AnalysisJob, page: ResultPage) -> dict[str, Any]:
    """The real v3.2 shape, plus the seed document's ``tasks.tasks`` nesting and ``tasks.details`` block."""
    items = []
    name = job.display_name or "NA"
    for task in job.tasks:
        if task.status in _PENDING:
            continue
        item: dict[str, Any] = {"lastUpdateDateTime": iso_precise(task.last_update), "taskName": task.name,
                                "name": name, "state": task.status.value, "status": task.status.value}
        results = _task_results(task, job.document_ids, page)
        if results is not None:
            item["results"] = results
        items.append(item)
    body = _envelope(job, page, RUNTIME_V32)
    body["lastUpdateDateTime"] = iso_seconds(job.updated_at)
    body["tasks"] = {
        "details": {"name": name, "lastUpdateDateTime": iso_precise(job.updated_at), "status": job.status.value},
        **_counts(job.tasks), "customEntityRecognitionTasks": items, "tasks": {"customEntityRecognitionTasks": items},
    }
    return body


def preview_ga(job: AnalysisJob) -> dict[str, Any]:
    """The body a plain GA ``GET …/jobs/{id}`` answers (first page, no statistics): what Studio's Test page shows."""
    return render_ga(job, ResultPage(skip=0, top=DEFAULT_PAGE, show_stats=False))
