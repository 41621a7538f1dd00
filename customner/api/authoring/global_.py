"""``projects/global/...``: languages, training config versions, project-deletion jobs, assigned deployments
and prebuilt entities. Any other path under ``global/`` is a 404 here, never a project named "global"."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from customner import errors, ner
from customner.api import wire_models as wm
from customner.api.authoring.render import job_state
from customner.api.common import AuthoringVersion, Context, Paging, PreviewVersion, json_response
from customner.api.surfaces import AUTHORING
from customner.clock import iso_seconds
from customner.services import authoring_jobs, deployments
from customner.services.languages import LANGUAGES
from customner.services.projects import DELETE_PROJECT_KIND

router = APIRouter(route_class=AUTHORING.route_class, prefix="/global", tags=["authoring: global"])
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@router.get("/languages", summary="List supported languages", responses=wm.ok(wm.LanguagesPage))
def languages(request: Request, version: AuthoringVersion, paging: Paging) -> Response:
    items = [{"languageName": name, "languageCode": code} for code, name in LANGUAGES.items()]
    return json_response(paging.body(request, items[paging.skip : paging.skip + paging.limit], len(items)))


@router.get("/training-config-versions", summary="List training config versions", responses=wm.ok(wm.TrainingConfigVersionsPage))
def training_config_versions(request: Request, version: AuthoringVersion, paging: Paging) -> Response:
    items = [{"trainingConfigVersion": name, "modelExpirationDate": expiry}
             for name, expiry in ner.training_config_versions()]
    return json_response(paging.body(request, items[paging.skip : paging.skip + paging.limit], len(items)))


@router.get("/deletion-jobs/{job_id}", summary="Get a project deletion job", responses=wm.ok(wm.JobState))
def deletion_job(job_id: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(job_state(authoring_jobs.get(context, job_id, (DELETE_PROJECT_KIND,))))


@router.get("/deployments/resources", summary="List the deployments assigned to this resource, per project",
            responses=wm.ok(wm.AssignedDeploymentsPage))
def assigned_deployments(request: Request, context: Context, version: PreviewVersion, paging: Paging) -> Response:
    expiries = dict(ner.training_config_versions())
    items = [{"projectName": project, "deploymentsMetadata": [
        {"deploymentName": row.name, "lastDeployedDateTime": iso_seconds(row.deployed_at),
         "deploymentExpirationDate": expiries.get(row.config_version, "")} for row in rows]}
        for project, rows in deployments.by_project(context)]
    return json_response(paging.body(request, items[paging.skip : paging.skip + paging.limit], len(items)))


@router.get("/prebuilt-entities", summary="List prebuilt entities (none: customner learns only your own types)",
            responses=wm.ok(wm.PrebuiltEntitiesPage))
def prebuilt_entities(version: PreviewVersion) -> Response:
    return json_response({"value": [], "nextLink": None})


@router.api_route("/{rest:path}", methods=ALL_METHODS, include_in_schema=False)
def unknown_global(rest: str) -> Response:
    """Registered after the routes above and before ``/{projectName}/...``: "global" is not a project."""
    raise errors.NotFound(f"There is no authoring operation at 'projects/global/{rest}'.", inner_code="NotFound")
