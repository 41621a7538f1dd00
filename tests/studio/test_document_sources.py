"""Studio takes PDF and Word uploads as their text and shows which page or paragraph an offset is on."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.formats.documents import docx_file, image_only_pdf, text_pdf

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_pdf_and_docx_uploads_keep_their_pages(page: Page) -> None:
    page.get_by_label("Project name", exact=True).fill("Papers")
    page.get_by_label("Entity types (comma-separated)").fill("person")
    page.get_by_role("button", name="Create project").click()
    expect(page).to_have_url(re.compile(r"/studio/projects/Papers/documents$"))
    files = page.get_by_label("Files (choose several at once)")
    files.set_input_files([{"name": "scan.pdf", "mimeType": PDF, "buffer": image_only_pdf()}])
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("'scan.pdf' has no text layer")
    page.goto("/studio/projects/Papers/documents")
    files.set_input_files([
        {"name": "invoice.pdf", "mimeType": PDF, "buffer": text_pdf([["Paid by Ana Silva."], ["Second page: Zurich office."]])},
        {"name": "memo.docx", "mimeType": DOCX, "buffer": docx_file(["Memo for Ana", "مرحبا محمد"])}])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#alerts")).to_contain_text("Added 2 document(s)")
    page.get_by_role("link", name="Pages of invoice.pdf").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    text = "Paid by Ana Silva.\n\nSecond page: Zurich office."
    page.get_by_label("Find the page of offset").fill(str(text.index("Zurich")))
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#offset-unit")).to_have_text(f"Offset {text.index('Zurich')} is on page 2.")
    page.goto("/studio/projects/Papers/documents")
    page.get_by_role("link", name="Pages of memo.docx").click()
    expect(page.locator("tbody")).to_contain_text("مرحبا محمد")
    page.get_by_role("link", name="Label this document").click()
    expect(page.locator("body")).to_contain_text("Memo for Ana")
