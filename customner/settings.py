"""Typed settings, read from ``CUSTOMNER_*`` environment variables."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

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
    job_engine: str = "inprocess"
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

    @cached_property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'customner.db').resolve()}"

    @cached_property
    def resolved_blob_url(self) -> str:
        return self.blob_url or str(self.data_dir.resolve())

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
