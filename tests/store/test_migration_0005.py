"""Revision 0005 converts analyze rows from Azure's camelCase to the analysis domain types' dump, losslessly."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest

from customner.jobs.lifecycle import JobRecord
from customner.services import analysis
from tests.rows import load_revision

RELEASE_2 = Path(__file__).parent.parent / "fixtures" / "release_2" / "data" / "customner.db"


@pytest.fixture(scope="module")
def revision() -> ModuleType:
    return load_revision("0005_runtime_domain_rows.py")


def test_each_round_2_analyze_row_becomes_domain_data_and_comes_back(revision: ModuleType) -> None:
    """Every outcome the round-2 release stored: the upgrade gives rows the service reads, the downgrade the same rows."""
    with sqlite3.connect(RELEASE_2) as connection:
        rows = connection.execute("SELECT status, payload, result, errors FROM jobs WHERE kind = 'analyze'").fetchall()
    assert len(rows) == 5
    for status, *stored in rows:
        old = tuple(json.loads(value) for value in stored)
        payload, result, errors = revision.to_domain(*old)
        moment = datetime(2026, 1, 1)
        record = JobRecord(
            id="j", kind="analyze", project_name=None, scope=None, status=status, created_at=moment, updated_at=moment,
            expires_at=moment, started_at=None, finished_at=None, heartbeat_at=None, cancel_requested=False,
            progress=0.0, payload=payload, result=result, errors=errors, warnings=[], worker=None, attempts=1,
            request_id=None)
        job = analysis.AnalysisJob.of(record)  # the service reads the converted row
        assert [task.status for task in job.tasks] == [task["status"] for task in old[1]["tasks"]]
        assert revision.to_domain(payload, result, errors) == (payload, result, errors)  # a second run changes nothing
        assert revision.to_wire(payload, result, errors, status) == old
