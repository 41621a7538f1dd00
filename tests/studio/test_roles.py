"""Each role's Studio in Chromium: owners manage users and keys, reviewers and annotators see and do only their part."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.server import RunningServer
from tests.studio.helpers import exported_labels, import_project, project_file, shot

PASSWORD = "a long enough password"
TEXT = "Alice Martin flew from Paris to Oslo."


@pytest.fixture(scope="module")
def roles_project(studio_server: RunningServer) -> str:
    import_project(studio_server, project_file("RolesStudio", ["person", "city"], {"doc.txt": TEXT}))
    return "RolesStudio"


def add_user(page: Page, role: str) -> str:
    """An owner adds a user on the Team page; returns the user name."""
    name = f"{role}-{uuid.uuid4().hex[:6]}"
    page.goto("/studio/team")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Role").select_option(role)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Add user").click()
    expect(page.locator("#alerts")).to_contain_text(f"User '{name}' added as {role}.")
    expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()
    return name


@pytest.fixture
def user_page(browser: Browser, studio_server: RunningServer) -> Iterator[Callable[[str], Page]]:
    contexts = []

    def open_as(name: str) -> Page:
        context = browser.new_context(base_url=studio_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/studio/signin")
        page.get_by_label("User name").fill(name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/studio/projects")
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_an_annotator_labels_but_cannot_manage(page: Page, user_page: Callable[[str], Page], studio_server: RunningServer,
                                               roles_project: str) -> None:
    name = add_user(page, "annotator")
    annotator = user_page(name)
    expect(annotator.locator("header.top")).to_contain_text(f"{name} (annotator)")
    expect(annotator.get_by_role("heading", name="Create a project")).to_have_count(0)
    expect(annotator.get_by_role("link", name="Team & keys")).to_have_count(0)
    expect(annotator.get_by_role("button", name=f"Delete project {roles_project}")).to_have_count(0)
    # An annotator labels the documents assigned to them, in their own copy (the page sends the CSRF token).
    page.goto(f"/studio/projects/{roles_project}/assign")
    page.get_by_label("Annotators (user names, separated by commas)").fill(name)
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#alerts")).to_contain_text("1 assignment(s) made.")
    annotator.goto(f"/studio/projects/{roles_project}/label")  # the Label tab opens their next own document
    expect(annotator.get_by_text(f"{name}'s labels")).to_be_visible()
    expect(annotator.locator("#suggestions-model")).to_have_count(0)  # training is not an annotator's
    annotator.wait_for_function("() => window.labeler !== undefined")
    annotator.locator("#doc").focus()
    annotator.keyboard.press("Shift+ArrowRight")  # "Alice Martin"
    annotator.keyboard.press("1")
    expect(annotator.locator("#save-status")).to_have_text("Saved 1 label(s)")
    assert exported_labels(studio_server, roles_project)["doc.txt"] == []  # kept apart until a reviewer accepts it
    shot(annotator, "roles-annotator-labeling")
    for other in (f"/studio/projects/{roles_project}/review", f"/studio/projects/{roles_project}/assign"):
        refused = annotator.goto(other)
        assert refused is not None and refused.status == 403
    # The owner reviews and accepts the annotator's copy: now it is the project's (training) labels.
    page.goto(f"/studio/projects/{roles_project}/review")
    page.get_by_role("link", name="doc.txt").click()
    page.get_by_role("button", name=f"Accept {name}'s labels").click()
    expect(page.locator("#alerts")).to_contain_text("Reviewed: 1 label(s)")
    labels = exported_labels(studio_server, roles_project)["doc.txt"]
    assert [(TEXT[x["offset"]:x["offset"] + x["length"]], x["category"]) for x in labels] == [("Alice Martin", "person")]
    # What the role may not do is a readable 403 page.
    response = annotator.goto("/studio/team")
    assert response is not None and response.status == 403
    expect(annotator.locator("main")).to_contain_text("Your role (annotator) may not manage users.")


def test_a_reviewer_may_train_and_deploy_but_not_manage(page: Page, user_page: Callable[[str], Page],
                                                        roles_project: str) -> None:
    name = add_user(page, "reviewer")
    reviewer = user_page(name)
    expect(reviewer.get_by_role("link", name="Team & keys")).to_have_count(0)
    reviewer.goto(f"/studio/projects/{roles_project}/train")
    expect(reviewer.get_by_role("button", name=re.compile("Train", re.I)).first).to_be_visible()
    reviewer.goto("/studio/projects")
    expect(reviewer.get_by_role("heading", name="Create a project")).to_have_count(0)
    response = reviewer.goto("/studio/team")
    assert response is not None and response.status == 403


def test_an_owner_creates_shows_once_and_revokes_a_key(page: Page, studio_server: RunningServer) -> None:
    page.goto("/studio/projects")
    page.get_by_role("link", name="Team & keys").click()
    name = f"ci-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Key name").fill(name)
    page.get_by_label("Scope").select_option("runtime")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-key").inner_text()
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    shot(page, "roles-owner-new-key")
    headers = {"Ocp-Apim-Subscription-Key": key}
    jobs = f"{studio_server.url}/language/analyze-text/jobs/none?api-version=2023-04-01"
    assert httpx.get(jobs, headers=headers).status_code == 404  # a valid runtime key: the job is just unknown
    projects = f"{studio_server.url}/language/authoring/analyze-text/projects?api-version=2023-04-01"
    assert httpx.get(projects, headers=headers).status_code == 403
    page.goto("/studio/team")
    expect(page.locator("main")).not_to_contain_text(key)  # shown once
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Revoke key {name}").click()
    expect(page.locator("#alerts")).to_contain_text(f"Key '{name}' revoked")
    assert httpx.get(jobs, headers=headers).status_code == 401


def test_sign_out_in_the_browser_ends_the_session(browser: Browser, studio_server: RunningServer, page: Page) -> None:
    cookie = next(c for c in page.context.cookies() if c["name"] == "customner_session")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/studio/signin")
    other = browser.new_context(base_url=studio_server.url)
    other.add_cookies([{**cookie}])  # type: ignore[list-item]
    replayed = other.new_page()
    replayed.goto("/studio/projects")
    expect(replayed).to_have_url(re.compile(r"/studio/signin"))
    other.close()
