"""Render an analysis job for either runtime surface. Paging is per task, over input order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from customner.api.errors import for_v32
from customner.clock import iso_precise, iso_seconds
from customner.jobs.lifecycle import TERMINAL, JobRecord, JobStatus

DEFAULT_PAGE = 20

_PENDING = (JobStatus.NOT_STARTED, JobStatus.RUNNING)


@dataclass
class ResultPage:
    skip: int
    top: int
    show_stats: bool


def _page_documents(task: dict[str, Any], ids: list[str], page: ResultPage) -> dict[str, Any]:
    wanted = set(ids[page.skip : page.skip + page.top])
    documents = [dict(d) for d in task.get("documents", []) if d["id"] in wanted]
    task_errors = [e for e in task.get("errors", []) if e["id"] in wanted]
    results: dict[str, Any] = {"documents": documents, "errors": task_errors,
                               "projectName": task["projectName"], "deploymentName": task["deploymentName"]}
    if page.show_stats:
        results["statistics"] = {
            "documentsCount": len(documents) + len(task_errors), "validDocumentsCount": len(documents),
            "erroneousDocumentsCount": len(task_errors),
            "transactionsCount": sum(d["statistics"]["transactionsCount"] for d in documents),
        }
    else:
        for document in documents:
            document.pop("statistics", None)
    return results


def _counts(tasks: list[dict[str, Any]]) -> dict[str, int]:
    completed = sum(task["status"] == JobStatus.SUCCEEDED for task in tasks)
    failed = sum(task["status"] == JobStatus.FAILED for task in tasks)
    pending = sum(task["status"] in _PENDING for task in tasks)
    return {"completed": completed, "failed": failed, "inProgress": pending, "total": len(tasks)}


def _task_results(task: dict[str, Any], ids: list[str], page: ResultPage) -> dict[str, Any] | None:
    if task["status"] == JobStatus.CANCELLED:
        return {"documents": [], "errors": [], "projectName": task["projectName"], "deploymentName": task["deploymentName"]}
    if "documents" not in task:
        return None
    return _page_documents(task, ids, page)


def _request_statistics(tasks: list[dict[str, Any]]) -> dict[str, int] | None:
    """Job-level ``statistics`` (showStats): the whole request, taken from the first task that ran."""
    for task in tasks:
        if "documents" in task:
            valid, erroneous = len(task["documents"]), len(task.get("errors", []))
            return {"documentsCount": valid + erroneous, "validDocumentsCount": valid,
                    "erroneousDocumentsCount": erroneous,
                    "transactionsCount": sum(d["statistics"]["transactionsCount"] for d in task["documents"])}
    return None


def _envelope(job: JobRecord, page: ResultPage) -> dict[str, Any]:
    body: dict[str, Any] = {
        "jobId": job.id, "createdDateTime": iso_seconds(job.created_at),
        "expirationDateTime": iso_seconds(job.expires_at), "status": job.status,
        "errors": [error for error in job.errors if error],
    }
    if job.payload.get("displayName") is not None:
        body["displayName"] = job.payload["displayName"]
    statistics = _request_statistics(job.result.get("tasks", [])) if page.show_stats else None
    if statistics is not None:
        body["statistics"] = statistics
    return body


def poll_headers(job: JobRecord) -> dict[str, str]:
    """Retry-After on non-terminal polls: the SDKs sleep that long instead of their 5 s default."""
    return {} if job.status in TERMINAL else {"Retry-After": "1"}


def has_more(job: JobRecord, page: ResultPage) -> bool:
    return job.status in TERMINAL and page.skip + page.top < len(job.payload["documents"])


def render_ga(job: JobRecord, page: ResultPage) -> dict[str, Any]:
    ids = [document["id"] for document in job.payload["documents"]]
    tasks = job.result.get("tasks", [])
    items = []
    for task in tasks:
        if task["status"] in _PENDING:
            continue
        item: dict[str, Any] = {"kind": "CustomEntityRecognitionLROResults", "taskName": task["name"],
                                "lastUpdateDateTime": task["lastUpdate"], "status": task["status"]}
        results = _task_results(task, ids, page)
        if results is not None:
            item["results"] = results
        items.append(item)
    body = _envelope(job, page)
    body["lastUpdatedDateTime"] = iso_seconds(job.updated_at)
    body["tasks"] = {**_counts(tasks), "items": items}
    return body


def render_v32(job: JobRecord, page: ResultPage) -> dict[str, Any]:
    """The real v3.2 shape, plus the seed document's ``tasks.tasks`` nesting and ``tasks.details`` block."""
    ids = [document["id"] for document in job.payload["documents"]]
    tasks = job.result.get("tasks", [])
    items = []
    name = job.payload.get("displayName") or "NA"
    for task in tasks:
        if task["status"] in _PENDING:
            continue
        item: dict[str, Any] = {"lastUpdateDateTime": task["lastUpdate"], "taskName": task["name"], "name": name,
                                "state": task["status"], "status": task["status"]}
        results = _task_results(task, ids, page)
        if results is not None:
            item["results"] = results
        items.append(item)
    body = _envelope(job, page)
    body["errors"] = [for_v32(error) for error in body["errors"]]
    body["lastUpdateDateTime"] = iso_seconds(job.updated_at)
    body["tasks"] = {
        "details": {"name": name, "lastUpdateDateTime": iso_precise(job.updated_at), "status": job.status},
        **_counts(tasks), "customEntityRecognitionTasks": items, "tasks": {"customEntityRecognitionTasks": items},
    }
    return body
