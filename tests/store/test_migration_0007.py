"""Revision 0007 renames authoring jobs' camelCase payload keys: checked on rows of the old shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from customner.store.database import MIGRATIONS_DIR
from tests.rows import load_revision

FILE = MIGRATIONS_DIR / "versions" / "0007_snake_case_job_payloads.py"
OLD: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "deploy": ({"deploymentName": "prod", "modelLabel": "m1"}, {}),
    "delete-deployment": ({"deploymentName": "prod"}, {}),
    "swap": ({"firstDeploymentName": "a", "secondDeploymentName": "b"}, {}),
    "delete-project": ({"projectName": "P"}, {}),
    "import": ({"projectFile": {"projectFileVersion": "2022-05-01", "metadata": {"projectName": "P"}}}, {}),
    "export": ({"version": "2022-05-01", "modelLabel": None, "format": "azure"}, {"exportKey": "exports/j.json", "format": "azure"}),
    "copy-project": ({"targetProjectName": "Q", "accessToken": "t", "targetResourceId": "http://x"}, {}),
    "load-snapshot": ({"modelLabel": "m1"}, {}),
    "another-kind": ({"modelLabel": "m1"}, {"modelLabel": "m1"}),  # not this revision's: untouched
}
NEW: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "deploy": ({"deployment_name": "prod", "model_label": "m1"}, {}),
    "delete-deployment": ({"deployment_name": "prod"}, {}),
    "swap": ({"first_deployment_name": "a", "second_deployment_name": "b"}, {}),
    "delete-project": ({"project_name": "P"}, {}),
    "import": ({"project_file": {"projectFileVersion": "2022-05-01", "metadata": {"projectName": "P"}}}, {}),
    "export": ({"version": "2022-05-01", "model_label": None, "format": "azure"}, {"export_key": "exports/j.json", "format": "azure"}),
    "copy-project": ({"target_project_name": "Q", "access_token": "t", "target_url": "http://x"}, {}),
    "load-snapshot": ({"model_label": "m1"}, {}),
    "another-kind": ({"modelLabel": "m1"}, {"modelLabel": "m1"}),
}


def test_convert_renames_top_level_keys_only_and_reverses() -> None:
    revision = load_revision(FILE.name)
    for kind, (payload, result) in OLD.items():
        assert revision.convert(kind, payload, result) == NEW[kind], kind
        assert revision.convert(kind, *NEW[kind], reverse=True) == (payload, result), kind
    assert revision.convert("deploy", None, None) == (None, None)


def _jobs(engine: sa.Engine) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    jobs = sa.table("jobs", sa.column("kind", sa.String), sa.column("payload", sa.JSON), sa.column("result", sa.JSON))
    with engine.connect() as connection:
        return {kind: (payload, result) for kind, payload, result in connection.execute(sa.select(jobs))}


def test_upgrade_and_downgrade_rewrite_old_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0004")  # the last revision before the payload renames
    engine = sa.create_engine(url)
    jobs = sa.table("jobs", *(sa.column(name) for name in ("id", "kind", "status", "created_at", "updated_at",
                                                            "expires_at", "cancel_requested", "progress", "errors",
                                                            "warnings", "attempts")),
                    sa.column("payload", sa.JSON), sa.column("result", sa.JSON))
    with engine.begin() as connection:
        for number, (kind, (payload, result)) in enumerate(OLD.items()):
            connection.execute(sa.insert(jobs).values(
                id=f"job-{number}", kind=kind, status="succeeded", created_at="2025-01-01 00:00:00",
                updated_at="2025-01-01 00:00:00", expires_at="2025-02-01 00:00:00", cancel_requested=False,
                progress=1.0, payload=payload, result=result, errors="[]", warnings="[]", attempts=1))
    command.upgrade(config, "0007")
    assert _jobs(engine) == NEW
    command.downgrade(config, "-1")
    assert _jobs(engine) == OLD
    engine.dispose()
