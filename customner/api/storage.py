"""``/storage/{container}/{name}``: fill a container over HTTP when there is no shared disk (customner only)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from customner.api import wire_models as wm
from customner.api.common import Context, json_response
from customner.api.surfaces import STORAGE
from customner.services import storage

router = APIRouter(route_class=STORAGE.route_class, prefix="/storage", tags=["storage containers"])


@router.put("/{container}/{name}", status_code=201, response_class=Response, summary="Upload a UTF-8 .txt file")
async def put_file(container: str, name: str, request: Request, context: Context) -> Response:
    body = await request.body()  # RequestLimits stops it at CUSTOMNER_MAX_FILE_BYTES while it streams
    created = await run_in_threadpool(storage.put_text, context, container, name, body)
    return Response(status_code=201 if created else 200)


@router.get("/{container}", summary="List the files in a container", responses=wm.ok(wm.StorageListing))
def list_files(container: str, context: Context) -> Response:
    return json_response({"value": [{"name": name} for name in storage.list_names(context, container)]})


@router.get("/{container}/{name}", response_class=PlainTextResponse, summary="Download a file")
def get_file(container: str, name: str, context: Context) -> PlainTextResponse:
    return PlainTextResponse(storage.get_text(context, container, name))


@router.delete("/{container}/{name}", status_code=204, response_class=Response, summary="Delete a file")
def delete_file(container: str, name: str, context: Context) -> Response:
    storage.delete(context, container, name)
    return Response(status_code=204)
