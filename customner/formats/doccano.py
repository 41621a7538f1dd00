"""doccano's sequence-labeling JSONL: ``{"text", "label": [[start, end, type], ...]}``.

doccano's web client counts offsets in JavaScript string units, i.e. UTF-16 code units, not code
points (doccano/doccano#2290: in "👨🏻‍🚒 firemen drive firetrucks" it labels "firetrucks" 22-32, Python
indices 19-29). Both directions convert exactly. The export of relation projects
(``"entities": [{"start_offset", "end_offset", "label"}]``) is read as well.
"""

from __future__ import annotations

from typing import Any

from customner.formats.corpus import Corpus, Entity, FormatError, Record, from_utf16, require_text, sorted_entities, to_utf16
from customner.formats.jsonl_lines import dump, looks_like_jsonl, records

NAME = "doccano"
MEDIA_TYPE = "application/jsonl"
EXTENSION = ".jsonl"


def sniff(data: bytes) -> bool:
    first = looks_like_jsonl(data)
    if first is None or "text" not in first:
        return False
    entities = first.get("entities")
    relation_shape = isinstance(entities, list) and all(isinstance(e, dict) and "start_offset" in e for e in entities)
    return isinstance(first.get("label"), list) or (bool(entities) and relation_shape)


def read(data: bytes) -> Corpus:
    result = []
    for where, row in records(data):
        text = require_text(where, row.get("text"))
        spans = [_entity(f"{where}, label {index + 1}", text, item) for index, item in enumerate(_labels(where, row))]
        identifier = row.get("id")
        result.append(Record(text=text, entities=sorted_entities(where, spans),
                             id=None if identifier is None else str(identifier)))
    return Corpus(result)


def _labels(where: str, row: dict[str, Any]) -> list[Any]:
    if "label" in row:
        labels = row["label"]
    elif isinstance(row.get("entities"), list):
        labels = row["entities"]
    else:
        labels = []
    if not isinstance(labels, list):
        raise FormatError(where, "\"label\" must be a list of [start, end, type]")
    return labels


def _entity(where: str, text: str, item: Any) -> Entity:
    if isinstance(item, dict):
        return from_utf16(where, text, item.get("start_offset"), item.get("end_offset"), item.get("label"))
    if isinstance(item, list) and len(item) == 3:
        return from_utf16(where, text, item[0], item[1], item[2])
    raise FormatError(where, f"expected [start, end, type], found {item!r}")


def write(corpus: Corpus) -> bytes:
    rows = []
    for record in corpus.records:
        row: dict[str, Any] = {"id": record.id} if record.id is not None else {}
        row["text"] = record.text
        row["label"] = [[*to_utf16(record.text, entity), entity.category] for entity in record.entities]
        rows.append(row)
    return dump(rows)
