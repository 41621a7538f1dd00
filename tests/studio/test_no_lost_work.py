"""Labeling never loses work, in a real browser: two pages on one document, questions before anything is
replaced or left open, rejected suggestions that stay rejected, the entity-type trash, right-to-left text."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.server import RunningServer
from tests.studio.helpers import (
    document_url,
    exported_labels,
    import_project,
    project_file,
    select_text,
    shot,
    signed_in_page,
    train,
)

TEXT = "Alice Martin flew from Paris to Oslo. Later, Alice met Bob in Paris."
ARABIC = "سافر أحمد إلى القاهرة يوم الجمعة."


@pytest.fixture(scope="module")
def safe(studio_server: RunningServer) -> str:
    import_project(studio_server, project_file("Safe", ["person", "city", "date"], {
        "shared.txt": TEXT, "overlap.txt": TEXT, "arabic.txt": ARABIC, "types.txt": TEXT, "leave.txt": TEXT}))
    return "Safe"


def saved_labels(server: RunningServer, project: str, location: str, text: str = TEXT) -> list[tuple[str, str]]:
    labels = exported_labels(server, project)[location]
    return sorted((text[label["offset"]:label["offset"] + label["length"]], label["category"]) for label in labels)


def test_two_pages_on_one_document_keep_both_changes(page: Page, browser: Browser, studio_server: RunningServer,
                                                     safe: str) -> None:
    url = document_url(page, safe, "shared.txt")
    other = signed_in_page(browser, studio_server)  # another person's browser
    page.goto(url)
    other.goto(url)  # both pages opened version 0
    select_text(page, "Alice Martin")
    page.keyboard.press("1")
    expect(page.locator("#save-status")).to_have_text("Saved 1 label(s)")
    select_text(other, "Oslo")
    other.keyboard.press("2")  # the later save must not erase "Alice Martin"
    expect(other.locator("#conflict")).to_be_visible()
    expect(other.locator("#conflict-changes")).to_contain_text("owner added “Alice Martin” (person)")
    expect(other.locator("#conflict-changes")).to_contain_text("You added “Oslo” (city)")
    expect(other.locator("#save-status")).to_contain_text("Not saved")
    assert saved_labels(studio_server, safe, "shared.txt") == [("Alice Martin", "person")]
    shot(other, "20-stale-save-conflict")
    other.get_by_role("button", name="Merge: keep both").click()
    expect(other.locator("#save-status")).to_have_text("Saved 2 label(s)")
    assert saved_labels(studio_server, safe, "shared.txt") == [("Alice Martin", "person"), ("Oslo", "city")]
    # The first page is now stale in turn; it takes the other's work with "Reload".
    select_text(page, "Bob")
    page.keyboard.press("1")
    expect(page.locator("#conflict")).to_be_visible()
    page.get_by_role("button", name="Reload: take theirs, drop mine").click()
    expect(page.locator("#label-count")).to_have_text("2")
    assert saved_labels(studio_server, safe, "shared.txt") == [("Alice Martin", "person"), ("Oslo", "city")]
    # The history names both saves with their versions.
    page.reload()
    expect(page.locator("#history li")).to_have_count(2)
    expect(page.locator("#history li").first).to_contain_text("v1 → v2")
    expect(page.locator("#history li").last).to_contain_text("v0 → v1")
    # The JSON endpoint itself refuses a stale version with 409 and the current labels.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    response = page.request.post(url + "/labels.json", data={"labels": [], "version": 1},
                                 headers={"X-CSRF-Token": token, "Origin": studio_server.url})
    assert response.status == 409
    current: dict[str, Any] = response.json()["current"]
    assert (current["version"], current["by"], len(current["labels"])) == (2, "owner", 2)
    other.context.close()


def test_leaving_the_page_right_after_a_change_still_saves_it(page: Page, studio_server: RunningServer,
                                                               safe: str) -> None:
    page.goto(document_url(page, safe, "leave.txt"))
    page.wait_for_function("() => window.labeler !== undefined")
    page.locator("#doc").focus()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("1")  # the autosave waits 300 ms; leaving now must not lose the label
    page.goto(f"/studio/projects/{safe}")
    deadline = time.monotonic() + 10
    while saved_labels(studio_server, safe, "leave.txt") != [("Alice Martin", "person")] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert saved_labels(studio_server, safe, "leave.txt") == [("Alice Martin", "person")]


def test_labeling_over_a_label_asks_first(page: Page, studio_server: RunningServer, safe: str) -> None:
    page.goto(document_url(page, safe, "overlap.txt"))
    select_text(page, "Alice Martin")
    page.keyboard.press("1")
    expect(page.locator("#save-status")).to_have_text("Saved 1 label(s)")
    select_text(page, "Martin")
    page.keyboard.press("2")
    dialog = page.locator("dialog#ask")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("“Alice Martin” (person) overlaps “Martin”")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.locator("#labels li")).to_have_count(1)
    expect(page.locator("#labels li")).to_contain_text("Alice Martin")
    select_text(page, "Martin")
    page.keyboard.press("2")
    dialog.get_by_role("button", name="Replace with city").click()
    expect(page.locator("#labels li")).to_contain_text("city")
    expect(page.locator("#save-status")).to_have_text("Saved 1 label(s)")
    assert saved_labels(studio_server, safe, "overlap.txt") == [("Martin", "city")]


def test_arabic_reads_right_to_left(page: Page, studio_server: RunningServer, safe: str) -> None:
    page.goto(document_url(page, safe, "arabic.txt"))
    doc = page.locator("#doc")
    expect(doc).to_have_attribute("dir", "rtl")
    doc.focus()
    page.keyboard.press("1")  # the first word (the cursor starts on it) as person; the cursor moves on to the second
    page.keyboard.press("ArrowLeft")  # in Arabic the next word is to the left: on to the third
    page.keyboard.press("2")
    expect(page.locator("#save-status")).to_have_text("Saved 2 label(s)")
    boxes = page.evaluate("""() => [...document.querySelectorAll('#doc mark')].map((m) => {
        const r = m.firstChild; const range = document.createRange(); range.selectNodeContents(r);
        const word = range.getBoundingClientRect(), tag = m.querySelector('.tag').getBoundingClientRect();
        return {text: r.data, left: word.left, right: word.right, tagLeft: tag.left, tagRight: tag.right, top: word.top};
      })""")
    first, second = boxes
    assert (first["text"], second["text"]) == ("سافر", "إلى")
    assert first["top"] == second["top"]
    assert first["left"] > second["right"], "the first word must sit right of the third"
    assert first["tagRight"] <= first["left"] + 1 and first["tagLeft"] >= second["right"] - 1, "tag beside its word"
    shot(page, "21-arabic-rtl")
    assert saved_labels(studio_server, safe, "arabic.txt", ARABIC) == [("إلى", "city"), ("سافر", "person")]


def test_unassigned_documents_stay_unassigned(page: Page, safe: str) -> None:
    page.goto(f"/studio/projects/{safe}/documents")
    page.get_by_label("Text", exact=True).fill("Dana moved to Lima.")
    page.get_by_label("File name (optional)").fill("unassigned")
    page.get_by_label("Dataset for this text").select_option(label="Unassigned")
    page.get_by_role("button", name="Add document").click()
    expect(page.get_by_label("Dataset of unassigned.txt")).to_have_value("")
    page.get_by_label("Files (choose several at once)").set_input_files(
        [{"name": "up.txt", "mimeType": "text/plain", "buffer": b"Eve met Finn in Rome."}])
    page.get_by_label("Dataset for these files").select_option(label="Unassigned")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_label("Dataset of up.txt")).to_have_value("")


def test_deleting_a_type_counts_labels_keeps_colours_and_restores(page: Page, studio_server: RunningServer,
                                                                  safe: str) -> None:
    page.goto(document_url(page, safe, "types.txt"))
    select_text(page, "Alice Martin")
    page.keyboard.press("1")
    select_text(page, "Oslo")
    page.keyboard.press("2")
    select_text(page, "Later")
    page.keyboard.press("3")
    expect(page.locator("#save-status")).to_have_text("Saved 3 label(s)")
    cities = sum(label["category"] == "city" for labels in exported_labels(studio_server, safe).values() for label in labels)
    assert cities >= 1  # other tests of this module may label cities too
    page.goto(f"/studio/projects/{safe}")
    expect(page.locator("tbody tr", has_text="date").locator(".chip")).to_have_class("chip t2")
    messages: list[str] = []

    def answer(dialog: Dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Delete entity type city").click()
    expect(page.locator("#alerts")).to_contain_text(f"deleted with its {cities} label(s)")
    assert f"removes {cities} label(s)" in messages[0]
    expect(page.locator("tbody tr", has_text="date").locator(".chip")).to_have_class("chip t2")  # colour kept
    page.goto(document_url(page, safe, "types.txt"))
    expect(page.locator("button.type", has_text="date")).to_have_attribute("aria-keyshortcuts", "3")  # key kept
    page.goto(f"/studio/projects/{safe}")
    page.get_by_role("button", name="Restore entity type city").click()
    expect(page.locator("#alerts")).to_contain_text(f"restored with {cities} label(s)")
    expect(page.locator("tbody tr", has_text="city").locator(".chip")).to_have_class("chip t1")
    assert saved_labels(studio_server, safe, "types.txt") == [("Alice Martin", "person"), ("Later", "date"),
                                                              ("Oslo", "city")]


@pytest.fixture(scope="module")
def assisted(studio_server: RunningServer) -> str:
    """A small project with a quick trained model."""
    body = project_file("Assist", ["person", "city"], {})
    people = ["Alice", "Bob", "Carol", "Dan", "Erin", "Frank"]
    cities = ["Paris", "Oslo", "Rome", "Lima", "Kyiv", "Quito"]
    documents = []
    for i in range(24):
        person, city = people[i % 6], cities[(i * 5) % 6]
        text = f"{person} flew to {city} today."
        documents.append({"location": f"d{i}.txt", "language": "en-us", "dataset": "Train" if i < 18 else "Test",
                          "text": text, "entities": [{"regionOffset": 0, "regionLength": len(text), "labels": [
                              {"category": "person", "offset": 0, "length": len(person)},
                              {"category": "city", "offset": len(person) + 9, "length": len(city)}]}]})
    body["assets"]["documents"] = documents
    import_project(studio_server, body)
    train(studio_server, "Assist", "m1")
    return "Assist"


def test_rejected_suggestions_stay_rejected_and_save_next_asks(page: Page, studio_server: RunningServer,
                                                               assisted: str) -> None:
    page.goto(f"/studio/projects/{assisted}/documents")
    page.get_by_label("Text", exact=True).fill("Dan flew to Kyiv today. Bob flew to Quito today.")
    page.get_by_label("File name (optional)").fill("fresh")
    page.get_by_role("button", name="Add document").click()
    url = document_url(page, assisted, "fresh.txt")
    page.goto(url)
    suggestions = page.locator("#doc mark.sugg")
    expect(suggestions.first).to_be_visible()
    before = suggestions.count()
    rejected = suggestions.first.evaluate("m => m.firstChild.data")
    suggestions.first.click()
    page.get_by_role("button", name="Reject (x)").click()
    expect(suggestions).to_have_count(before - 1)
    page.wait_for_load_state("networkidle")
    page.reload()
    expect(page.locator("#suggestions")).not_to_contain_text("Loading")
    expect(suggestions).to_have_count(before - 1)  # the rejection was stored, not kept in the page only
    assert rejected not in [m.evaluate("m => m.firstChild.data") for m in suggestions.all()]
    # "Save & next" with suggestions still open asks instead of saving an entity-less document.
    page.locator("#doc").focus()
    page.keyboard.press("n")
    dialog = page.locator("dialog#ask")
    expect(dialog).to_contain_text(f"{before - 1} suggestion(s) still open")
    dialog.get_by_role("button", name="Stay here").click()
    expect(page).to_have_url(url)
    # Answering and asking again in one go (fast keys): the second question waits for its own answer.
    page.keyboard.press("n")
    page.evaluate("""() => {
        [...document.querySelectorAll('#ask-buttons button')].find((b) => b.textContent === 'Stay here').click();
        document.getElementById('doc').dispatchEvent(new KeyboardEvent('keydown', {key: 'n', bubbles: true}));
      }""")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Leave open, next without marking labeled").click()
    expect(page).not_to_have_url(url)
    page.goto(f"/studio/projects/{assisted}/documents?status=unlabeled")
    expect(page.get_by_role("link", name="fresh.txt")).to_be_visible()
