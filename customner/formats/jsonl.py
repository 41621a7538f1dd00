"""customner's plain JSON Lines: ``{"id"?, "text", "entities": [{"offset", "length", "category"}]}``.

Offsets and lengths are Unicode code points (Python string indices). ``dataset`` ("Train"/"Test")
is written when set and read when present.
"""

from __future__ import annotations

from typing import Any

from customner.formats.corpus import Corpus, FormatError, Record, check_entity, require_text, sorted_entities
from customner.formats.jsonl_lines import dump, looks_like_jsonl, records

NAME = "jsonl"
MEDIA_TYPE = "application/jsonl"
EXTENSION = ".jsonl"


def sniff(data: bytes) -> bool:
    first = looks_like_jsonl(data)
    return first is not None and "text" in first and isinstance(first.get("entities"), list)


def read(data: bytes) -> Corpus:
    result = []
    for where, row in records(data):
        text = require_text(where, row.get("text"))
        entities = row.get("entities", [])
        if not isinstance(entities, list):
            raise FormatError(where, "\"entities\" must be a list")
        spans = []
        for index, entity in enumerate(entities):
            if not isinstance(entity, dict):
                raise FormatError(f"{where}, entity {index + 1}", "expected an object with offset, length, category")
            offset, length = entity.get("offset"), entity.get("length")
            if not isinstance(offset, int) or not isinstance(length, int):
                raise FormatError(f"{where}, entity {index + 1}", "offset and length must be integers")
            spans.append(check_entity(f"{where}, entity {index + 1}", text, offset, offset + length, entity.get("category")))
        result.append(Record(text=text, entities=sorted_entities(where, spans), id=_id(where, row.get("id")),
                             dataset=_dataset(where, row.get("dataset"))))
    return Corpus(result)


def write(corpus: Corpus) -> bytes:
    rows = []
    for record in corpus.records:
        row: dict[str, Any] = {"id": record.id} if record.id is not None else {}
        row["text"] = record.text
        row["entities"] = [{"offset": e.start, "length": e.end - e.start, "category": e.category} for e in record.entities]
        if record.dataset:
            row["dataset"] = record.dataset
        rows.append(row)
    return dump(rows)


def _id(where: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FormatError(where, f"\"id\" must be a string or an integer, not {value!r}")
    return str(value)


def _dataset(where: str, value: object) -> str | None:
    if value in (None, "Train", "Test"):
        return value  # type: ignore[return-value]
    raise FormatError(where, f"\"dataset\" must be \"Train\" or \"Test\", not {value!r}")
