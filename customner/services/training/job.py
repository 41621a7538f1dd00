"""The training job: split the data, train through ``customner.ner``, evaluate on the test set, keep the model."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from customner import ner
from customner.clock import utcnow
from customner.jobs import lifecycle
from customner.jobs.lifecycle import Cancelled
from customner.jobs.registry import TRAINING, job_function
from customner.jobs.status import JobStatus
from customner.ner.types import TrainingRequest
from customner.services import authoring_jobs, projects
from customner.services.documents import load_assets, snapshot_of
from customner.services.training.artifacts import artifact_key, model_id_for, report_dict, store_model
from customner.services.training.data import as_examples, check_data, split
from customner.services.training.evaluation import evaluate_test_set
from customner.services.training.options import TrainingPayload
from customner.services.training.progress import Progress, set_state

if TYPE_CHECKING:
    from customner.context import AppContext


@job_function(authoring_jobs.TRAIN_KIND, queue=TRAINING, resumable=False)
def run_training(context: AppContext, job_id: str) -> None:
    started = utcnow()
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        payload = TrainingPayload.model_validate(job.payload)
        project = projects.get_or_raise(session, authoring_jobs.project_of(job))
        language, multilingual, project_name = project.language, project.multilingual, project.name
        assets = load_assets(session, context.blobs, project)
    options = payload.evaluation_options
    # Documents nobody has labeled yet (uploaded in the Studio) would teach "no entities here".
    train_records, test_records = split([d for d in assets.documents if d.labeled], options)
    check_data(train_records, test_records, options)
    model_id = model_id_for(job_id)
    artifact = artifact_key(project_name, model_id)
    progress = Progress(context, job_id, payload, started)
    progress.training(0.0)
    t0 = time.monotonic()
    try:
        with context.blobs.write_dir(artifact) as output_dir:
            report = ner.train(TrainingRequest(
                documents=as_examples(train_records, language), categories=assets.categories, language=language,
                multilingual=multilingual, output_dir=output_dir,
                config_version=payload.training_config_version, seed=payload.seed, quick=payload.quick,
                on_progress=progress.training, should_stop=progress.should_stop))
            training_seconds = time.monotonic() - t0
            if report.details.get("stopped_by_time_budget"):
                lifecycle.warn(context.db, job_id, {
                    "code": "TrainingTimeBudgetReached",
                    "message": "Fine-tuning stopped early to keep the training within its time budget of "
                               f"{report.details['time_budget_seconds']:.0f} seconds and kept its best epoch so far; "
                               "the model may be less accurate than a full schedule would make it (a busy machine "
                               "makes this likelier)."})
            training_end = utcnow()
            set_state(context, job_id, payload, started, training_end, (JobStatus.RUNNING, 0.0))
            # The folder just written (before any upload), loaded for this evaluation only.
            summary, evaluated = evaluate_test_set(ner.load(output_dir), model_id, assets.categories, train_records,
                                                   test_records, language, options)
    except ner.TrainingCancelled as error:
        context.blobs.delete(artifact)
        raise Cancelled from error
    except BaseException:
        context.blobs.delete(artifact)
        raise
    # A cancel accepted after the last progress report still wins, as long as no model is stored.
    if lifecycle.cancel_requested(context.db, job_id):
        context.blobs.delete(artifact)
        raise Cancelled
    store_model(context, project_name, payload, model_id, artifact, training_seconds, summary, evaluated,
                snapshot_of(assets), report_dict(report))
    set_state(context, job_id, payload, started, training_end, (JobStatus.SUCCEEDED, 100.0), done=True)
