"""Label Studio's JSON export of a text NER project (``labels`` results on a ``Text`` object).

Offsets: Label Studio's frontend has stored code-point offsets since label-studio-frontend#308
(label-studio#1559, "Store code points instead of js length"); files from older versions carry
UTF-16 code units. Each result also carries the labeled ``text``, so a result whose code-point
slice does not match it but whose UTF-16 slice does is read as UTF-16; a result that matches
neither is refused. Export writes code points and the text, as current Label Studio does.
The first annotation that was not cancelled is read; tasks without one are unlabeled documents.
"""

from __future__ import annotations

import json
from typing import Any

from customner.formats.corpus import (
    Corpus,
    Entity,
    FormatError,
    Record,
    check_entity,
    decode,
    from_utf16,
    require_text,
    sorted_entities,
)

NAME = "label-studio"
MEDIA_TYPE = "application/json"
EXTENSION = ".json"


def sniff(data: bytes) -> bool:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    first = value[0] if isinstance(value, list) and value else value
    return isinstance(first, dict) and isinstance(first.get("data"), dict)


def read(data: bytes) -> Corpus:
    try:
        value = json.loads(decode(data, "the file"))
    except json.JSONDecodeError as error:
        raise FormatError(f"line {error.lineno}", f"not valid JSON: {error.msg} at column {error.colno}") from error
    tasks = value if isinstance(value, list) else [value]
    return Corpus([_task(f"task {index + 1}", task) for index, task in enumerate(tasks)])


def _task(where: str, task: Any) -> Record:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise FormatError(where, "expected a task object with a \"data\" object")
    text = require_text(f"{where}, data", _text(task["data"]))
    identifier = task["data"].get("document", task.get("id"))
    annotation = next((a for a in task.get("annotations") or task.get("completions") or []
                       if isinstance(a, dict) and not a.get("was_cancelled")), None)
    spans: list[Entity] = []
    for index, result in enumerate((annotation or {}).get("result") or []):
        place = f"{where} (id {task.get('id')}), result {index + 1}" if task.get("id") is not None else f"{where}, result {index + 1}"
        if not isinstance(result, dict):
            raise FormatError(place, "expected a result object")
        if result.get("type") not in ("labels", None) or "value" not in result:
            continue  # choices, relations, ratings: not entities
        spans += _entities(place, text, result["value"])
    return Record(text=text, entities=sorted_entities(where, spans), id=None if identifier is None else str(identifier))


def _text(data: dict[str, Any]) -> object:
    if "text" in data:
        return data["text"]
    strings = [value for value in data.values() if isinstance(value, str)]
    return strings[0] if len(strings) == 1 else None


def _entities(where: str, text: str, value: Any) -> list[Entity]:
    if not isinstance(value, dict):
        raise FormatError(where, "\"value\" must be an object with start, end and labels")
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels:
        raise FormatError(where, "\"value.labels\" must be a non-empty list of entity types")
    start, end, shown = value.get("start"), value.get("end"), value.get("text")
    entity = check_entity(where, text, start, end, labels[0])
    if isinstance(shown, str) and text[entity.start:entity.end] != shown:
        try:
            utf16 = from_utf16(where, text, start, end, labels[0])
        except FormatError:
            utf16 = None
        if utf16 is None or text[utf16.start:utf16.end] != shown:
            raise FormatError(where, f"the text at {start}-{end} is {text[entity.start:entity.end]!r}, "
                                     f"not the labeled {shown!r}")
        entity = utf16
    return [Entity(entity.start, entity.end, label) for label in labels]


def write(corpus: Corpus) -> bytes:
    tasks = []
    for number, record in enumerate(corpus.records, start=1):
        data: dict[str, Any] = {"text": record.text}
        if record.id is not None:
            data["document"] = record.id
        results = [{"id": f"{number}-{index}", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
                    "value": {"start": e.start, "end": e.end, "text": record.text[e.start:e.end], "labels": [e.category]}}
                   for index, e in enumerate(record.entities, start=1)]
        tasks.append({"id": number, "data": data, "annotations": [{"id": number, "result": results}]})
    return (json.dumps(tasks, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
