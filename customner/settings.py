"""Typed settings, read from ``CUSTOMNER_*`` environment variables."""

from __future__ import annotations

import json
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

API_KEY_FILE = "api-key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTOMNER_", extra="ignore")

    data_dir: Path = Path("./customner-data")
    api_key: str | None = None
    # Absolute base URL clients should use in operation-location; derived from the request when unset.
    public_url: str | None = None
    database_url: str | None = None
    # fsspec URL of the blob root: storage/<container>/<file>.txt, models/, exports/. The data dir by default.
    blob_url: str | None = None
    # JSON object of fsspec options for the blob store, e.g. {"client_kwargs": {"endpoint_url": "http://…"}} for S3.
    blob_options: str | None = None
    # "inprocess" (threads in ``serve``) or "celery" (``customner worker`` processes; pip install ".[scale]").
    job_engine: str = "inprocess"
    # Celery broker: Redis by default; RabbitMQ by URL (amqp://guest:guest@127.0.0.1:5672//).
    broker_url: str = "redis://127.0.0.1:6379/0"
    # A running job's worker writes a heartbeat this often; one silent for job_stale_seconds was lost.
    job_heartbeat_seconds: float = 5.0
    job_stale_seconds: float = 30.0
    # How often expired jobs, export files and partial model folders are swept.
    sweep_seconds: float = 300.0
    # "text" or "json" (one JSON object per log line).
    log_format: str = "text"
    workers: int = 4
    training_workers: int = 1
    runtime_job_ttl_hours: float = 24.0
    authoring_job_ttl_days: float = 7.0
    # Models kept loaded in memory at once; least recently used ones are dropped.
    loaded_models: int = 4
    # A Studio session ends after this long without a request.
    session_idle_hours: float = 8.0
    # Accept the key in a ?subscription-key= query parameter too (off: query strings end up in logs and history).
    allow_query_key: bool = False
    # Backpressure: runtime jobs waiting to start before a submission is answered 429 with Retry-After.
    max_queued_jobs: int = 100
    # Submissions (POST/PUT/PATCH/DELETE) per minute per key, per API process; unset means no limit.
    # Azure's S tier allows 1,000 prediction calls a minute. Reading job results is never limited.
    rate_limit: int | None = None
    # Request bodies, refused while they stream in: most requests (a 25-document batch of 125,000 characters
    # fits even fully \u-escaped), imports and Studio uploads, and one storage-container file.
    max_body_bytes: int = 2 * 1024 * 1024
    max_import_bytes: int = 100 * 1024 * 1024
    max_file_bytes: int = 4 * 128_000 + 3
    # Which ONNX model a transformer deployment answers with: "auto" (int8 where it was trained so) or "fp32" (the
    # fp32 model kept from config 2026-12-27: confidences that do not depend on the CPU's kernels, slower; from
    # 2027-01-03 the int8 model's do not either). The loader reads the variable itself
    # (customner.ner.recipes.transformer); declared here so a wrong value stops the server at start.
    ner_precision: Literal["auto", "fp32"] = "auto"

    @cached_property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'customner.db').resolve()}"

    @cached_property
    def resolved_blob_url(self) -> str:
        return self.blob_url or str(self.data_dir.resolve())

    @cached_property
    def resolved_blob_options(self) -> dict[str, object]:
        if not self.blob_options:
            return {}
        options = json.loads(self.blob_options)
        if not isinstance(options, dict):
            raise ValueError("CUSTOMNER_BLOB_OPTIONS must be a JSON object")
        return options

    def ensure_api_key(self) -> tuple[str, bool]:
        """The accepted key, and whether it was generated just now (so the caller prints it once)."""
        if self.api_key:
            return self.api_key, False
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.data_dir / API_KEY_FILE
        if key_file.exists():
            return key_file.read_text().strip(), False
        key = secrets.token_hex(16)
        key_file.write_text(key + "\n")
        key_file.chmod(0o600)
        return key, True


def read_settings(**overrides: object) -> Settings:
    """Settings from the environment; a wrong value is a ValueError naming its variable (not a traceback)."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = [f"CUSTOMNER_{'_'.join(str(part) for part in e['loc']).upper()}: {e['msg']} (got {e.get('input')!r})"
                    for e in error.errors()]
        raise ValueError("; ".join(problems)) from None
