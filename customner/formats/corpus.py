"""The one representation every exchange format converts to and from.

A corpus is a list of documents, each a text with entity spans in Unicode code points
(Python string indices). Format modules own their file's units and convert at their edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from customner.ner.offsets import OffsetMapper, StringIndexType


class FormatError(ValueError):
    """A file that cannot be read; ``where`` names the line or record, ``message`` what is wrong."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, order=True)
class Entity:
    start: int
    end: int
    category: str


@dataclass
class Record:
    """One document: its text, its entities (code points) and what the file said about it."""

    text: str
    entities: list[Entity] = field(default_factory=list)
    id: str | None = None
    dataset: str | None = None
    language: str | None = None


@dataclass
class Corpus:
    records: list[Record]
    # Entity types in the order they are declared (or first seen); may name types with no labels.
    categories: list[str] = field(default_factory=list)

    def all_categories(self) -> list[str]:
        """Declared types first, then any type a label uses that was not declared, in order of appearance."""
        seen = list(self.categories)
        for record in self.records:
            for entity in record.entities:
                if entity.category not in seen:
                    seen.append(entity.category)
        return seen


def check_entity(where: str, text: str, start: object, end: object, category: object) -> Entity:
    """Validate one span (code points) of ``text``; raise a FormatError naming ``where`` when it is wrong."""
    if not isinstance(category, str) or not category:
        raise FormatError(where, f"the entity type must be a non-empty string, not {category!r}")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise FormatError(where, f"entity '{category}': start and end must be integers, not {start!r} and {end!r}")
    if not 0 <= start < end <= len(text):
        raise FormatError(where, f"entity '{category}' at {start}-{end} is empty or outside the text "
                                 f"(length {len(text)})")
    return Entity(start, end, category)


def from_utf16(where: str, text: str, start: object, end: object, category: object) -> Entity:
    """An entity given in UTF-16 code units (JavaScript string indices), converted to code points."""
    mapper = OffsetMapper(text, StringIndexType.UTF16_CODE_UNIT)
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise FormatError(where, f"entity '{category}': start and end must be integers, not {start!r} and {end!r}")
    try:
        cp_start, cp_end = mapper.to_code_points(start), mapper.to_code_points(end)
    except ValueError as error:
        raise FormatError(where, f"entity '{category}' at {start}-{end} (UTF-16 code units): {error}") from error
    return check_entity(where, text, cp_start, cp_end, category)


def to_utf16(text: str, entity: Entity) -> tuple[int, int]:
    mapper = OffsetMapper(text, StringIndexType.UTF16_CODE_UNIT)
    return mapper.from_code_points(entity.start), mapper.from_code_points(entity.end)


def sorted_entities(where: str, entities: list[Entity]) -> list[Entity]:
    """Entities by position; overlapping ones are refused (customner labels never overlap)."""
    ordered = sorted(entities)
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if current.start < previous.end:
            raise FormatError(where, f"entity '{current.category}' at {current.start}-{current.end} overlaps "
                                     f"'{previous.category}' at {previous.start}-{previous.end}")
    return ordered


def require_text(where: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise FormatError(where, "\"text\" must be a non-empty string")
    return value


def decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError(what, f"the file is not UTF-8 text (byte {error.start})") from error
