"""Helpers for Studio tests: screenshots, projects made through the public API, browser text selection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from tests.server import API_KEY, AUTHORING, VERSION, RunningServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "studio"


def shot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under test-artifacts/studio/ (CI keeps the folder)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def project_file(name: str, types: list[str], texts: dict[str, str], dataset: str = "Train") -> dict[str, Any]:
    """An Azure project file with unlabeled inline documents."""
    return {
        "projectFileVersion": "2022-05-01", "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": name.lower(),
                     "projectName": name, "multilingual": False, "language": "en-us", "settings": {}},
        "assets": {"projectKind": "CustomEntityRecognition", "entities": [{"category": t} for t in types],
                   "documents": [{"location": location, "language": "en-us", "dataset": dataset, "entities": [], "text": text}
                                 for location, text in texts.items()]},
    }


def import_project(server: RunningServer, body: dict[str, Any]) -> None:
    name = body["metadata"]["projectName"]
    response = server.client.post(f"{AUTHORING}/{name}/:import", params=VERSION, json=body)
    assert response.status_code == 202, response.text
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"


def exported_labels(server: RunningServer, name: str) -> dict[str, list[dict[str, Any]]]:
    """Labels per document as the authoring export returns them (UTF-16 offsets)."""
    response = server.client.post(f"{AUTHORING}/{name}/:export", params={**VERSION, "stringIndexType": "Utf16CodeUnit"})
    assert response.status_code == 202, response.text
    job = server.wait_job(response.headers["operation-location"])
    result = server.client.get(job["resultUrl"]).json()
    return {d["location"]: [label for region in d["entities"] for label in region["labels"]]
            for d in result["assets"]["documents"]}


def select_text(page: Page, needle: str, start_at: int = 0, length: int | None = None, alt: bool = False) -> None:
    """Drag the mouse over ``needle`` (or part of it) in the labeling area, like a user would."""
    box = page.evaluate(
        """([needle, startAt, length]) => {
          const doc = document.getElementById('doc');
          const walker = document.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const i = n.data.indexOf(needle);
            if (i < 0) continue;
            const r = document.createRange();
            r.setStart(n, i + startAt); r.setEnd(n, i + startAt + (length ?? needle.length - startAt));
            const rects = r.getClientRects();
            const a = rects[0], b = rects[rects.length - 1];
            return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
          }
          return null;
        }""", [needle, start_at, length])
    assert box, f"{needle!r} not found in the document"
    if alt:
        page.keyboard.down("Alt")
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=3)
    page.mouse.move(box["x2"], box["y2"], steps=3)
    page.mouse.up()
    if alt:
        page.keyboard.up("Alt")


def signed_in_page(browser: Browser, server: RunningServer) -> Page:
    """A page in a fresh browser context (own cookies and storage, like another person's browser), signed in
    through the sign-in form and left on the projects list; close it with ``page.context.close()``."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/studio/signin")
    page.get_by_label("Subscription key").fill(API_KEY)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/studio/projects")
    return page


def document_url(page: Page, project: str, location: str) -> str:
    """The labeling page of a document, read from the documents page's link."""
    page.goto(f"/studio/projects/{project}/documents")
    href = page.get_by_role("link", name=location, exact=True).get_attribute("href")
    assert href
    return href


def train(server: RunningServer, project: str, model: str) -> None:
    """A quick CRF model through the authoring API."""
    response = server.client.post(f"{AUTHORING}/{project}/:train", params=VERSION, json={
        "modelLabel": model, "trainingConfigVersion": "2024-06-01", "evaluationOptions": {"kind": "manual"}})
    assert response.status_code == 202, response.text
    assert server.wait_job(response.headers["operation-location"])["status"] == "succeeded"
