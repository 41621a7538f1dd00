"""The demo's progress rows: each step's row ends when its job ends (the import row used to run to the end)."""

from __future__ import annotations

from pathlib import Path

from customner.assembly import build_context
from customner.demo.bootstrap import PROJECT, demo_project_file, wait
from customner.services import transfer
from customner.settings import Settings


def test_a_step_without_progress_of_its_own_is_complete_when_its_job_succeeds(tmp_path: Path) -> None:
    context = build_context(Settings(data_dir=tmp_path, api_key="demo-progress-test"))
    context.jobs.start()
    try:
        reported: list[tuple[str, float]] = []
        job = wait(context, transfer.submit_import(context, PROJECT, demo_project_file()), "import",
                   lambda step, fraction: reported.append((step, fraction)))
    finally:
        context.jobs.stop()
    assert job.status == "succeeded"
    assert job.progress == 0.0  # the import job itself reports no progress...
    assert reported[-1] == ("import", 1.0)  # ...yet its row is complete, so its timer stops now
