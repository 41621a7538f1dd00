"""Wire models shared by both runtime surfaces."""

from __future__ import annotations

from pydantic import BaseModel, Field

from customner import errors
from customner.ner.offsets import ALLOWED_INDEX_TYPES
from customner.services.analysis import AnalysisDocument


class InputDocument(BaseModel):
    id: str
    text: str
    language: str | None = None


class AnalysisInput(BaseModel):
    documents: list[InputDocument] = Field(default_factory=list)

    def to_documents(self) -> list[AnalysisDocument]:
        return [AnalysisDocument(id=d.id, text=d.text, language=d.language) for d in self.documents]


def check_index_type(value: str | None) -> str:
    if value is None:
        return "TextElements_v8"
    if value not in ALLOWED_INDEX_TYPES:
        raise errors.InvalidParameterValue(
            "Invalid parameter in request",
            inner_message=f"stringIndexType '{value}' is not supported. Supported values: {', '.join(ALLOWED_INDEX_TYPES)}.")
    return value


def parse_bool(value: str | None) -> bool:
    """Python SDKs send ``showStats=True``; accept any casing."""
    return value is not None and value.strip().lower() in ("true", "1")
