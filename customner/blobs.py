"""Blob storage for document texts, model artifacts and exports, through fsspec.

A local folder by default; any fsspec URL (``s3://bucket/prefix``, ``az://…``) at scale.
Keys are ``/``-separated paths relative to the root.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem


class UnsafeBlobKey(ValueError):
    """A key that would resolve outside the blob root (``..``, absolute, NUL, or a symlink leading out)."""


class BlobStore:
    def __init__(self, root_url: str, options: dict[str, object] | None = None, cache_dir: Path | None = None) -> None:
        options = dict(options or {})
        if "://" in root_url and not root_url.startswith(("file://", "memory://")):
            # Other processes write to a shared object store: a cached listing would hide their files.
            options.setdefault("use_listings_cache", False)
        self.fs, self.root = fsspec.core.url_to_fs(root_url, **options)
        self.fs.makedirs(self.root, exist_ok=True)
        # Where remote model folders are downloaded to (each process or machine keeps its own).
        self.cache_dir = cache_dir or Path(tempfile.gettempdir()) / "customner-blob-cache"
        # Where a model is written before its upload: upload-<pid>-…, so a dead process's leftovers are known.
        self.staging_dir = self.cache_dir.parent / "upload-staging"

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
        return self._names(prefix, "file")

    def list_dirs(self, prefix: str) -> list[str]:
        """Names of the folders directly under ``prefix``."""
        return self._names(prefix, "directory")

    def _names(self, prefix: str, kind: str) -> list[str]:
        path = self._path(prefix)
        if not self.fs.exists(path):
            return []
        return sorted(
            posixpath.basename(entry["name"].rstrip("/"))
            for entry in self.fs.ls(path, detail=True)
            if entry["type"] == kind
        )

    def _local_path(self, key: str) -> Path | None:
        return Path(self._path(key)) if isinstance(self.fs, LocalFileSystem) else None

    def read_dir(self, key: str) -> Path:
        """A local folder with the contents of ``key``; remote folders are downloaded to a cache once."""
        local = self._local_path(key)
        if local is not None:
            return local
        cache = self.cache_dir / key
        if not cache.exists():
            cache.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix="download-", dir=self.cache_dir))
            self.fs.get(self._path(key) + "/", str(staging) + "/", recursive=True)
            try:
                staging.rename(cache)
            except OSError:  # another process finished the same download first
                shutil.rmtree(staging, ignore_errors=True)
        return cache

    @contextmanager
    def write_dir(self, key: str) -> Iterator[Path]:
        """A local folder to fill; on a remote store it is uploaded to ``key`` when the block ends."""
        local = self._local_path(key)
        if local is not None:
            local.mkdir(parents=True, exist_ok=True)
            yield local
            return
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"upload-{os.getpid()}-", dir=self.staging_dir) as staging:
            yield Path(staging)
            self.fs.put(staging + "/", self._path(key) + "/", recursive=True)

    def sweep_staging(self) -> list[str]:
        """Remove the upload folders of processes that no longer run (a training killed with ``kill -9``)."""
        if not self.staging_dir.is_dir():
            return []
        removed = []
        for folder in self.staging_dir.glob("upload-*-*"):
            pid = folder.name.split("-")[1]
            if pid.isdigit() and not _process_exists(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
        return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
