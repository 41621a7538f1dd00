"""``:authorize-copy``, ``:copy`` and the copy job (2023-04-15-preview and later), plus the customner-only
``:receive-copy`` that one customner server calls on another with the copy access token instead of a key."""

from __future__ import annotations

import tempfile

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from customner import errors
from customner.api import wire_models as wm
from customner.api.authoring.render import PREFIX, job_state, job_url
from customner.api.common import Context, PreviewVersion, accepted, json_response
from customner.api.surfaces import AUTHORING
from customner.clock import iso_seconds
from customner.services import authoring_jobs, copying
from customner.web import base_url, get_context

router = APIRouter(route_class=AUTHORING.route_class, tags=["authoring: copy"])
# Not behind the subscription key: the access token that the target's :authorize-copy signed is the credential.
receiver = APIRouter(route_class=AUTHORING.route_class, prefix=PREFIX, tags=["authoring: copy"])


class AuthorizeCopyBody(BaseModel):
    project_kind: str = Field(alias="projectKind")
    storage_input_container_name: str | None = Field(None, alias="storageInputContainerName")
    allow_overwrite: bool = Field(False, alias="allowOverwrite")


@router.post("/{project_name}/:authorize-copy", summary="Authorize a copy of a project into this server",
             responses=wm.ok(wm.CopyProjectDetails))
def authorize_copy(project_name: str, body: AuthorizeCopyBody, request: Request, context: Context,
                   version: PreviewVersion) -> Response:
    grant = copying.authorize(context, project_name, project_kind=body.project_kind,
                              storage_container=body.storage_input_container_name,
                              allow_overwrite=body.allow_overwrite, base_url=base_url(request))
    return json_response({"projectKind": grant.project_kind, "targetProjectName": grant.target_project_name,
                          "accessToken": grant.access_token, "expiresAt": iso_seconds(grant.expires_at),
                          "targetResourceId": grant.target_resource_id,
                          "targetResourceRegion": grant.target_resource_region})


@router.post("/{project_name}/:copy", status_code=202, response_class=Response,
             summary="Copy a project, with its trained models, to the server that authorized it", responses=wm.ACCEPTED)
def copy_project(project_name: str, body: wm.CopyProjectDetails, request: Request, context: Context,
                 version: PreviewVersion) -> Response:
    job_id = copying.submit_copy(context, project_name, target_project_name=body.target_project_name,
                                 access_token=body.access_token, target_url=body.target_resource_id)
    return accepted(job_url(request, f"/{project_name}/copy/jobs/{job_id}", version))


@router.get("/{project_name}/copy/jobs/{job_id}", summary="Get a copy job", responses=wm.ok(wm.JobState))
def copy_job(project_name: str, job_id: str, context: Context, version: PreviewVersion) -> Response:
    return json_response(job_state(authoring_jobs.get(context, job_id, (copying.COPY_KIND,), project_name)))


# Server to server only, with its own credential: kept out of the documented (key-guarded) API.
@receiver.post("/{project_name}/:receive-copy", include_in_schema=False)
async def receive_copy(project_name: str, request: Request, version: PreviewVersion) -> Response:
    token = request.headers.get(copying.TOKEN_HEADER)
    if token is None:
        raise errors.Unauthorized("A copy needs the access token from :authorize-copy in the "
                                  f"'{copying.TOKEN_HEADER}' header.")
    copying.check_token(get_context(request), project_name, token)  # before reading a body that may be large
    with tempfile.SpooledTemporaryFile(max_size=16 * 2**20) as bundle:
        async for chunk in request.stream():
            bundle.write(chunk)
        bundle.seek(0)
        result = await run_in_threadpool(copying.receive, get_context(request), project_name, token, bundle)
    return json_response(result)
