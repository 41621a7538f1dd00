"""``create_app(settings)``: the only way to build the web application."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware.sessions import SessionMiddleware

from customner import __version__, studio
from customner.api import authoring, errors, openapi, runtime_ga, runtime_v32, storage
from customner.api.common import require_key
from customner.api.limits import RequestLimits
from customner.context import AppContext
from customner.settings import Settings


def create_app(settings: Settings | None = None, context: AppContext | None = None) -> FastAPI:
    settings = settings or Settings()
    context = context or AppContext.create(settings)
    api_key, _ = settings.ensure_api_key()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context.jobs.start()
        try:
            yield
        finally:
            context.jobs.stop()

    app = FastAPI(title="customner", version=__version__, lifespan=lifespan,
                  description="Self-hosted custom NER, wire-compatible with Azure AI Language.")
    app.state.context = context
    app.state.api_key = api_key
    errors.install(app)
    openapi.install(app)
    keyed = [Depends(require_key)]
    for router in (runtime_v32.router, runtime_ga.router, authoring.router, storage.router):
        app.include_router(router, dependencies=keyed)
    # Studio signs in with the key and keeps it in a signed session cookie; require_key accepts that too.
    app.include_router(studio.router)
    session_secret = hashlib.sha256(b"customner-studio-session:" + api_key.encode()).hexdigest()
    app.add_middleware(SessionMiddleware, secret_key=session_secret, same_site="strict", max_age=12 * 3600)
    app.add_middleware(RequestLimits, settings=settings)

    @app.get("/health", tags=["health"], summary="Liveness: answers without a key")
    def health() -> JSONResponse:
        return JSONResponse({"status": "healthy", "version": __version__})

    return app
