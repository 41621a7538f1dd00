"""The job lifecycle on a real database: claims, lost workers, cancel flags, unknown kinds, the sweeper."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from customner.assembly import build_context, job_registry
from customner.clock import utcnow
from customner.context import AppContext
from customner.jobs import lifecycle
from customner.jobs.maintenance import Maintenance
from customner.jobs.runner import RunningJobs, run_job
from customner.jobs.status import TERMINAL, JobStatus
from customner.services import training, transfer
from customner.settings import Settings
from customner.store.tables import Job

HOUR = timedelta(hours=1)


@pytest.fixture
def context(tmp_path: Path) -> AppContext:
    return build_context(Settings(data_dir=tmp_path, api_key="k"))


def _age_heartbeat(context: AppContext, job_id: str, seconds: float) -> None:
    """What a worker killed with kill -9 leaves: a running row whose heartbeat stopped."""
    with context.db.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(seconds=seconds)))


def test_job_status_is_the_only_vocabulary() -> None:
    assert {str(status) for status in JobStatus} == {
        "notStarted", "running", "cancelling", "cancelled", "succeeded", "failed", "partiallyCompleted"}
    assert TERMINAL == {"succeeded", "failed", "cancelled", "partiallyCompleted"}


def test_a_second_delivery_is_skipped_while_the_first_worker_lives(context: AppContext) -> None:
    job = lifecycle.create(context.db, "analyze", ttl=HOUR)
    first = lifecycle.claim(context.db, job.id, "w1", stale_after=30, resumable=True)
    second = lifecycle.claim(context.db, job.id, "w2", stale_after=30, resumable=True)
    assert (first.run, second.run, second.reason) == (True, False, "running elsewhere")
    lifecycle.finish(context.db, job.id, JobStatus.SUCCEEDED)
    assert lifecycle.claim(context.db, job.id, "w2", stale_after=30, resumable=True).reason == "finished"
    assert not lifecycle.finish(context.db, job.id, JobStatus.FAILED), "a terminal job never changes again"


def test_a_lost_resumable_job_is_run_again_and_a_lost_training_fails_with_a_message(context: AppContext) -> None:
    runtime = lifecycle.create(context.db, "analyze", ttl=HOUR)
    train = lifecycle.create(context.db, "train", ttl=HOUR, project_name="P")
    for job in (runtime, train):
        assert lifecycle.claim(context.db, job.id, "host:1", stale_after=30, resumable=True).run
        _age_heartbeat(context, job.id, 120)
    requeue = lifecycle.reap_stale(context.db, 30, job_registry().resumable)
    assert requeue == [(runtime.id, "analyze")]
    assert lifecycle.load(context.db, runtime.id).status == JobStatus.NOT_STARTED  # type: ignore[union-attr]
    failed = lifecycle.load(context.db, train.id)
    assert failed is not None and failed.status == JobStatus.FAILED
    message = failed.errors[0]["message"]
    assert "host:1" in message and "lost" in message and "earlier models and deployments are unchanged" in message


def test_a_fresh_heartbeat_keeps_a_long_job_alive(context: AppContext) -> None:
    job = lifecycle.create(context.db, "train", ttl=HOUR, project_name="P")
    lifecycle.claim(context.db, job.id, "w", stale_after=30, resumable=False)
    _age_heartbeat(context, job.id, 120)
    lifecycle.heartbeat(context.db, [job.id])
    assert lifecycle.reap_stale(context.db, 30, job_registry().resumable) == []
    assert lifecycle.load(context.db, job.id).status == JobStatus.RUNNING  # type: ignore[union-attr]


def test_cancel_is_a_flag_any_process_sees(context: AppContext) -> None:
    waiting = lifecycle.create(context.db, "analyze", ttl=HOUR)
    assert lifecycle.request_cancel(context.db, waiting.id) == JobStatus.NOT_STARTED
    assert lifecycle.load(context.db, waiting.id).status == JobStatus.CANCELLED  # type: ignore[union-attr]
    running = lifecycle.create(context.db, "analyze", ttl=HOUR)
    lifecycle.claim(context.db, running.id, "w", stale_after=30, resumable=True)
    lifecycle.request_cancel(context.db, running.id)
    assert lifecycle.load(context.db, running.id).status == JobStatus.CANCELLING  # type: ignore[union-attr]
    assert lifecycle.progress(context.db, running.id, fraction=0.5) is True  # the worker's next report learns it


def test_a_job_of_an_unknown_kind_fails_clearly(context: AppContext) -> None:
    job = lifecycle.create(context.db, "transmogrify", ttl=HOUR)
    assert run_job(context, job_registry(), job.id, kind="transmogrify") == JobStatus.FAILED
    row = lifecycle.load(context.db, job.id)
    assert row is not None and row.status == JobStatus.FAILED
    assert "No worker knows how to run a job of kind 'transmogrify'" in row.errors[0]["message"]


def test_wait_returns_the_terminal_row(context: AppContext) -> None:
    job = lifecycle.create(context.db, "analyze", ttl=HOUR)
    lifecycle.finish(context.db, job.id, JobStatus.SUCCEEDED, result={"ok": 1})
    assert lifecycle.wait(context.db, job.id, timeout=1).result == {"ok": 1}


def test_the_sweeper_removes_partial_model_folders_and_expired_exports(context: AppContext) -> None:
    blobs = context.blobs
    # A training killed with kill -9 left its half-written folder; a running training's folder must stay.
    blobs.write_text("models/P/deadbeef/model.bin", "partial")
    running = lifecycle.create(context.db, training.TRAIN_KIND, ttl=HOUR, project_name="P")
    live_folder = f"models/P/{training.model_id_for(running.id)}"
    blobs.write_text(f"{live_folder}/model.bin", "being written")
    # An export whose job expired, and one whose job is still there.
    expired = lifecycle.create(context.db, transfer.EXPORT_KIND, ttl=-HOUR, project_name="P")
    kept = lifecycle.create(context.db, transfer.EXPORT_KIND, ttl=HOUR, project_name="P")
    blobs.write_text(f"exports/{expired.id}.json", "{}")
    blobs.write_text(f"exports/{kept.id}.json", "{}")

    Maintenance(context, job_registry(), RunningJobs(), lambda job_id, kind: None, reap=False).sweep_once()

    assert not blobs.exists("models/P/deadbeef")
    assert blobs.exists(live_folder)
    assert not blobs.exists(f"exports/{expired.id}.json") and lifecycle.load(context.db, expired.id) is None
    assert blobs.exists(f"exports/{kept.id}.json")


def test_the_maintenance_loop_beats_for_running_jobs(tmp_path: Path) -> None:
    context = build_context(Settings(data_dir=tmp_path, api_key="k", job_heartbeat_seconds=0.2))
    job = lifecycle.create(context.db, "analyze", ttl=HOUR)
    lifecycle.claim(context.db, job.id, "w", stale_after=30, resumable=True)
    _age_heartbeat(context, job.id, 3600)
    running = RunningJobs()
    running.add(job.id)
    loop = Maintenance(context, job_registry(), running, lambda job_id, kind: None, reap=True)
    loop.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = lifecycle.load(context.db, job.id)
            assert row is not None and row.heartbeat_at is not None
            if row.heartbeat_at > utcnow() - timedelta(seconds=60):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("no heartbeat written")
        assert lifecycle.load(context.db, job.id).status == JobStatus.RUNNING  # type: ignore[union-attr]
    finally:
        loop.stop()


def test_a_job_whose_message_was_lost_is_sent_again_once_per_period(context: AppContext) -> None:
    job = lifecycle.create(context.db, "analyze", ttl=HOUR)
    assert lifecycle.reap_stale(context.db, 30, job_registry().resumable, resend_after=60) == []
    with context.db.session() as session:
        session.execute(update(Job).where(Job.id == job.id).values(created_at=utcnow() - timedelta(seconds=120)))
    assert lifecycle.reap_stale(context.db, 30, job_registry().resumable, resend_after=60) == [(job.id, "analyze")]
    assert lifecycle.reap_stale(context.db, 30, job_registry().resumable, resend_after=60) == []
    assert lifecycle.claim(context.db, job.id, "w", stale_after=30, resumable=True).run


def test_the_sweeper_removes_upload_staging_left_by_a_dead_process(tmp_path: Path) -> None:
    """On an object store a model is written locally first; kill -9 during training leaves that folder."""
    context = build_context(Settings(data_dir=tmp_path, api_key="k", blob_url="memory://customner-staging-test"))
    with context.blobs.write_dir("models/P/live") as live:
        (live / "model.bin").write_text("being written by this process")
        dead = context.blobs.staging_dir / "upload-999999999-abc"  # no such process
        dead.mkdir()
        (dead / "model.bin").write_text("left by a killed training")
        Maintenance(context, job_registry(), RunningJobs(), lambda job_id, kind: None, reap=False).sweep_once()
        assert live.exists() and not dead.exists()
    assert context.blobs.exists("models/P/live/model.bin")
