"""``models/{label}/:evaluate`` and its job (2023-04-15-preview and later): re-evaluate a trained model."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from customner.api import wire_models as wm
from customner.api.authoring.render import job_state, job_url
from customner.api.common import Context, PreviewVersion, accepted, json_response
from customner.services import authoring_jobs, model_evaluation, training

router = APIRouter(tags=["authoring: training and models"])


class EvaluationDetailsBody(BaseModel):
    kind: str = "percentage"
    training_split_percentage: int = Field(80, alias="trainingSplitPercentage")
    testing_split_percentage: int = Field(20, alias="testingSplitPercentage")


@router.post("/{project_name}/models/{label}/:evaluate", status_code=202, response_class=Response,
             summary="Evaluate a trained model on a new split of the project's current data", responses=wm.ACCEPTED)
def evaluate(project_name: str, label: str, body: EvaluationDetailsBody, request: Request, context: Context,
             version: PreviewVersion) -> Response:
    options = training.EvaluationOptions(body.kind, body.training_split_percentage, body.testing_split_percentage)
    job_id = model_evaluation.submit(context, project_name, label, options)
    return accepted(job_url(request, f"/{project_name}/models/{label}/evaluate/jobs/{job_id}", version))


@router.get("/{project_name}/models/{label}/evaluate/jobs/{job_id}", summary="Get a model evaluation job",
            responses=wm.ok(wm.EvaluationJobState))
def evaluation_job(project_name: str, label: str, job_id: str, context: Context, version: PreviewVersion) -> Response:
    job = authoring_jobs.get(context, job_id, (model_evaluation.EVALUATE_KIND,), project_name, label)
    return json_response(job_state(job, {"result": model_evaluation.job_result(job)}))
