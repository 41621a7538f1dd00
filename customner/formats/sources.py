"""Text out of PDF (pypdf) and Word .docx (python-docx) files, with where each page or paragraph lies.

The text is extracted once, when the file is uploaded, and stored as the document's text; labels
and predictions are code-point offsets into it. ``units`` keeps, for each page (PDF) or paragraph
(DOCX) in order, its ``[start, end)`` in that text, so an offset can be traced back to its page.
Pages are joined by a blank line, paragraphs by a line break. A PDF without a text layer (a scan)
is refused: it would otherwise become an empty or meaningless document.
"""

from __future__ import annotations

import bisect
import io
from dataclasses import dataclass, field

PDF, DOCX = "pdf", "docx"
EXTENSIONS = {".pdf": PDF, ".docx": DOCX}
PAGE_SEPARATOR = "\n\n"
PARAGRAPH_SEPARATOR = "\n"


class ExtractionError(ValueError):
    """A file whose text cannot be read; the message says why and what to do."""


@dataclass
class SourceMap:
    kind: str  # "pdf" or "docx"
    units: list[tuple[int, int]] = field(default_factory=list)

    @property
    def unit_name(self) -> str:
        return "page" if self.kind == PDF else "paragraph"

    def unit_of(self, offset: int) -> int | None:
        """The 1-based page or paragraph holding code point ``offset``; None for a separator between them."""
        index = bisect.bisect_right([start for start, _ in self.units], offset) - 1
        if index < 0 or not self.units[index][0] <= offset < max(self.units[index][1], self.units[index][0] + 1):
            return None
        return index + 1

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "units": [list(unit) for unit in self.units]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SourceMap:
        units = data.get("units") or []
        assert isinstance(units, list)
        return cls(kind=str(data["kind"]), units=[(int(a), int(b)) for a, b in units])


@dataclass
class Extracted:
    text: str
    source: SourceMap


def kind_of(name: str) -> str | None:
    """``pdf`` or ``docx`` by the file name's extension, else None (a plain text file)."""
    lowered = name.lower()
    return next((kind for extension, kind in EXTENSIONS.items() if lowered.endswith(extension)), None)


def extract(name: str, data: bytes) -> Extracted:
    kind = kind_of(name)
    if kind == PDF:
        return _pdf(name, data)
    if kind == DOCX:
        return _docx(name, data)
    raise ExtractionError(f"'{name}' is neither a .pdf nor a .docx file")


def _join(parts: list[str], separator: str, kind: str) -> Extracted:
    units, cursor = [], 0
    for index, part in enumerate(parts):
        if index:
            cursor += len(separator)
        units.append((cursor, cursor + len(part)))
        cursor += len(part)
    return Extracted(separator.join(parts), SourceMap(kind, units))


def _pdf(name: str, data: bytes) -> Extracted:
    from pypdf import PdfReader  # only when a PDF arrives
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(f"'{name}' is a password-protected PDF; remove the password and upload it again")
        pages = [(page.extract_text() or "").replace("\r\n", "\n").rstrip("\n") for page in reader.pages]
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise ExtractionError(f"'{name}' is not a readable PDF: {error}") from error
    if not pages:
        raise ExtractionError(f"'{name}' has no pages")
    if not any(page.strip() for page in pages):
        raise ExtractionError(f"'{name}' has no text layer ({len(pages)} page(s) of images, e.g. a scan): "
                              "run OCR on it first (for example ocrmypdf) and upload the result")
    return _join(pages, PAGE_SEPARATOR, PDF)


def _docx(name: str, data: bytes) -> Extracted:
    import docx  # python-docx, only when a .docx arrives

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises zipfile, KeyError and its own errors for a damaged file
        raise ExtractionError(f"'{name}' is not a readable Word .docx file: {error}") from error
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    if not any(paragraph.strip() for paragraph in paragraphs):
        raise ExtractionError(f"'{name}' has no text in its paragraphs")
    return _join(paragraphs, PARAGRAPH_SEPARATOR, DOCX)
