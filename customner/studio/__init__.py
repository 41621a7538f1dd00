"""Studio: the server-rendered web UI at /studio (label, train, evaluate, deploy, test)."""

from fastapi import APIRouter

router = APIRouter(prefix="/studio", include_in_schema=False)
