"""The Starlette application: services built once, routes, security headers, lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.audit import count_upstream_call, new_request_id, request_scope
from graph.auth import AuthService
from graph.config import ConfigError, Settings
from graph.endpoint import graphql_route
from graph.gateway import PREFLIGHT_HEADERS, error_response
from graph.netsuite import AccountHosts, NetSuiteAccount
from graph.schema.errors import ServiceUnavailable
from graph.store import Store, StoreError, open_store
from graph.web import web_routes

log = logging.getLogger(__name__)

READINESS_TIMEOUT = 3.0
STORE_RETRY_AFTER = "5"


@dataclass(frozen=True, slots=True)
class Services:
    """What the app shares between requests (``app.state.services``)."""

    settings: Settings
    store: Store
    account: NetSuiteAccount
    auth: AuthService


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    if settings.account_id is None:
        raise ConfigError(
            "NETSUITE_ACCOUNT_ID is not set: `suitegraph serve` starts the embedded sandbox for you"
        )
    store = open_store(settings.store_url)
    account = NetSuiteAccount.open(AccountHosts.from_settings(settings), concurrency=settings.concurrency)
    services = Services(settings, store, account, AuthService(settings, store, account))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await store.ping()
            yield
        finally:
            await account.aclose()
            await store.aclose()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *services.auth.routes(),
        graphql_route(settings, services.auth),
        *web_routes(settings),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={StoreError: store_unavailable})
    app.state.services = services
    # Outermost last: every response, refusals and errors included, gets the id and the headers.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", *PREFLIGHT_HEADERS],
            allow_credentials=True,
            expose_headers=["X-Request-Id", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, hsts=settings.production)
    app.add_middleware(RequestIds)
    account.http.event_hooks["request"].append(count_upstream_call)
    return app


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    try:
        await asyncio.wait_for(services.store.ping(), READINESS_TIMEOUT)
    except (StoreError, OSError, TimeoutError):
        return JSONResponse({"status": "unavailable", "reason": "store unreachable"}, status_code=503)
    # Any HTTP answer from the REST root means NetSuite is reachable; no token is sent.
    try:
        await asyncio.wait_for(
            services.account.http.options(services.account.hosts.rest_url + "/services/rest/"),
            READINESS_TIMEOUT,
        )
    except Exception as error:  # transport errors and the governor's own (busy, unavailable)
        log.warning("readiness: NetSuite unreachable (%s)", type(error).__name__)
        return JSONResponse({"status": "unavailable", "reason": "netsuite unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def store_unavailable(request: Request, error: Exception) -> JSONResponse:
    """The session store failed mid-request: a typed, GraphQL-shaped 503 instead of a traceback."""
    log.warning("session store unavailable: %s", type(error).__name__)
    return error_response(ServiceUnavailable(), 503, {"Retry-After": STORE_RETRY_AFTER})


class RequestIds:
    """Gives every request an id: in the ``X-Request-Id`` header, the log lines and the audit trail."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get("x-request-id")
        with request_scope(new_request_id(offered)) as trace:

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableHeaders(scope=message)["X-Request-Id"] = trace.request_id
                await send(message)

            await self.app(scope, receive, send_with_id)


class SecurityHeaders:
    """Headers every response gets; auth and GraphQL responses are never cached.

    HTML pages set their own Content-Security-Policy (graph/web/pages.py); anything else (JSON,
    static files, errors) gets one that loads nothing and may not be framed.
    """

    NO_STORE_PREFIXES = ("/auth/", "/graphql")
    DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    HSTS = "max-age=63072000; includeSubDomains"

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope["path"].startswith(self.NO_STORE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", self.DEFAULT_CSP)
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if self.hsts:
                    headers["Strict-Transport-Security"] = self.HSTS
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["RequestIds", "SecurityHeaders", "Services", "create_app"]
