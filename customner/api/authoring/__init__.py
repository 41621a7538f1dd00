"""Azure's authoring API (``/language/authoring/analyze-text``), one module per resource."""

from fastapi import APIRouter

from customner.api.authoring import agreement, copying, deployments, global_, model_evaluation, projects, training
from customner.api.authoring.render import PREFIX

router = APIRouter()
# global_ first: its fixed paths must win over "/{projectName}".
for module in (global_, projects, training, model_evaluation, copying, deployments, agreement):
    router.include_router(module.router, prefix=PREFIX)
