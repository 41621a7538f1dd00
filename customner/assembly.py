"""Where the app and the worker are assembled: the job kinds and sweepers every process knows.

The only module that imports every service's job functions; ``context.py`` and the services import
nothing from here, so there is no import cycle.
"""

from __future__ import annotations

from customner.context import AppContext
from customner.jobs.registry import JobRegistry
from customner.services import analysis, copying, deployments, model_evaluation, models, projects, training, transfer
from customner.settings import Settings


def job_registry() -> JobRegistry:
    return JobRegistry.of(
        [
            analysis.run_analysis,
            transfer.run_import, transfer.run_export,
            training.run_training,
            deployments.run_deploy, deployments.run_delete, deployments.run_swap,
            projects.run_delete,
            models.run_load_snapshot,
            model_evaluation.run_evaluate,
            copying.run_copy,
        ],
        sweepers=[transfer.sweep_exports, training.sweep_partial_models],
    )


def build_context(settings: Settings) -> AppContext:
    return AppContext.create(settings, job_registry())
