"""Two annotators label one document in the browser; a reviewer sees both side by side, reads the agreement
(also from the API and the CLI) and accepts one version, which becomes the project's (training) labels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.server import API_KEY, AUTHORING, VERSION, RunningServer
from tests.studio.helpers import exported_labels, import_project, project_file, shot

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "agreement" / "hand_computed.json").read_text("utf-8"))
TEXT = FIXTURE["two_annotators"]["text"]  # "a b c d e f g h i j": token k is the k-th letter


@pytest.fixture(scope="module")
def team(studio_server: RunningServer) -> str:
    import_project(studio_server, project_file("Team", ["PER", "LOC"], {"d0.txt": TEXT, "d1.txt": "Other text here."}))
    return "Team"


def label_with_keys(page: Page, keys: list[str]) -> None:
    page.wait_for_function("() => window.labeler !== undefined")  # the keyboard handler is attached
    page.locator("#doc").focus()
    for key in keys:
        page.keyboard.press(key)


def open_next_of(page: Page, project: str, annotator: str) -> None:
    page.goto(f"/studio/projects/{project}/assign")
    page.get_by_role("link", name=f"open {annotator}'s next document").click()
    expect(page.get_by_text(f"{annotator}'s labels")).to_be_visible()


def test_assign_label_apart_review_and_agreement(page: Page, studio_server: RunningServer, team: str) -> None:
    page.goto(f"/studio/projects/{team}/review")
    page.get_by_role("link", name="Assign documents to annotators").click()
    page.get_by_label("Annotators (user names, separated by commas)").fill("A, B")
    page.get_by_label("Annotators per document").fill("2")
    page.get_by_label("Number of documents").fill("1")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#alerts")).to_contain_text("2 assignment(s) made.")
    expect(page.locator("#progress-table tbody tr")).to_have_count(2)

    # A: PER "a b", LOC "e", PER "h" — with the keyboard (a label moves the cursor to the next token).
    open_next_of(page, team, "A")
    label_with_keys(page, ["Shift+ArrowRight", "1", "ArrowRight", "ArrowRight", "2", "ArrowRight", "ArrowRight", "1"])
    expect(page.locator("#save-status")).to_have_text("Saved 3 label(s)")
    # B: PER "a", LOC "e", LOC "h", PER "j".
    open_next_of(page, team, "B")
    expect(page.locator("#label-count")).to_have_text("0")  # A's labels are A's alone
    expect(page.locator("#history")).to_contain_text("No changes recorded yet.")  # not even in the history
    label_with_keys(page, ["1", "ArrowRight", "ArrowRight", "ArrowRight", "2", "ArrowRight", "ArrowRight", "2",
                           "ArrowRight", "1"])
    expect(page.locator("#save-status")).to_have_text("Saved 4 label(s)")
    assert exported_labels(studio_server, team)["d0.txt"] == []  # nothing reviewed: the project's labels are empty

    page.goto(f"/studio/projects/{team}/review")
    overall = page.locator("#agreement-types tbody tr").first
    expect(overall).to_contain_text("28.6%")  # exact span F1 2/7
    expect(overall).to_contain_text("57.1%")  # overlap span F1 4/7
    expect(overall).to_contain_text("0.464")  # Cohen's kappa 0.26/0.56
    expect(page.locator("#agreement-pairs")).to_contain_text("A · B")
    page.get_by_role("link", name="d0.txt").click()
    copies = page.locator("#copies .copy")
    expect(copies.nth(0)).to_contain_text("A")
    expect(copies.nth(0).locator("mark")).to_have_count(3)
    expect(copies.nth(1).locator("mark")).to_have_count(4)
    agreed = page.get_by_label("Keep “e” as LOC")
    expect(agreed).to_be_checked()  # both annotators labeled it
    expect(page.get_by_label("Keep “j” as PER")).not_to_be_checked()
    shot(page, "22-review-side-by-side")
    page.get_by_role("button", name="Accept A's labels").click()
    expect(page.locator("#alerts")).to_contain_text("Reviewed: 3 label(s)")
    got = sorted((TEXT[x["offset"]:x["offset"] + x["length"]], x["category"])
                 for x in exported_labels(studio_server, team)["d0.txt"])
    assert got == [("a b", "PER"), ("e", "LOC"), ("h", "PER")]
    page.goto(f"/studio/projects/{team}/review")
    expect(page.locator("#review-queue")).to_contain_text("reviewed by owner")
    page.goto(f"/studio/projects/{team}/agreement")
    expect(page.locator("#agreement-pair-types")).to_contain_text("0.615")  # LOC: 0.16/0.26
    shot(page, "23-agreement")


def test_agreement_from_the_api_and_the_cli(studio_server: RunningServer, team: str) -> None:
    response = studio_server.client.get(f"{AUTHORING}/{team}/agreement", params=VERSION)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = FIXTURE["two_annotators"]["expected"]
    assert (body["kappaKind"], body["annotators"], body["documents"]) == ("cohen", ["A", "B"], 1)
    assert body["overall"]["kappa"] == pytest.approx(expected["overall"]["kappa"])
    assert body["entities"]["PER"]["overlapF1"] == pytest.approx(expected["PER"]["overlap_f1"])
    assert body["pairs"][0]["annotators"] == ["A", "B"]
    missing = studio_server.client.get(f"{AUTHORING}/Nope/agreement", params=VERSION)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ProjectNotFound"
    assert studio_server.client.get(f"{AUTHORING}/{team}/agreement", params=VERSION,
                                    headers={"Ocp-Apim-Subscription-Key": "wrong"}).status_code == 401
    run = subprocess.run([sys.executable, "-m", "customner", "agreement", team, "--endpoint", studio_server.url,
                          "--key", API_KEY], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "160"})
    assert run.returncode == 0, run.stderr
    assert "Cohen's kappa" in run.stdout and "0.464" in run.stdout and "28.6%" in run.stdout
    assert "A · B" in run.stdout
