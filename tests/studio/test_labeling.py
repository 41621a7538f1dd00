"""Labeling in a real browser: mouse (snapping, Alt override), keyboard, all occurrences, undo, autosave, long documents."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Page, expect

from tests.server import RunningServer
from tests.studio.helpers import ARTIFACTS, exported_labels, import_project, project_file, select_text, shot

TEXT = "Alice Martin flew from Paris to Oslo. Later, Alice met Bob in Paris.\nNothing else happened."


@pytest.fixture(scope="module")
def people(studio_server: RunningServer) -> str:
    import_project(studio_server, project_file("People", ["person", "city"], {
        "mouse.txt": TEXT, "keys.txt": TEXT, "long.txt": ("Carol visited Rome again. " * 4000)[:100_000]}))
    return "People"


def open_document(page: Page, name: str) -> None:
    page.goto("/studio/projects/People/documents")
    page.get_by_role("link", name=name).click()
    expect(page.locator("#doc")).to_contain_text("Alice" if name != "long.txt" else "Carol")


def labels_in_list(page: Page) -> list[str]:
    return page.locator("#labels li").all_inner_texts()


def test_label_with_the_mouse(page: Page, studio_server: RunningServer, people: str) -> None:
    open_document(page, "mouse.txt")
    select_text(page, "Alice Martin", start_at=2, length=8)  # "ice Mart" snaps to "Alice Martin"
    page.get_by_role("button", name="person").click()
    expect(page.locator("#doc mark.t0").first).to_have_text("Alice Martin" + "person")
    select_text(page, "Oslo")
    page.keyboard.press("2")
    select_text(page, "Paris", start_at=0, length=3, alt=True)  # Alt keeps exact characters: "Par"
    page.keyboard.press("2")
    expect(page.locator("#save-status")).to_have_text("Saved 3 label(s)")
    shot(page, "04-labeling-mouse")
    page.reload()
    expect(page.locator("#label-count")).to_have_text("3")
    labels = exported_labels(studio_server, people)["mouse.txt"]
    got = sorted((TEXT[label["offset"]:label["offset"] + label["length"]], label["category"]) for label in labels)
    assert got == [("Alice Martin", "person"), ("Oslo", "city"), ("Par", "city")]


def test_label_with_the_keyboard(page: Page, studio_server: RunningServer, people: str) -> None:
    open_document(page, "keys.txt")
    doc = page.locator("#doc")
    doc.focus()
    page.keyboard.press("Shift+ArrowRight")  # "Alice Martin"
    page.keyboard.press("1")  # person; the cursor moves on to "flew"
    for _ in range(2):
        page.keyboard.press("ArrowRight")  # "Paris"
    page.keyboard.press("2")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("a")  # every other "Paris" too
    expect(page.locator("#label-count")).to_have_text("3")
    page.keyboard.press("z")  # undo the "all occurrences"
    expect(page.locator("#label-count")).to_have_text("2")
    page.keyboard.press("Control+ArrowRight")  # jump to the next label ... then beyond it
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # "Oslo"
    page.keyboard.press("2")
    expect(page.locator("#save-status")).to_have_text("Saved 3 label(s)")
    shot(page, "05-labeling-keyboard")
    page.reload()
    expect(page.locator("#label-count")).to_have_text("3")
    labels = exported_labels(studio_server, people)["keys.txt"]
    got = sorted((TEXT[label["offset"]:label["offset"] + label["length"]], label["category"]) for label in labels)
    assert got == [("Alice Martin", "person"), ("Oslo", "city"), ("Paris", "city")]


def test_unsaved_changes_survive_a_reload(page: Page, people: str) -> None:
    open_document(page, "mouse.txt")
    page.route("**/labels.json", lambda route: route.abort())  # the server is unreachable
    page.locator("#doc").focus()
    page.keyboard.press("End")
    page.keyboard.press("1")
    expect(page.locator("#save-status")).to_contain_text("Not saved yet")
    page.unroute("**/labels.json")
    page.reload()
    expect(page.locator("#save-status")).to_have_text("Saved 4 label(s)")


def test_long_document_stays_fast(page: Page, people: str) -> None:
    started = time.perf_counter()
    open_document(page, "long.txt")
    opened = time.perf_counter() - started
    doc = page.locator("#doc")
    doc.focus()
    elapsed = page.evaluate("""() => {
      const t0 = performance.now();
      const doc = document.getElementById('doc');
      for (let i = 0; i < 20; i++) {
        doc.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
        doc.dispatchEvent(new KeyboardEvent('keydown', {key: '1', bubbles: true}));
      }
      return (performance.now() - t0) / 20;
    }""")
    expect(page.locator("#label-count")).to_have_text("20")
    assert page.locator("#doc *").count() < 200, "the text must not be split per character"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "long-document-timing.json").write_text(json.dumps(
        {"characters": 100_000, "pageOpenSeconds": round(opened, 2), "millisecondsPerLabel": round(elapsed, 1)}, indent=2))
    assert elapsed < 150, f"labeling a 100,000-character document took {elapsed:.0f} ms per label"
    assert opened < 10
