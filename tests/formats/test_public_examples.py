"""One file per format, shaped as that tool's documentation shows it (see tests/fixtures/formats/README.md)."""

from __future__ import annotations

from pathlib import Path

from customner.formats import registry
from customner.formats.corpus import Corpus

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"


def labeled(corpus: Corpus) -> list[list[tuple[str, str]]]:
    return [[(r.text[e.start:e.end], e.category) for e in r.entities] for r in corpus.records]


def read(name: str) -> tuple[str, Corpus]:
    data = (FIXTURES / name).read_bytes()
    detected = registry.detect(data)
    return detected, registry.read(detected, data)


def test_conll_2003() -> None:
    detected, corpus = read("conll2003.conll")
    assert detected == "conll"
    assert [r.text for r in corpus.records] == ["EU rejects German call to boycott British lamb .\nPeter Blackburn"]
    assert labeled(corpus) == [[("EU", "ORG"), ("German", "MISC"), ("British", "MISC"), ("Peter Blackburn", "PER")]]


def test_doccano() -> None:
    detected, corpus = read("doccano.jsonl")
    assert detected == "doccano"
    assert labeled(corpus) == [[("EU", "ORG"), ("German", "MISC"), ("British", "ORG")], [("Peter Blackburn", "PERSON")],
                               [("Obama", "PERSON")]]


def test_label_studio() -> None:
    detected, corpus = read("label-studio.json")
    assert detected == "label-studio"
    assert labeled(corpus) == [[("Apple Inc.", "ORG"), ("Tim Cook", "PER"), ("Paris", "LOC")]]
    assert corpus.records[0].id == "1"


def test_spacy_jsonl_with_ents_and_spans() -> None:
    detected, corpus = read("spacy.jsonl")
    assert detected == "spacy-jsonl"
    assert labeled(corpus) == [[("Shaka Khan", "PERSON")], [("London", "LOC"), ("Berlin", "LOC")]]


def test_spacy_docbin_as_spacys_training_docs_build_it() -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin()
    train_data = [("Who is Shaka Khan?", [(7, 17, "PERSON")]), ("I like London and Berlin.", [(7, 13, "LOC"), (18, 24, "LOC")])]
    for text, entities in train_data:
        doc = nlp.make_doc(text)
        doc.ents = [doc.char_span(start, end, label=label) for start, end, label in entities]
        docbin.add(doc)
    data = docbin.to_bytes()
    assert registry.detect(data) == "spacy"
    assert labeled(registry.read("spacy", data)) == [[("Shaka Khan", "PERSON")], [("London", "LOC"), ("Berlin", "LOC")]]


def test_customner_jsonl() -> None:
    detected, corpus = read("customner.jsonl")
    assert detected == "jsonl"
    assert labeled(corpus) == [[("Chez Marie", "restaurant_name"), ("Lisbon", "city")], [("Paris", "city")]]
    assert [r.id for r in corpus.records] == ["tour.txt", None]


def test_azure_project_file_is_recognised() -> None:
    assert registry.detect((FIXTURES / "azure-project.json").read_bytes()) == registry.AZURE
