"""Deployments and swaps."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from customner import ner
from customner.api import wire_models as wm
from customner.api.authoring.render import deployment, job_state, job_url
from customner.api.common import AuthoringVersion, Context, Paging, accepted, json_response
from customner.api.surfaces import AUTHORING
from customner.services import authoring_jobs, deployments
from customner.services.deployments import DeploymentInfo

router = APIRouter(route_class=AUTHORING.route_class, tags=["authoring: deployments"])


class DeploymentBody(BaseModel):
    trained_model_label: str = Field(alias="trainedModelLabel")


class SwapBody(BaseModel):
    first_deployment_name: str = Field(alias="firstDeploymentName")
    second_deployment_name: str = Field(alias="secondDeploymentName")


def _render(row: DeploymentInfo) -> dict[str, object]:
    expiry = dict(ner.training_config_versions()).get(row.config_version, "")
    return deployment(row, expiry)


@router.get("/{project_name}/deployments", summary="List deployments", responses=wm.ok(wm.DeploymentsPage))
def list_deployments(project_name: str, request: Request, context: Context, version: AuthoringVersion,
                     paging: Paging) -> Response:
    rows, total = deployments.list_deployments(context, project_name, paging.skip, paging.limit)
    return json_response(paging.body(request, [_render(row) for row in rows], total))


@router.post("/{project_name}/deployments/:swap", status_code=202, response_class=Response,
             summary="Swap the models of two deployments", responses=wm.ACCEPTED)
def swap(project_name: str, body: SwapBody, request: Request, context: Context, version: AuthoringVersion) -> Response:
    job_id = deployments.submit_swap(context, project_name, body.first_deployment_name, body.second_deployment_name)
    return accepted(job_url(request, f"/{project_name}/deployments/swap/jobs/{job_id}", version))


@router.get("/{project_name}/deployments/swap/jobs/{job_id}", summary="Get a swap job", responses=wm.ok(wm.JobState))
def swap_job(project_name: str, job_id: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(job_state(authoring_jobs.get(context, job_id, (deployments.SWAP_KIND,), project_name)))


@router.put("/{project_name}/deployments/{deployment_name}", status_code=202, response_class=Response,
            summary="Deploy a trained model", responses=wm.ACCEPTED)
def deploy(project_name: str, deployment_name: str, body: DeploymentBody, request: Request, context: Context,
           version: AuthoringVersion) -> Response:
    job_id = deployments.submit_deploy(context, project_name, deployment_name, body.trained_model_label)
    return accepted(job_url(request, f"/{project_name}/deployments/{deployment_name}/jobs/{job_id}", version))


@router.get("/{project_name}/deployments/{deployment_name}", summary="Get a deployment", responses=wm.ok(wm.ProjectDeployment))
def get_deployment(project_name: str, deployment_name: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(_render(deployments.get(context, project_name, deployment_name)))


@router.delete("/{project_name}/deployments/{deployment_name}", status_code=202, response_class=Response,
               summary="Delete a deployment", responses=wm.ACCEPTED)
def delete_deployment(project_name: str, deployment_name: str, request: Request, context: Context,
                      version: AuthoringVersion) -> Response:
    job_id = deployments.submit_delete(context, project_name, deployment_name)
    return accepted(job_url(request, f"/{project_name}/deployments/{deployment_name}/jobs/{job_id}", version))


@router.get("/{project_name}/deployments/{deployment_name}/jobs/{job_id}", summary="Get a deployment job", responses=wm.ok(wm.JobState))
def deployment_job(project_name: str, deployment_name: str, job_id: str, context: Context,
                   version: AuthoringVersion) -> Response:
    kinds = (deployments.DEPLOY_KIND, deployments.UNDEPLOY_KIND)
    return json_response(job_state(authoring_jobs.get(context, job_id, kinds, project_name, deployment_name)))
