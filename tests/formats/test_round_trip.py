"""Every exchange format gives back the same labels, offset for offset, on text with emoji, combining marks, CJK and Arabic."""

from __future__ import annotations

import json

import pytest

from customner.formats import conll, doccano, label_studio, registry
from customner.formats.corpus import Corpus, Entity, FormatError, Record
from tests.formats.samples import stress_corpus


def spans(corpus: Corpus) -> list[list[tuple[int, int, str, str]]]:
    return [[(e.start, e.end, e.category, r.text[e.start:e.end]) for e in r.entities] for r in corpus.records]


@pytest.mark.parametrize("name", sorted(registry.EXPORTS))
def test_write_then_read_gives_the_same_spans_and_file(name: str) -> None:
    corpus = stress_corpus()
    data = registry.export_format(name).write(corpus)
    assert registry.detect(data) == ("conll" if name == "bioes" else name)
    back = registry.read(name, data)
    assert spans(back) == spans(corpus)
    if name != "conll" and name != "bioes":  # CoNLL keeps tokens, not the spacing between them
        assert [r.text for r in back.records] == [r.text for r in corpus.records]
    assert registry.export_format(name).write(back) == data  # import then export: the same file


def test_doccano_and_label_studio_count_as_their_tools_do() -> None:
    """doccano counts UTF-16 code units (doccano#2290); Label Studio stores code points (label-studio#1559)."""
    text = "👨🏻‍🚒 firemen drive firetrucks"
    record = Record(text=text, entities=[Entity(19, 29, "Vehicle")])
    assert text[19:29] == "firetrucks"
    row = json.loads(doccano.write(Corpus([record])))
    assert row["label"] == [[22, 32, "Vehicle"]]  # the numbers doccano#2290 reports
    task = json.loads(label_studio.write(Corpus([record])))[0]
    assert task["annotations"][0]["result"][0]["value"] | {} == {"start": 19, "end": 29, "text": "firetrucks", "labels": ["Vehicle"]}


def test_label_studio_utf16_offsets_from_old_versions_are_recognised_by_their_text() -> None:
    text = "💩This is an annotation."  # label-studio#1347: 1.x before the fix exported 13-23
    task = [{"id": 1, "data": {"text": text}, "annotations": [{"result": [
        {"type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 13, "end": 23, "text": "annotation", "labels": ["Thing"]}}]}]}]
    record = label_studio.read(json.dumps(task).encode()).records[0]
    assert text[record.entities[0].start:record.entities[0].end] == "annotation"


def test_conll_export_reports_entities_off_token_boundaries_and_moves_none() -> None:
    corpus = Corpus([Record(text="Visit Lisboa today", entities=[Entity(6, 10, "City")], id="trip.txt")])  # "Lisb"
    with pytest.raises(conll.ExportProblem) as raised:
        conll.write(corpus)
    assert raised.value.problems == ["trip.txt: entity 'City' 'Lisb' at 6-10 does not start and end on token boundaries"]


def test_conll_reads_iob1_bioes_bilou_and_cjk_without_spaces() -> None:
    data = "李\tB-PER\n明\tE-PER\n去\tO\n东\tB-LOC\n京\tI-LOC\n\nJohn\tI-PER\nSmith\tI-PER\nmet\tO\nAnn\tU-PER\n".encode()
    corpus = conll.read(data)
    assert [r.text for r in corpus.records] == ["李明去东京", "John Smith met Ann"]
    assert spans(corpus) == [[(0, 2, "PER", "李明"), (3, 5, "LOC", "东京")],
                             [(0, 10, "PER", "John Smith"), (15, 18, "PER", "Ann")]]


@pytest.mark.parametrize(("name", "data", "where", "what"), [
    ("conll", b"EU\tB-ORG\nrejects\nGerman\tB-MISC\n", "line 2", "expected a token and its tag"),
    ("conll", b"EU\tB-ORG\nrejects\tX-Y\n", "line 2", "'X-Y' is not a tag"),
    ("jsonl", b'{"text": "ab", "entities": []}\n{"text": "abc", "entities": [{"offset": 2, "length": 5, "category": "A"}]}\n',
     "line 2, entity 1", "outside the text"),
    ("jsonl", b'{"text": "ab", "entities": []}\n\n{"text": \n', "line 3", "not valid JSON"),
    ("doccano", '{"text": "😀 ab", "label": [[1, 3, "A"]]}\n'.encode(), "line 1, label 1", "splits a surrogate pair"),
    ("doccano", b'{"text": "abc", "label": [[0, 2, "A"], [1, 3, "B"]]}\n', "line 1", "overlaps"),
    ("label-studio", b'[{"data": {"text": "abc"}, "annotations": [{"result": [{"type": "labels", '
                     b'"value": {"start": 0, "end": 2, "text": "bc", "labels": ["A"]}}]}]}]', "task 1, result 1", "not the labeled 'bc'"),
    ("spacy", b'{"text": "abc", "ents": [{"start": 0, "end": 9, "label": "A"}]}\n', "line 1, span 1", "outside the text"),
    ("spacy", b"\x78\x9c not a docbin", "the file", "not a spaCy DocBin"),
])
def test_a_bad_file_names_the_line_or_record_and_what_is_wrong(name: str, data: bytes, where: str, what: str) -> None:
    with pytest.raises(FormatError) as raised:
        registry.read(name, data)
    assert raised.value.where == where and what in raised.value.message, str(raised.value)
