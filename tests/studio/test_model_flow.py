"""Train, watch progress, read the evaluation, deploy, get the prediction URL and test the model, in a real browser.

The steps share one project (the bundled demo, imported through the Studio) and run in file order.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from customner.jobs import lifecycle
from tests.server import RunningServer
from tests.studio.helpers import import_project, project_file, shot

PROJECT = "Demo"
TEST_TEXT = "Book a table at Le Petit Zinc in Madrid this weekend, then see Adele in Paris on Friday."


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(tmp_path_factory.mktemp("demo")) / "project.json"
    path.write_text(resources.files("customner.demo").joinpath("project.json").read_text("utf-8"))
    return path


def test_import_and_train(page: Page, demo_file: Path) -> None:
    page.get_by_label("Azure project file, CoNLL, spaCy, Label Studio, doccano or JSONL").set_input_files(str(demo_file))
    page.get_by_label("Project name (optional; defaults to the Azure file's, else the file name)").fill(PROJECT)
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#alerts")).to_contain_text(f"Project '{PROJECT}' imported")
    expect(page.locator("tbody")).to_contain_text("restaurant_name")
    page.get_by_role("link", name="Train").click()
    page.get_by_label("Model name").fill("crf")
    page.get_by_label("Training configuration version").select_option("2024-06-01")
    page.get_by_label("Use each document's Train/Test assignment").check()
    page.get_by_role("button", name="Start training").click()
    expect(page.locator("#progress")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel training")).to_be_visible()
    expect(page.locator("#progress .job-status")).to_have_text("succeeded", timeout=120_000)
    expect(page.locator("#p-train")).to_have_attribute("value", "100")
    expect(page.locator("#history tbody tr").first).to_contain_text("succeeded")
    shot(page, "06-training")


def test_evaluation(page: Page) -> None:
    page.goto(f"/studio/projects/{PROJECT}/evaluate?model=crf")
    expect(page.locator("#overall")).to_contain_text("Micro")
    per_type = page.locator("#per-type tbody tr")
    expect(per_type).to_have_count(4)
    expect(page.locator("#per-type")).to_contain_text("Train labels")
    expect(page.locator("#confusion thead")).to_contain_text("$none")
    expect(page.locator(".guidance").first).to_be_visible()
    regions = page.locator(".eval-doc")
    total = regions.count()
    assert total == 12
    shot(page, "07-evaluation")
    page.get_by_label("Mismatches only").check()
    page.wait_for_url(re.compile("mismatches=true"))
    assert page.locator(".eval-doc[data-mismatch=false]").count() == 0
    assert page.locator(".eval-doc").count() <= total


def test_deploy_and_prediction_url(page: Page, studio_server: RunningServer) -> None:
    page.goto(f"/studio/projects/{PROJECT}/deploy")
    page.get_by_label("Deployment name").fill("production")
    page.get_by_role("button", name="Deploy", exact=True).click()
    expect(page.locator("#alerts")).to_contain_text("deployed to 'production'")
    page.get_by_label("Deployment name").fill("staging")
    page.get_by_role("button", name="Deploy", exact=True).click()
    expect(page.locator("#deployments tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Swap").click()
    expect(page.locator("#alerts")).to_contain_text("Swapped")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete deployment staging").click()
    expect(page.locator("#deployments tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Get prediction URL").click()
    submit = page.locator("#curl-submit-ga")
    expect(submit).to_contain_text(f"{studio_server.url}/language/analyze-text/jobs?api-version=2023-04-01")
    expect(submit).to_contain_text("Ocp-Apim-Subscription-Key: <YOUR_KEY>")
    expect(page.locator("#curl-submit-v32")).to_contain_text(f"{studio_server.url}/text/analytics/v3.2-preview.2/analyze")
    expect(page.locator("#curl-submit-v32")).to_contain_text('"deployment-name": "production"')
    shot(page, "08-prediction-url-submit")
    page.get_by_role("tab", name="Retrieve").click()
    expect(page.locator("#curl-retrieve-v32")).to_contain_text("/text/analytics/v3.2-preview.2/analyze/jobs/<OPERATION_ID>")
    expect(page.locator("#curl-retrieve-ga")).to_be_visible()
    shot(page, "08-prediction-url-retrieve")


def test_test_model(page: Page) -> None:
    page.goto(f"/studio/projects/{PROJECT}/test")
    page.get_by_label("Text", exact=True).fill(TEST_TEXT)
    page.get_by_role("button", name="Run the test").click()
    marks = page.locator("#pane-result mark.entity")
    expect(marks.first).to_be_visible()
    assert "confidence" in (marks.first.get_attribute("title") or "")
    shot(page, "09-test-result")
    page.get_by_role("tab", name="JSON").click()
    expect(page.locator("#result-json")).to_be_visible()
    body = json.loads(page.locator("#result-json").inner_text())
    assert body["status"] == "succeeded"
    entities = body["tasks"]["items"][0]["results"]["documents"][0]["entities"]
    assert entities and marks.count() == len(entities)
    assert {"text", "category", "offset", "length", "confidenceScore"} <= set(entities[0])
    shot(page, "10-test-json")
    page.get_by_label("…or a .txt file").set_input_files(
        [{"name": "sample.txt", "mimeType": "text/plain", "buffer": b"Dinner at Le Petit Zinc in Madrid."}])
    page.get_by_role("button", name="Run the test").click()
    expect(page.locator("#pane-result .result")).to_contain_text("Dinner at Le Petit Zinc in Madrid.")
    expect(page.locator("#pane-result mark.entity").first).to_be_visible()


def test_model_assisted_labeling(page: Page) -> None:
    page.goto(f"/studio/projects/{PROJECT}/documents")
    page.get_by_label("Text", exact=True).fill("Dinner at Le Petit Zinc in Madrid on Saturday with Adele.")
    page.get_by_label("File name (optional)").fill("new-1")
    page.get_by_role("button", name="Add document").click()
    page.get_by_label("Text", exact=True).fill("Lunch at Chez Paul in Lisbon next Monday.")
    page.get_by_label("File name (optional)").fill("new-2")
    page.get_by_role("button", name="Add document").click()
    page.get_by_role("link", name="Next most useful document").click()
    expect(page).to_have_url(re.compile(r"/documents/\d+\?useful=1"))
    suggestions = page.locator("#doc mark.sugg")
    expect(suggestions.first).to_be_visible()
    shot(page, "11-suggestions")
    count_before = suggestions.count()
    suggestions.first.click()  # one suggestion: select it, then reject it with the toolbar button
    page.get_by_role("button", name="Reject (x)").click()
    expect(suggestions).to_have_count(count_before - 1)
    page.get_by_role("button", name="Undo (z)").click()
    expect(suggestions).to_have_count(count_before)
    first_type = page.locator("#suggestions .row button", has_text="Accept all").first
    first_type.click()
    expect(page.locator("#save-status")).to_contain_text("Saved")
    assert page.locator("#doc mark.sugg").count() < count_before
    assert int(page.locator("#label-count").inner_text()) >= 1


def test_a_suggestions_model_trains_from_the_labeling_page(page: Page, studio_server: RunningServer) -> None:
    page.goto(f"/studio/projects/{PROJECT}/label")
    page.get_by_role("button", name="Retrain a suggestions model").click()  # a model exists already
    expect(page.locator("#alerts")).to_contain_text("Training a suggestions model on a quick schedule")
    page.get_by_role("link", name="Watch it train").click()
    job_id = parse_qs(urlparse(page.url).query)["job"][0]
    expect(page.locator("#progress .job-status")).to_have_text("succeeded", timeout=180_000)
    page.goto(f"/studio/projects/{PROJECT}/label")
    expect(page.locator("#sugg-h")).to_have_text("Suggestions from suggestions")
    expect(page.locator("#doc mark.sugg").first).to_be_visible()
    job = lifecycle.load(studio_server.context.db, job_id)  # the quick schedule is the job's, kept in its payload
    assert job is not None and job.payload["quick"] is True and job.scope == "suggestions"


def test_failed_training_explains_why(page: Page, studio_server: RunningServer) -> None:
    import_project(studio_server, project_file("Empty", ["thing"], {"a.txt": "Nothing here.", "b.txt": "Nor here."}))
    page.goto("/studio/projects/Empty/train")
    page.get_by_label("Training configuration version").select_option("2024-06-01")
    page.get_by_role("button", name="Start training").click()
    expect(page.locator("#progress .job-status")).to_have_text("failed", timeout=60_000)
    expect(page.locator("#progress [role=alert]")).to_contain_text("no labeled entities")
