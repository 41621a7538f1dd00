"""Blob storage for document texts, model artifacts and exports, through fsspec.

A local folder by default; any fsspec URL (``s3://bucket/prefix``, ``az://…``) at scale.
Keys are ``/``-separated paths relative to the root.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem


class UnsafeBlobKey(ValueError):
    """A key that would resolve outside the blob root (``..``, absolute, NUL, or a symlink leading out)."""


class BlobStore:
    def __init__(self, root_url: str) -> None:
        self.fs, self.root = fsspec.core.url_to_fs(root_url)
        self.fs.makedirs(self.root, exist_ok=True)

    def _path(self, key: str) -> str:
        """The store path of ``key``; refuses anything that could resolve outside the root."""
        parts = key.split("/")
        if (not key or key.startswith("/") or "\\" in key or "\x00" in key
                or any(part in ("", ".", "..") for part in parts)):
            raise UnsafeBlobKey(f"invalid blob key {key!r}")
        path = posixpath.join(self.root, key)
        if isinstance(self.fs, LocalFileSystem):
            # A symlink inside the tree must not lead out of it.
            root = os.path.realpath(self.root)
            if os.path.commonpath([root, os.path.realpath(path)]) != root:
                raise UnsafeBlobKey(f"blob key {key!r} resolves outside the blob root")
        return path

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self._path(key)))

    def read_bytes(self, key: str) -> bytes:
        with self.fs.open(self._path(key), "rb") as handle:
            data: bytes = handle.read()
        return data

    def read_text(self, key: str) -> str:
        return self.read_bytes(key).decode("utf-8-sig")

    def write_text(self, key: str, text: str) -> None:
        self.write_bytes(key, text.encode("utf-8"))

    def write_bytes(self, key: str, data: bytes) -> None:
        path = self._path(key)
        self.fs.makedirs(posixpath.dirname(path), exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            handle.write(data)

    def delete(self, key: str) -> None:
        path = self._path(key)
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)

    def list(self, prefix: str) -> list[str]:
        """Names of the files directly under ``prefix`` (not recursive)."""
        path = self._path(prefix)
        if not self.fs.exists(path):
            return []
        return sorted(
            posixpath.basename(entry["name"].rstrip("/"))
            for entry in self.fs.ls(path, detail=True)
            if entry["type"] == "file"
        )

    def _local_path(self, key: str) -> Path | None:
        return Path(self._path(key)) if isinstance(self.fs, LocalFileSystem) else None

    def read_dir(self, key: str) -> Path:
        """A local folder with the contents of ``key``; remote folders are downloaded to a cache once."""
        local = self._local_path(key)
        if local is not None:
            return local
        cache = Path(tempfile.gettempdir()) / "customner-blob-cache" / key
        if not cache.exists():
            staging = Path(tempfile.mkdtemp(prefix="download-"))
            self.fs.get(self._path(key) + "/", str(staging) + "/", recursive=True)
            cache.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(cache)
        return cache

    @contextmanager
    def write_dir(self, key: str) -> Iterator[Path]:
        """A local folder to fill; on a remote store it is uploaded to ``key`` when the block ends."""
        local = self._local_path(key)
        if local is not None:
            local.mkdir(parents=True, exist_ok=True)
            yield local
            return
        with tempfile.TemporaryDirectory(prefix="upload-") as staging:
            yield Path(staging)
            self.fs.put(staging + "/", self._path(key) + "/", recursive=True)
