"""Everything a service or job function needs, built once per process from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from customner.blobs import BlobStore
from customner.jobs.engine import InProcessJobEngine, JobEngine
from customner.jobs.registry import JobRegistry
from customner.services.model_cache import ModelCache
from customner.settings import Settings
from customner.store.database import Database, migrate

ENGINES = ("inprocess", "celery")


@dataclass
class AppContext:
    settings: Settings
    db: Database
    blobs: BlobStore
    models: ModelCache
    jobs: JobEngine = field(init=False)

    @classmethod
    def create(cls, settings: Settings, registry: JobRegistry) -> AppContext:
        """Build the context with the job kinds ``registry`` names (``customner.assembly`` assembles it)."""
        if settings.job_engine not in ENGINES:
            raise ValueError(f"unknown job engine {settings.job_engine!r}; available: {', '.join(ENGINES)}")
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # the SQLite file and local blobs live there
        migrate(settings.resolved_database_url)
        blobs = BlobStore(settings.resolved_blob_url, settings.resolved_blob_options,
                          cache_dir=settings.data_dir.resolve() / "model-cache")
        context = cls(settings=settings, db=Database(settings.resolved_database_url), blobs=blobs,
                      models=ModelCache(blobs, capacity=settings.loaded_models))
        context.jobs = make_job_engine(context, registry)
        return context


def make_job_engine(context: AppContext, registry: JobRegistry) -> JobEngine:
    """Pick the engine named in settings; the in-process one is the embedded default."""
    if context.settings.job_engine == "celery":
        from customner.jobs.celery_engine import CeleryJobEngine  # needs the [scale] extra

        return CeleryJobEngine(context, registry)
    return InProcessJobEngine(
        context, registry, workers=context.settings.workers, heavy_workers=context.settings.training_workers
    )
