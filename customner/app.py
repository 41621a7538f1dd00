"""``create_app(settings)``: the only way to build the web application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from customner import __version__, studio
from customner.access.logs import hide_keys_in_access_log
from customner.api import authoring, errors, openapi, operations, runtime_ga, runtime_render, runtime_v32, storage
from customner.api.common import key_for
from customner.api.limits import RequestLimits
from customner.assembly import build_context
from customner.context import AppContext
from customner.settings import Settings
from customner.studio.sessions import ServerSessionMiddleware


def create_app(settings: Settings | None = None, context: AppContext | None = None) -> FastAPI:
    settings = settings or Settings()
    context = context or build_context(settings)
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
    app.state.runtime_preview = runtime_render.preview_ga  # Studio's Test page shows the API's JSON

    # The probes (liveness, readiness, metrics) come first of all routes: they are called often, and a request is
    # matched against the routes in order.
    @app.get("/health", tags=["health"], summary="Liveness: answers without a key")
    def health() -> JSONResponse:
        return JSONResponse({"status": "healthy", "version": __version__})

    app.include_router(operations.router)
    errors.install(app)
    openapi.install(app)
    # Each route group takes keys whose scope allows it (customner/access/policy.py).
    for router, group in ((runtime_v32.router, "runtime"), (runtime_ga.router, "runtime"),
                          (authoring.router, "authoring"), (storage.router, "storage")):
        app.include_router(router, dependencies=[Depends(key_for(group))])
    # A server-to-server copy carries the access token the target signed, not a key.
    app.include_router(authoring.copying.receiver)
    # Studio keeps a server-side session (the cookie holds only its id); the API never accepts it.
    app.include_router(studio.router)
    app.add_middleware(ServerSessionMiddleware, context=context, bootstrap_key=api_key)
    hide_keys_in_access_log()
    app.add_middleware(RequestLimits, settings=settings)

    operations.install(app, context)

    return app
