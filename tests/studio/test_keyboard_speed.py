"""Label 50 short documents with the keyboard only and record how long it takes (test-artifacts/studio/keyboard-timing.json)."""

from __future__ import annotations

import json
import time

from playwright.sync_api import Page, expect

from tests.server import RunningServer
from tests.studio.helpers import ARTIFACTS, exported_labels, import_project, project_file, shot

NAMES = ["Alice Martin", "Bob Stone", "Carla Diaz", "Dan Wu", "Eva Novak"]
CITIES = ["Paris", "Oslo", "Lima", "Kyoto", "Quito"]
DOCUMENTS = 50
# Per document: → → → Shift+→ 1 → → 2 n  (the cursor starts on "Order"; tokens: Order, 3, :, Alice, Martin, …)
KEYS = ["ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowRight", "1", "ArrowRight", "ArrowRight", "2", "n"]
HUMAN_SECONDS_PER_KEY = 0.3  # a practised labeler's pace between keystrokes


def text(i: int) -> str:
    return f"Order {i}: {NAMES[i % 5]} flies to {CITIES[i % 5]} on Monday."


def test_label_fifty_documents_with_the_keyboard(page: Page, studio_server: RunningServer) -> None:
    import_project(studio_server, project_file("Speed", ["person", "city"], {f"doc-{i:02d}.txt": text(i) for i in range(DOCUMENTS)}))
    page.goto("/studio/projects/Speed/label")
    expect(page.locator("#doc")).to_contain_text("Order 0")
    started = time.perf_counter()
    for i in range(DOCUMENTS):
        expect(page.locator("#doc")).to_contain_text(f"Order {i}:")
        page.locator("#doc").focus()
        for key in KEYS[:-1]:
            page.keyboard.press(key)
        if i == DOCUMENTS - 1:
            shot(page, "12-keyboard-last-document", full_page=False)
            page.keyboard.press("s")
            expect(page.locator("#save-status")).to_contain_text("Saved 2")
        else:
            with page.expect_navigation():
                page.keyboard.press(KEYS[-1])
    elapsed = time.perf_counter() - started
    labels = exported_labels(studio_server, "Speed")
    for i in range(DOCUMENTS):
        got = sorted((text(i)[x["offset"]:x["offset"] + x["length"]], x["category"]) for x in labels[f"doc-{i:02d}.txt"])
        assert got == sorted([(NAMES[i % 5], "person"), (CITIES[i % 5], "city")]), i
    keystrokes = DOCUMENTS * len(KEYS)
    report = {
        "documents": DOCUMENTS, "keystrokes": keystrokes, "keysPerDocument": len(KEYS),
        "scriptedSeconds": round(elapsed, 2), "scriptedSecondsPerDocument": round(elapsed / DOCUMENTS, 3),
        "estimatedHumanSeconds": round(elapsed + keystrokes * HUMAN_SECONDS_PER_KEY, 1),
        "humanSecondsPerKeyAssumed": HUMAN_SECONDS_PER_KEY,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "keyboard-timing.json").write_text(json.dumps(report, indent=2))
    assert elapsed < 120
