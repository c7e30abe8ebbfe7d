"""The Starlette application: services built once, routes, security headers, lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.auth import AuthService
from graph.config import ConfigError, Settings
from graph.endpoint import graphql_route
from graph.netsuite import AccountHosts, NetSuiteAccount
from graph.store import Store, StoreError, open_store
from graph.web import web_routes

log = logging.getLogger(__name__)

READINESS_TIMEOUT = 3.0


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
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.services = services
    app.add_middleware(SecurityHeaders)
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


class SecurityHeaders:
    """Headers every response gets; auth and GraphQL responses are never cached."""

    NO_STORE_PREFIXES = ("/auth/", "/graphql")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["SecurityHeaders", "Services", "create_app"]
