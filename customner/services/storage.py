"""Storage containers: plain ``.txt`` blobs that import reads by name, like Azure Blob containers (PDF/DOCX as their text)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from customner import errors
from customner.blobs import container_key
from customner.services import sources
from customner.services.names import MAX_DOCUMENT_CHARACTERS
from customner.services.transfer import check_blob_name

if TYPE_CHECKING:
    from customner.context import AppContext

_CONTAINER = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")


def check_container(name: str) -> None:
    if not _CONTAINER.match(name):
        raise errors.InvalidRequest(
            f"Invalid container name '{name}'.", inner_code="InvalidParameterValue",
            inner_message="Container names are 3 to 63 lowercase letters, digits and single hyphens, as in Azure Blob Storage.")


def put_text(context: AppContext, container: str, name: str, data: bytes) -> bool:
    """Store a UTF-8 text file, or a PDF's / .docx's extracted text with its page map; returns whether it was new."""
    check_container(container)
    check_blob_name(name)
    if sources.is_source_file(name):
        extracted = sources.read_source(name, data)
        key = container_key(container, name)
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
    key = container_key(container, name)
    existed = context.blobs.exists(key)
    context.blobs.write_text(key, text)
    return not existed


def get_text(context: AppContext, container: str, name: str) -> str:
    check_container(container)
    check_blob_name(name)
    key = container_key(container, name)
    if not context.blobs.exists(key):
        raise errors.NotFound(f"No file '{name}' in container '{container}'.", inner_code="NotFound")
    return context.blobs.read_text(key)


def list_names(context: AppContext, container: str) -> list[str]:
    check_container(container)
    return context.blobs.list(f"storage/{container}")


def delete(context: AppContext, container: str, name: str) -> None:
    get_text(context, container, name)
    context.blobs.delete(container_key(container, name))
    sources.save_map(context.blobs, container, name, None)
