"""Studio: the server-rendered web UI at /studio (label, train, evaluate, deploy, test)."""

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from customner.studio.routes import (
    auth,
    deployments,
    documents,
    evaluation,
    labeling,
    projects,
    review,
    team,
    testing,
    training,
)

router = APIRouter(prefix="/studio", include_in_schema=False)
for _module in (auth, projects, documents, labeling, review, training, evaluation, deployments, testing, team):
    router.include_router(_module.router)


@router.get("", include_in_schema=False)
def _root() -> RedirectResponse:
    return RedirectResponse("/studio/projects", status_code=303)
