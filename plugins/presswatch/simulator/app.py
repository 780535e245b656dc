"""The simulator's web app: every platform and story source under its own path prefix, plus
the admin API.

| real host                      | here                |
|--------------------------------|---------------------|
| https://graph.facebook.com     | /graph              |
| https://api.x.com              | /x                  |
| https://api.telegram.org       | /telegram           |
| https://t.me                   | /tme                |
| https://{lang}.wikipedia.org   | /wiki/{lang}        |
| https://monitoring.example.uz  | /portal             |
| https://{host}{path} (a feed)  | /feeds/{host}{path} |

Admin (no platform has it): ``POST/GET/DELETE /_sim/faults``, ``GET/DELETE /_sim/requests``,
``GET /_sim/health``; its OpenAPI page is ``/_sim/docs``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from presswatch.simulator import feeds, graph, mediawiki, portal, telegram, xapi
from presswatch.simulator.runtime import (
    SERVED_REQUEST_KEY,
    FaultQueue,
    FaultSpec,
    RequestLog,
    Runtime,
    ServedRequest,
    runtime,
)
from presswatch.simulator.store import Store

ADMIN_PREFIX = "/_sim"


class RequestLogMiddleware:
    """Records every platform request with the status it got (admin requests are not logged)."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        entry = ServedRequest(
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode("latin-1"),
        )
        scope[SERVED_REQUEST_KEY] = entry

        async def send_recording_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        except BaseException:
            # The error middleware outside this one answers 500 for an unhandled exception.
            entry.status = entry.status or 500
            raise
        finally:
            self.log.record(entry)


admin = APIRouter(prefix=ADMIN_PREFIX, tags=["simulator admin"])


@admin.post("/faults", status_code=201)
async def queue_fault(spec: FaultSpec, request: Request) -> dict:
    """Queue a fault for the next ``times`` requests to ``platform``."""
    faults = runtime(request).faults
    faults.add(spec)
    return {"queued": spec.model_dump(exclude_none=True), "pending": faults.pending()}


@admin.get("/faults")
async def pending_faults(request: Request) -> dict:
    return {"pending": runtime(request).faults.pending()}


@admin.delete("/faults")
async def clear_faults(request: Request) -> dict:
    return {"cleared": runtime(request).faults.clear()}


@admin.get("/requests")
async def served_requests(request: Request) -> dict:
    return {"requests": runtime(request).log.entries()}


@admin.delete("/requests")
async def clear_requests(request: Request) -> dict:
    return {"cleared": runtime(request).log.clear()}


@admin.get("/health")
async def health(request: Request) -> JSONResponse:
    try:
        accounts = await runtime(request).store.check()
    except psycopg.Error as exc:
        # Reported, not hidden: the caller waiting for the simulator needs to know why.
        return JSONResponse({"status": "error", "database": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "accounts": accounts})


def create_app(database_url: str | None = None) -> FastAPI:
    """The simulator reading ``database_url`` (default: ``presswatch.db.domain_url()``)."""
    state = Runtime(store=Store(database_url), faults=FaultQueue(), log=RequestLog())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await state.store.close()

    app = FastAPI(
        title="presswatch platform simulator",
        lifespan=lifespan,
        docs_url=f"{ADMIN_PREFIX}/docs",
        redoc_url=None,
        openapi_url=f"{ADMIN_PREFIX}/openapi.json",
    )
    app.state.runtime = state
    app.add_middleware(RequestLogMiddleware, log=state.log)
    app.include_router(admin)
    platform_routers = (
        graph.router,
        xapi.router,
        telegram.bot_router,
        telegram.tme_router,
        mediawiki.router,
        portal.router,
        feeds.router,
    )
    for router in platform_routers:
        # The platforms document themselves; the OpenAPI page is for the admin API.
        app.include_router(router, include_in_schema=False)
    return app
