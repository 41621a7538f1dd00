"""Which exchange formats exist, how to recognise a file's format, and read/write by name.

Azure's project file is listed for naming and detection only: it keeps its own import path
(customner.services.transfer) because it carries project metadata and regions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from customner.formats import conll, doccano, jsonl, label_studio, spacy_docs
from customner.formats.corpus import Corpus, FormatError

AZURE = "azure"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    write: Callable[[Corpus], bytes]


EXPORTS: dict[str, ExportFormat] = {
    "conll": ExportFormat("conll", conll.MEDIA_TYPE, conll.EXTENSION, conll.write),
    "bioes": ExportFormat("bioes", conll.MEDIA_TYPE, conll.EXTENSION, lambda corpus: conll.write(corpus, "bioes")),
    "spacy": ExportFormat("spacy", spacy_docs.MEDIA_TYPE, spacy_docs.EXTENSION, spacy_docs.write),
    "spacy-jsonl": ExportFormat("spacy-jsonl", spacy_docs.JSONL_MEDIA_TYPE, ".jsonl", spacy_docs.write_jsonl),
    "label-studio": ExportFormat("label-studio", label_studio.MEDIA_TYPE, label_studio.EXTENSION, label_studio.write),
    "doccano": ExportFormat("doccano", doccano.MEDIA_TYPE, doccano.EXTENSION, doccano.write),
    "jsonl": ExportFormat("jsonl", jsonl.MEDIA_TYPE, jsonl.EXTENSION, jsonl.write),
}
# Other spellings people use for the same thing.
ALIASES = {"json": AZURE, "iob2": "conll", "bio": "conll", "iob": "conll", "labelstudio": "label-studio",
           "label_studio": "label-studio", "spacy_jsonl": "spacy-jsonl"}
# What Studio shows for each format.
LABELS = {AZURE: "Azure project file (.json)", "conll": "CoNLL, IOB2/BIO tags (.conll)", "bioes": "CoNLL, BIOES tags (.conll)",
          "spacy": "spaCy DocBin (.spacy)", "spacy-jsonl": "spaCy JSONL (ents)", "label-studio": "Label Studio JSON",
          "doccano": "doccano JSONL", "jsonl": "Plain JSONL (code points)"}
IMPORT_NAMES = (AZURE, "conll", "spacy", "label-studio", "doccano", "jsonl")
EXPORT_NAMES = (AZURE, *EXPORTS)

_READERS: dict[str, Callable[[bytes], Corpus]] = {
    "conll": conll.read, "bioes": conll.read, "spacy-jsonl": spacy_docs.read_jsonl,
    "label-studio": label_studio.read, "doccano": doccano.read, "jsonl": jsonl.read,
}


def canonical(name: str | None) -> str:
    """The format's canonical name; empty or absent means Azure's project file (as in Azure's API)."""
    if not name:
        return AZURE
    lowered = name.strip().lower()
    lowered = ALIASES.get(lowered, lowered)
    if lowered not in EXPORT_NAMES:
        raise ValueError(f"unknown format '{name}'; use one of {', '.join(EXPORT_NAMES)}")
    return lowered


def detect(data: bytes) -> str:
    """Recognise a file's format from its content; raises FormatError when nothing fits."""
    if _is_azure(data):
        return AZURE
    for name, sniff in (("label-studio", label_studio.sniff), ("spacy", spacy_docs.sniff), ("spacy-jsonl", spacy_docs.sniff_jsonl),
                        ("doccano", doccano.sniff), ("jsonl", jsonl.sniff), ("conll", conll.sniff)):
        if sniff(data):
            return name
    raise FormatError("the file", "its format is not recognised; name it with --format "
                                  f"({', '.join(IMPORT_NAMES)})")


def _is_azure(data: bytes) -> bool:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(value, dict) and "metadata" in value and ("assets" in value or "projectFileVersion" in value)


def read(name: str, data: bytes) -> Corpus:
    """Read a non-Azure file; ``spacy`` covers both the binary DocBin and spaCy JSONL."""
    name = canonical(name)
    if name == AZURE:
        raise ValueError("Azure project files are read by customner.formats.azure_project")
    if name == "spacy":
        return spacy_docs.read_jsonl(data) if _is_utf8(data) else spacy_docs.read(data)
    return _READERS[name](data)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def export_format(name: str) -> ExportFormat:
    return EXPORTS[canonical(name)]
