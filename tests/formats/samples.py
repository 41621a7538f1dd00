"""A corpus that stresses offsets: emoji (astral and ZWJ sequences), combining marks, CJK and Arabic."""

from __future__ import annotations

from customner.formats.corpus import Corpus, Entity, Record


def _record(identifier: str, text: str, *labeled: tuple[str, str]) -> Record:
    entities, cursor = [], 0
    for surface, category in labeled:
        start = text.index(surface, cursor)
        entities.append(Entity(start, start + len(surface), category))
        cursor = start + len(surface)
    return Record(text=text, entities=entities, id=identifier)


def stress_corpus() -> Corpus:
    return Corpus([
        _record("emoji.txt", "👩‍🔬 Anna met Jose\u0301 at Café 😀 Corp in Zürich.",
                ("Anna", "Person"), ("Jose\u0301", "Person"), ("Café 😀 Corp", "Org"), ("Zürich", "City")),
        _record("cjk.txt", "昨天李明在东京见了𠮷野家的老板。", ("李明", "Person"), ("东京", "City"), ("𠮷野家", "Org")),
        _record("arabic.txt", "🇪🇬 زار محمد القاهرة أمس مع فاطِمة.", ("محمد", "Person"), ("القاهرة", "City"), ("فاطِمة", "Person")),
        _record("empty-labels.txt", "Nothing to see here 🙈."),
    ], categories=["Person", "City", "Org"])
