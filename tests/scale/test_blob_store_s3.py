"""The blob store on S3 (moto's server), configured either way the README says: options or AWS variables."""

from __future__ import annotations

import json

import pytest

from customner.blobs import BlobStore
from customner.settings import Settings
from tests.scale.services import s3_bucket


def test_s3_through_customner_blob_options(monkeypatch: pytest.MonkeyPatch) -> None:
    with s3_bucket() as (url, options):
        monkeypatch.setenv("CUSTOMNER_BLOB_URL", url)
        monkeypatch.setenv("CUSTOMNER_BLOB_OPTIONS", json.dumps(options))
        settings = Settings()
        store = BlobStore(settings.resolved_blob_url, settings.resolved_blob_options)
        store.write_text("storage/c/a.txt", "Zoë 😀")
        assert BlobStore(url, options).read_text("storage/c/a.txt") == "Zoë 😀"
        assert store.list("storage/c") == ["a.txt"] and store.list_dirs("storage") == ["c"]


def test_s3_through_the_standard_aws_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    with s3_bucket() as (url, options):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", options["key"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", options["secret"])
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.setenv("AWS_ENDPOINT_URL", options["client_kwargs"]["endpoint_url"])
        store = BlobStore(url)
        store.write_text("exports/x.json", "{}")
        assert BlobStore(url, options).read_text("exports/x.json") == "{}"
