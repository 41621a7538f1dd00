"""Sign in, create a project, upload and paste documents, filter them and assign datasets, in a real browser."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, Page, expect

from tests.server import RunningServer
from tests.studio.helpers import shot


def test_pages_need_sign_in(browser: Browser, studio_server: RunningServer) -> None:
    context = browser.new_context(base_url=studio_server.url)
    page = context.new_page()
    page.goto("/studio/projects")
    expect(page).to_have_url(f"{studio_server.url}/studio/signin?next=/studio/projects")
    page.get_by_label("Subscription key").fill("wrong-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    shot(page, "01-signin-rejected")
    assert page.request.get("/studio/projects/x/documents/1/suggestions.json", max_redirects=0).status == 303
    context.close()


def test_create_project_upload_and_paste(page: Page) -> None:
    page.get_by_label("Project name", exact=True).fill("Shop")
    page.get_by_label("Entity types (comma-separated)").fill("person, city")
    page.get_by_role("button", name="Create project").click()
    expect(page).to_have_url(re.compile(r"/studio/projects/Shop/documents$"))
    page.get_by_label("Files (choose several at once)").set_input_files([
        {"name": f"order-{i}.txt", "mimeType": "text/plain", "buffer": f"Order {i} from Alice in Paris.".encode()}
        for i in range(1, 4)])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#alerts")).to_contain_text("Added 3 document(s)")
    page.get_by_label("Text", exact=True).fill("Bob ships to Berlin.")
    page.get_by_label("File name (optional)").fill("pasted-bob")
    page.locator("#p-set").select_option("Test")
    page.get_by_role("button", name="Add document").click()
    expect(page.locator("#alerts")).to_contain_text("pasted-bob.txt")
    rows = page.locator("#document-list tbody tr")
    expect(rows).to_have_count(4)
    # Assign order-1 to Test from the list, then filter by dataset.
    page.get_by_label("Dataset of order-1.txt").select_option("Test")
    expect(page.locator("#document-list")).to_contain_text("Saved: Test")
    page.get_by_label("Filter by dataset").select_option("Test")
    expect(rows).to_have_count(2)
    page.get_by_label("Filter by dataset").select_option("")
    page.get_by_label("Filter by status").select_option("unlabeled")
    expect(rows).to_have_count(4)
    page.get_by_label("Assign all shown to").select_option("Train")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#alerts")).to_contain_text("4 document(s) assigned to Train")
    expect(page.get_by_label("Filter by status")).to_have_value("unlabeled")
    shot(page, "02-documents")
    # Problems are readable messages, not stack traces.
    page.get_by_label("Files (choose several at once)").set_input_files(
        [{"name": "order-1.txt", "mimeType": "text/plain", "buffer": b"again"}])
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("already has order-1.txt")


def test_projects_list_export_and_import(page: Page, studio_server: RunningServer, tmp_path) -> None:  # noqa: ANN001
    page.get_by_label("Project name", exact=True).fill("Exported")
    page.get_by_label("Entity types (comma-separated)").fill("thing")
    page.get_by_role("button", name="Create project").click()
    page.get_by_label("Text", exact=True).fill("A thing here.")
    page.get_by_role("button", name="Add document").click()
    page.goto("/studio/projects")
    row = page.locator("tr", has_text="Exported")
    expect(row).to_contain_text("thing 0 / 0")
    with page.expect_download() as download:
        row.get_by_role("link", name="Export project Exported").click()
    path = tmp_path / "exported.json"
    download.value.save_as(path)
    data = json.loads(path.read_text())
    assert data["metadata"]["projectName"] == "Exported" and data["assets"]["documents"][0]["location"] == "pasted-001.txt"
    page.get_by_label("Azure project file, CoNLL, spaCy, Label Studio, doccano or JSONL").set_input_files(str(path))
    page.get_by_label("Project name (optional; defaults to the Azure file's, else the file name)").fill("Imported")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#alerts")).to_contain_text("Project 'Imported' imported")
    page.goto("/studio/projects")
    shot(page, "03-projects")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="Imported").get_by_role("button", name="Delete project Imported").click()
    expect(page.locator("#alerts")).to_contain_text("Project 'Imported' deleted")


def test_export_and_import_in_another_format(page: Page, studio_server: RunningServer, tmp_path) -> None:  # noqa: ANN001
    data = '{"id": "emoji.txt", "text": "😀 Ana vive em São Paulo.", "entities": [{"offset": 2, "length": 3, "category": "person"}]}\n'
    source = tmp_path / "people.jsonl"
    source.write_text(data, encoding="utf-8")
    page.goto("/studio/projects")
    page.get_by_label("Azure project file, CoNLL, spaCy, Label Studio, doccano or JSONL").set_input_files(str(source))
    page.get_by_label("Project language (non-Azure files)").select_option("pt-br")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#alerts")).to_contain_text("Project 'people' imported (jsonl)")
    page.goto("/studio/projects/people")
    page.get_by_label("Export as").select_option("doccano")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export project file").click()
    path = tmp_path / "people-doccano.jsonl"
    download.value.save_as(path)
    assert json.loads(path.read_text("utf-8")) == {"id": "emoji.txt", "text": "😀 Ana vive em São Paulo.", "label": [[3, 6, "person"]]}


def test_errors_are_readable_pages(page: Page) -> None:
    response = page.goto("/studio/projects/Nope/documents")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("The project 'Nope' could not be found")
    assert "Traceback" not in page.content()
    shot(page, "13-error-page")


def test_keyboard_focus_is_visible(page: Page) -> None:
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(3):
        page.keyboard.press("Tab")
        style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; })()")
        assert style[0] != "none" and style[1] != "0px", style
