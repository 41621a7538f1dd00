"""``models/{label}/:evaluate`` and its job (2023-04-15-preview and later): re-evaluate a trained model."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from customner.api import wire_models as wm
from customner.api.authoring.render import job_state, job_url
from customner.api.authoring.training_wire import EvaluationOptionsBody, evaluation_job_result
from customner.api.common import Context, PreviewVersion, accepted, json_response
from customner.api.surfaces import AUTHORING
from customner.services import authoring_jobs, model_evaluation

router = APIRouter(route_class=AUTHORING.route_class, tags=["authoring: training and models"])


class EvaluationDetailsBody(EvaluationOptionsBody):
    """Azure's EvaluationDetails: the same fields as a training's evaluation options."""


@router.post("/{project_name}/models/{label}/:evaluate", status_code=202, response_class=Response,
             summary="Evaluate a trained model on a new split of the project's current data", responses=wm.ACCEPTED)
def evaluate(project_name: str, label: str, body: EvaluationDetailsBody, request: Request, context: Context,
             version: PreviewVersion) -> Response:
    job_id = model_evaluation.submit(context, project_name, label, body.options())
    return accepted(job_url(request, f"/{project_name}/models/{label}/evaluate/jobs/{job_id}", version))


@router.get("/{project_name}/models/{label}/evaluate/jobs/{job_id}", summary="Get a model evaluation job",
            responses=wm.ok(wm.EvaluationJobState))
def evaluation_job(project_name: str, label: str, job_id: str, context: Context, version: PreviewVersion) -> Response:
    job = authoring_jobs.get(context, job_id, (model_evaluation.EVALUATE_KIND,), project_name, label)
    return json_response(job_state(job, {"result": evaluation_job_result(model_evaluation.state_of(job))}))
