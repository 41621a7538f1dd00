"""Training jobs, trained models and their evaluation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from customner.api import wire_models as wm
from customner.api.authoring.render import job_state, job_url, model
from customner.api.common import AuthoringVersion, Context, Paging, SnapshotVersion, accepted, json_response, require_utf16
from customner.jobs.lifecycle import JobRecord, JobStatus
from customner.ner.offsets import OffsetMapper, StringIndexType
from customner.services import authoring_jobs, models, training

router = APIRouter(tags=["authoring: training and models"])


class EvaluationOptionsBody(BaseModel):
    kind: str = "percentage"
    training_split_percentage: int = Field(80, alias="trainingSplitPercentage")
    testing_split_percentage: int = Field(20, alias="testingSplitPercentage")


class TrainingJobOptions(BaseModel):
    model_label: str = Field(alias="modelLabel")
    training_config_version: str = Field(alias="trainingConfigVersion")
    evaluation_options: EvaluationOptionsBody | None = Field(None, alias="evaluationOptions")
    seed: int = Field(0, description="customner extension: the random seed, for reproducible training.")


@router.post("/{project_name}/:train", status_code=202, response_class=Response, summary="Train a model", responses=wm.ACCEPTED)
def train(project_name: str, body: TrainingJobOptions, request: Request, context: Context,
          version: AuthoringVersion) -> Response:
    evaluation = body.evaluation_options or EvaluationOptionsBody()
    job_id = training.submit(context, project_name, training.TrainingOptions(
        model_label=body.model_label, config_version=body.training_config_version, seed=body.seed,
        evaluation=training.EvaluationOptions(evaluation.kind, evaluation.training_split_percentage,
                                              evaluation.testing_split_percentage)))
    return accepted(job_url(request, f"/{project_name}/train/jobs/{job_id}", version))


def _training_state(job: JobRecord) -> dict[str, object]:
    """A job that ended failed or cancelled never leaves a phase looking as if it were still running."""
    result = dict(job.result)
    if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        for phase in ("trainingStatus", "evaluationStatus"):
            if isinstance(result.get(phase), dict) and result[phase].get("status") in (JobStatus.NOT_STARTED, JobStatus.RUNNING):
                result[phase] = dict(result[phase], status=job.status)
    return job_state(job, {"result": result})


@router.get("/{project_name}/train/jobs", summary="List training jobs", responses=wm.ok(wm.TrainingJobsPage))
def list_training_jobs(project_name: str, request: Request, context: Context, version: AuthoringVersion,
                       paging: Paging) -> Response:
    rows, total = training.list_jobs(context, project_name, paging.skip, paging.limit)
    return json_response(paging.body(request, [_training_state(row) for row in rows], total))


@router.get("/{project_name}/train/jobs/{job_id}", summary="Get a training job", responses=wm.ok(wm.TrainingJobState))
def training_job(project_name: str, job_id: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(_training_state(authoring_jobs.get(context, job_id, (training.TRAIN_KIND,), project_name)))


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
    return json_response(models.get(context, project_name, label).evaluation_summary)


@router.get("/{project_name}/models/{label}/evaluation/result", summary="Get per-document evaluation results",
             responses=wm.ok(wm.EvaluationResultsPage))
def evaluation_results(
    project_name: str, label: str, request: Request, context: Context, version: AuthoringVersion, paging: Paging,
    string_index_type: Annotated[str, Query(alias="stringIndexType")] = "Utf16CodeUnit",
) -> Response:
    require_utf16(string_index_type)
    page = models.evaluated_documents(context, project_name, label, paging.skip, paging.limit)
    items = []
    for row in page.rows:
        mapper = OffsetMapper(page.texts.get(row.location, ""), StringIndexType.UTF16_CODE_UNIT)

        def wire(span: dict[str, object], mapper: OffsetMapper = mapper) -> dict[str, object]:
            start, end = mapper.from_code_points(int(span["start"])), mapper.from_code_points(int(span["end"]))  # type: ignore[call-overload]
            return {"category": span["category"], "offset": start, "length": end - start}

        regions = []
        for region in row.regions:
            offset, end = mapper.from_code_points(region["start"]), mapper.from_code_points(region["end"])
            regions.append({"regionOffset": offset, "regionLength": end - offset,
                            "expectedEntities": [wire(s) for s in region["expected"]],
                            "predictedEntities": [wire(s) for s in region["predicted"]]})
        items.append({"projectKind": "CustomEntityRecognition", "location": row.location, "language": row.language,
                      "customEntityRecognitionResult": {"entities": regions}})
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
