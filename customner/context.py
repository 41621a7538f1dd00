"""Everything a service or job function needs, built once per process from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from customner.blobs import BlobStore
from customner.jobs.engine import InProcessJobEngine, JobEngine
from customner.services.model_cache import ModelCache
from customner.settings import Settings
from customner.store.database import Database, migrate


@dataclass
class AppContext:
    settings: Settings
    db: Database
    blobs: BlobStore
    models: ModelCache
    jobs: JobEngine = field(init=False)

    @classmethod
    def create(cls, settings: Settings) -> AppContext:
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # the SQLite file and local blobs live there
        migrate(settings.resolved_database_url)
        blobs = BlobStore(settings.resolved_blob_url)
        context = cls(settings=settings, db=Database(settings.resolved_database_url), blobs=blobs,
                      models=ModelCache(blobs, capacity=settings.loaded_models))
        context.jobs = make_job_engine(context)
        return context


def make_job_engine(context: AppContext) -> JobEngine:
    """Pick the engine named in settings; the in-process one is the embedded default."""
    name = context.settings.job_engine
    if name == "inprocess":
        # Import the job functions so they register themselves.
        import customner.services.jobs_registry  # noqa: F401

        return InProcessJobEngine(
            context, workers=context.settings.workers, heavy_workers=context.settings.training_workers
        )
    raise ValueError(f"unknown job engine {name!r}; available: inprocess")
