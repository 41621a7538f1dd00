"""Training jobs, trained models and their evaluation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from customner.api import wire_models as wm
from customner.api.authoring import training_wire as wire
from customner.api.authoring.render import job_state, job_url, model
from customner.api.common import AuthoringVersion, Context, Paging, SnapshotVersion, accepted, json_response, require_utf16
from customner.api.surfaces import AUTHORING
from customner.services import authoring_jobs, models, training

router = APIRouter(route_class=AUTHORING.route_class, tags=["authoring: training and models"])


class TrainingJobOptions(BaseModel):
    model_label: str = Field(alias="modelLabel")
    training_config_version: str = Field(alias="trainingConfigVersion")
    evaluation_options: wire.EvaluationOptionsBody | None = Field(None, alias="evaluationOptions")
    seed: int = Field(0, description="customner extension: the random seed, for reproducible training.")


@router.post("/{project_name}/:train", status_code=202, response_class=Response, summary="Train a model", responses=wm.ACCEPTED)
def train(project_name: str, body: TrainingJobOptions, request: Request, context: Context,
          version: AuthoringVersion) -> Response:
    evaluation = body.evaluation_options or wire.EvaluationOptionsBody()
    job_id = training.submit(context, project_name, training.TrainingOptions(
        model_label=body.model_label, config_version=body.training_config_version, seed=body.seed,
        evaluation=evaluation.options()))
    return accepted(job_url(request, f"/{project_name}/train/jobs/{job_id}", version))


@router.get("/{project_name}/train/jobs", summary="List training jobs", responses=wm.ok(wm.TrainingJobsPage))
def list_training_jobs(project_name: str, request: Request, context: Context, version: AuthoringVersion,
                       paging: Paging) -> Response:
    rows, total = training.list_jobs(context, project_name, paging.skip, paging.limit)
    return json_response(paging.body(request, [wire.training_job(row) for row in rows], total))


@router.get("/{project_name}/train/jobs/{job_id}", summary="Get a training job", responses=wm.ok(wm.TrainingJobState))
def training_job(project_name: str, job_id: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(wire.training_job(training.get_job(context, project_name, job_id)))


@router.post("/{project_name}/train/jobs/{job_id}/:cancel", status_code=202, response_class=Response,
             summary="Cancel a training job", responses=wm.ACCEPTED)
def cancel_training(project_name: str, job_id: str, request: Request, context: Context,
                    version: AuthoringVersion) -> Response:
    training.cancel(context, project_name, job_id)
    return accepted(job_url(request, f"/{project_name}/train/jobs/{job_id}", version))


@router.get("/{project_name}/models", summary="List trained models", responses=wm.ok(wm.ModelsPage))
def list_models(project_name: str, request: Request, context: Context, version: AuthoringVersion,
                paging: Paging) -> Response:
    rows, total = models.list_models(context, project_name, paging.skip, paging.limit)
    return json_response(paging.body(request, [model(row, version) for row in rows], total))


@router.get("/{project_name}/models/{label}", summary="Get a trained model", responses=wm.ok(wm.TrainedModel))
def get_model(project_name: str, label: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(model(models.get(context, project_name, label), version))


@router.delete("/{project_name}/models/{label}", status_code=204, response_class=Response,
               summary="Delete a trained model")
def delete_model(project_name: str, label: str, context: Context, version: AuthoringVersion) -> Response:
    models.delete(context, project_name, label)
    return Response(status_code=204)


@router.get("/{project_name}/models/{label}/evaluation/summary-result", summary="Get a model's evaluation summary",
             responses=wm.ok(wm.EvaluationSummary))
def evaluation_summary(project_name: str, label: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(wire.evaluation_summary(models.evaluation_summary(context, project_name, label)))


@router.get("/{project_name}/models/{label}/evaluation/result", summary="Get per-document evaluation results",
             responses=wm.ok(wm.EvaluationResultsPage))
def evaluation_results(
    project_name: str, label: str, request: Request, context: Context, version: AuthoringVersion, paging: Paging,
    string_index_type: Annotated[str, Query(alias="stringIndexType")] = "Utf16CodeUnit",
) -> Response:
    require_utf16(string_index_type)
    page = models.evaluated_documents(context, project_name, label, paging.skip, paging.limit)
    items = [wire.evaluated_document(row.location, row.language, row.regions, page.texts.get(row.location, ""))
             for row in page.rows]
    return json_response(paging.body(request, items, page.total))


@router.post("/{project_name}/models/{label}/:load-snapshot", status_code=202, response_class=Response,
             summary="Restore the project's data to what a model was trained on", responses=wm.ACCEPTED)
def load_snapshot(project_name: str, label: str, request: Request, context: Context,
                  version: SnapshotVersion) -> Response:
    job_id = models.submit_load_snapshot(context, project_name, label)
    return accepted(job_url(request, f"/{project_name}/models/{label}/load-snapshot/jobs/{job_id}", version))


@router.get("/{project_name}/models/{label}/load-snapshot/jobs/{job_id}", summary="Get a load-snapshot job", responses=wm.ok(wm.JobState))
def load_snapshot_job(project_name: str, label: str, job_id: str, context: Context,
                      version: SnapshotVersion) -> Response:
    return json_response(job_state(authoring_jobs.get(context, job_id, (models.LOAD_SNAPSHOT_KIND,), project_name, label)))
