"""Job kinds: the function that runs each, its queue, and whether it may run twice.

Services mark their job functions with ``@job_function``; nothing is registered at import time. The
registry is assembled where the app and the worker are built (``customner.assembly``), so importing a
service never pulls in the others and the engine knows only what it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from customner.jobs.status import JobStatus

if TYPE_CHECKING:
    from customner.context import AppContext

# Returns the terminal status the function gave the job itself, or None for the runner to mark it succeeded.
JobFunction = Callable[["AppContext", str], JobStatus | None]
Sweeper = Callable[["AppContext"], object]

# Separate queues, so a training never delays an analysis and a worker can serve one queue only.
RUNTIME = "runtime"
AUTHORING = "authoring"
TRAINING = "training"
QUEUES = (RUNTIME, AUTHORING, TRAINING)


@dataclass(frozen=True)
class JobKind:
    kind: str
    function: JobFunction
    queue: str = AUTHORING
    # False for kinds unsafe to run twice (training): a lost run is failed, never restarted.
    resumable: bool = True


def job_function(kind: str, *, queue: str = AUTHORING, resumable: bool = True) -> Callable[[JobFunction], JobFunction]:
    """Mark a function ``(context, job_id)`` as the runner of ``kind``; ``JobRegistry.of`` collects it."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; queues: {', '.join(QUEUES)}")

    def mark(function: JobFunction) -> JobFunction:
        function.job_kind = JobKind(kind, function, queue, resumable)  # type: ignore[attr-defined]
        return function

    return mark


@dataclass
class JobRegistry:
    kinds: dict[str, JobKind] = field(default_factory=dict)
    # Periodic clean-ups that own blob conventions (export files, partial model folders).
    sweepers: list[Sweeper] = field(default_factory=list)

    @classmethod
    def of(cls, functions: Iterable[JobFunction], sweepers: Iterable[Sweeper] = ()) -> JobRegistry:
        registry = cls(sweepers=list(sweepers))
        for function in functions:
            spec: JobKind = function.job_kind  # type: ignore[attr-defined]
            if spec.kind in registry.kinds:
                raise ValueError(f"job kind {spec.kind!r} registered twice")
            registry.kinds[spec.kind] = spec
        return registry

    def get(self, kind: str) -> JobKind | None:
        return self.kinds.get(kind)

    def queue_of(self, kind: str) -> str:
        spec = self.kinds.get(kind)
        return spec.queue if spec is not None else AUTHORING

    def resumable(self, kind: str) -> bool:
        spec = self.kinds.get(kind)
        return spec is None or spec.resumable
