"""Documents that arrive as PDF or Word files: their text and page/paragraph map, stored once.

The extracted text is the document's text blob (``storage/<container>/<name>``), exactly like
an uploaded ``.txt``; the page or paragraph map sits beside it at ``sources/<container>/<name>.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from customner import errors
from customner.blobs import BlobStore
from customner.formats.sources import Extracted, ExtractionError, SourceMap, extract, kind_of
from customner.services import projects
from customner.services.names import MAX_DOCUMENT_CHARACTERS, container_key
from customner.store.tables import Document

if TYPE_CHECKING:
    from customner.context import AppContext


def is_source_file(name: str) -> bool:
    return kind_of(name) is not None


def read_source(name: str, data: bytes) -> Extracted:
    """Extract a PDF's or .docx's text; Azure's error envelope when it cannot be used."""
    try:
        extracted = extract(name, data)
    except ExtractionError as error:
        raise errors.InvalidRequest(str(error), inner_code="InvalidDocument") from error
    if len(extracted.text) > MAX_DOCUMENT_CHARACTERS:
        raise errors.InvalidRequest(f"'{name}' has {len(extracted.text)} characters of text; the limit is "
                                    f"{MAX_DOCUMENT_CHARACTERS}", inner_code="InvalidDocument")
    return extracted


def map_key(container: str, name: str) -> str:
    container_key(container, name)  # checks both names, so the key never leaves sources/
    return f"sources/{container}/{name}.json"


def save_map(blobs: BlobStore, container: str, name: str, source: SourceMap | None) -> None:
    """Keep (or, for a plain text that replaces a PDF, drop) the page/paragraph map of a document."""
    if source is None:
        blobs.delete(map_key(container, name))
    else:
        blobs.write_text(map_key(container, name), json.dumps(source.to_json()))


def load_map(blobs: BlobStore, container: str, name: str) -> SourceMap | None:
    key = map_key(container, name)
    if not blobs.exists(key):
        return None
    return SourceMap.from_json(json.loads(blobs.read_text(key)))


@dataclass
class Unit:
    number: int
    start: int
    end: int
    preview: str


@dataclass
class DocumentSource:
    """A document's pages (PDF) or paragraphs (DOCX) with their offsets; ``source`` is None for plain text."""

    location: str
    source: SourceMap | None
    units: list[Unit]


def document_source(context: AppContext, project_name: str, document_id: int) -> DocumentSource:
    with context.db.session() as session:
        project = projects.get_or_raise(session, project_name)
        document = session.get(Document, document_id)
        if document is None or document.project_name != project_name:
            raise errors.NotFound(f"Document {document_id} is not in project '{project_name}'.")
        container, location = project.storage_container, document.location
    source = load_map(context.blobs, container, location)
    if source is None:
        return DocumentSource(location, None, [])
    text = context.blobs.read_text(container_key(container, location))
    units = [Unit(number, start, end, text[start:end][:120]) for number, (start, end) in enumerate(source.units, start=1)]
    return DocumentSource(location, source, units)
