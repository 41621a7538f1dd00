"""Azure's authoring API (``/language/authoring/analyze-text``), one module per resource."""

from fastapi import APIRouter

from customner.api.authoring import agreement, deployments, global_, projects, training

PREFIX = "/language/authoring/analyze-text/projects"

router = APIRouter()
# global_ first: its fixed paths must win over "/{projectName}".
for module in (global_, projects, training, deployments, agreement):
    router.include_router(module.router, prefix=PREFIX)
