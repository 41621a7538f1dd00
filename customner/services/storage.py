"""Storage containers: plain ``.txt`` blobs that import reads by name, like Azure Blob containers (PDF/DOCX as their text)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from customner import errors
from customner.services import sources
from customner.services.names import MAX_DOCUMENT_CHARACTERS, container_key, container_prefix

if TYPE_CHECKING:
    from customner.context import AppContext

def put_text(context: AppContext, container: str, name: str, data: bytes) -> bool:
    """Store a UTF-8 text file, or a PDF's / .docx's extracted text with its page map; returns whether it was new."""
    key = container_key(container, name)
    if sources.is_source_file(name):
        extracted = sources.read_source(name, data)
        existed = context.blobs.exists(key)
        context.blobs.write_text(key, extracted.text)
        sources.save_map(context.blobs, container, name, extracted.source)
        return not existed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise errors.InvalidRequest(f"'{name}' is not UTF-8 text.", inner_code="InvalidDocument",
                                    inner_message=str(error)) from error
    if not text:
        raise errors.InvalidRequest(f"'{name}' is empty; Azure does not accept empty files.", inner_code="InvalidDocument")
    if len(text) > MAX_DOCUMENT_CHARACTERS:
        raise errors.InvalidRequest(f"'{name}' has {len(text)} characters; the limit is {MAX_DOCUMENT_CHARACTERS}.",
                                    inner_code="InvalidDocument")
    existed = context.blobs.exists(key)
    context.blobs.write_text(key, text)
    return not existed


def get_text(context: AppContext, container: str, name: str) -> str:
    key = container_key(container, name)
    if not context.blobs.exists(key):
        raise errors.NotFound(f"No file '{name}' in container '{container}'.", inner_code="NotFound")
    return context.blobs.read_text(key)


def list_names(context: AppContext, container: str) -> list[str]:
    return context.blobs.list(container_prefix(container))


def delete(context: AppContext, container: str, name: str) -> None:
    get_text(context, container, name)
    context.blobs.delete(container_key(container, name))
    sources.save_map(context.blobs, container, name, None)
