"""Reading authoring jobs (import, export, train, deploy, swap, deletion) by id, scoped as their URLs are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from customner import errors
from customner.clock import utcnow
from customner.store.tables import Job

if TYPE_CHECKING:
    from customner.context import AppContext


def get(context: AppContext, job_id: str, kinds: tuple[str, ...], project_name: str | None = None,
        scope: str | None = None) -> Job:
    with context.db.session() as session:
        job = session.get(Job, job_id)
    if (job is None or job.kind not in kinds or job.expires_at < utcnow()
            or (project_name is not None and job.project_name != project_name)
            or (scope is not None and job.scope != scope)):
        raise errors.NotFound(f"The job '{job_id}' was not found or has expired.", inner_code="NotFound")
    return job
