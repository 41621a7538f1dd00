"""``projects/global/...``: languages, training config versions and project-deletion jobs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from customner import ner
from customner.api import wire_models as wm
from customner.api.authoring.render import job_state
from customner.api.common import AuthoringVersion, Context, Paging, json_response
from customner.services import authoring_jobs
from customner.services.languages import LANGUAGES
from customner.services.projects import DELETE_PROJECT_KIND

router = APIRouter(prefix="/global", tags=["authoring: global"])


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
