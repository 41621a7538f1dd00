"""Text and page/paragraph maps from PDF and Word files the tests write themselves."""

from __future__ import annotations

import pytest

from customner.formats.sources import ExtractionError, extract
from tests.formats.documents import docx_file, image_only_pdf, text_pdf


def test_pdf_text_is_extracted_once_with_each_page_located() -> None:
    extracted = extract("invoice.pdf", text_pdf([["Invoice from Contoso Ltd.", "Paid by Ana Silva (Lisboa)."],
                                                 ["Second page: Zurich office."]]))
    assert extracted.text == "Invoice from Contoso Ltd.\nPaid by Ana Silva (Lisboa).\n\nSecond page: Zurich office."
    source = extracted.source
    assert source.kind == "pdf" and source.unit_name == "page"
    assert [extracted.text[a:b] for a, b in source.units] == ["Invoice from Contoso Ltd.\nPaid by Ana Silva (Lisboa).",
                                                              "Second page: Zurich office."]
    assert source.unit_of(extracted.text.index("Ana")) == 1
    assert source.unit_of(extracted.text.index("Zurich")) == 2
    assert source.unit_of(extracted.text.index("\n\n") + 1) is None  # the blank line between pages


def test_docx_paragraphs_with_emoji_and_arabic() -> None:
    extracted = extract("memo.DOCX", docx_file(["Hello 😀 world", "", "مرحبا محمد"]))
    assert extracted.text == "Hello 😀 world\n\nمرحبا محمد"
    assert extracted.source.kind == "docx" and extracted.source.units == [(0, 13), (14, 14), (15, 25)]
    assert extracted.source.unit_of(extracted.text.index("محمد")) == 3


@pytest.mark.parametrize(("name", "data", "message"), [
    ("scan.pdf", image_only_pdf(), "'scan.pdf' has no text layer (2 page(s) of images, e.g. a scan): run OCR"),
    ("broken.pdf", b"%PDF-1.4 nothing else", "'broken.pdf' is not a readable PDF"),
    ("broken.docx", b"PK not a zip", "'broken.docx' is not a readable Word .docx file"),
    ("empty.docx", docx_file(["", "  "]), "'empty.docx' has no text in its paragraphs"),
])
def test_unusable_files_are_refused_with_the_reason(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError) as raised:
        extract(name, data)
    assert str(raised.value).startswith(message), str(raised.value)
