"""The whole system over real HTTP for end-to-end tests: the NetSuite sandbox and SuiteGraph, each
served by uvicorn on its own loopback port in the test's event loop, wired through the
configuration contract exactly as ``suitegraph serve`` wires them.

    async with running_portal(concurrency=2) as portal:
        user = portal.users[0]
        async with portal.browser() as browser:
            await portal.sign_in(browser, user)
            data = await portal.graphql(browser, "{ viewer { customer { id } } }")
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx
from starlette.applications import Starlette

from graph.app import create_app
from graph.config import Settings
from graph.sandbox import SandboxConfig, create_sandbox, list_users
from graph.sandbox.state import SandboxState
from graph.serving import listening_socket, serve, socket_url
from support.oauth import parse_form

SECRET_KEY = "end-to-end-test-portal-secret-key"


class GraphQLErrors(AssertionError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Portal:
    url: str
    sandbox_url: str
    settings: Settings
    app: Starlette
    sandbox_app: Starlette
    _servers: dict[str, AsyncExitStack] = field(default_factory=dict, repr=False)

    async def stop_sandbox(self) -> None:
        """Shut NetSuite down: from now on the app's upstream calls find nobody listening."""
        await self._servers["sandbox"].aclose()

    async def stop_app(self) -> None:
        """Shut SuiteGraph down (lifespan included), as before a restart."""
        await self._servers["app"].aclose()

    @property
    def sandbox(self) -> SandboxState:
        return self.sandbox_app.state.sandbox

    @property
    def db(self) -> sqlite3.Connection:
        """The sandbox's data, for comparing answers with what NetSuite holds."""
        return self.sandbox.db

    @property
    def users(self) -> list[dict[str, Any]]:
        """The seeded customer sign-ins (email, password, customer_id, ...)."""
        return [user for user in list_users(self.sandbox.config) if user["role"] == "customer"]

    def browser(self, **kwargs: Any) -> httpx.AsyncClient:
        """A cookie-keeping client that does not follow redirects (tests look at each hop)."""
        return httpx.AsyncClient(base_url=self.url, timeout=30, **kwargs)

    def control(self) -> httpx.AsyncClient:
        """A client for the sandbox's ``/__sandbox/`` control API."""
        return httpx.AsyncClient(base_url=self.sandbox_url, timeout=30)

    async def sign_in(
        self, browser: httpx.AsyncClient, user: Mapping[str, Any], next: str = ""
    ) -> httpx.Response:
        """The browser's whole dance: /auth/login, NetSuite's sign-in form and consent page, and
        the callback. Returns the callback's response (a redirect that sets the session cookie)."""
        return await browser.get(await self.authorize(browser, user, next))

    async def authorize(
        self, browser: httpx.AsyncClient, user: Mapping[str, Any], next: str = "", *, allow: bool = True
    ) -> str:
        """The dance up to NetSuite's redirect: returns the callback URL, not yet visited."""
        login = await browser.get("/auth/login", params={"next": next} if next else None)
        assert login.status_code == 302, login.text
        page = await browser.get(login.headers["location"])
        fields = {"email": user["email"], "password": user["password"], "action": "login"}
        while page.status_code == 200:  # the sign-in form, then the consent page
            form = parse_form(page.text)
            values = fields if "email" in form.fields else {"action": "allow" if allow else "deny"}
            page = await browser.post(urljoin(str(page.url), form.action), data={**form.fields, **values})
        assert page.status_code == 302, page.text
        callback = page.headers["location"]
        assert callback.startswith(self.url + "/auth/callback?"), callback
        return callback

    async def post_graphql(
        self, browser: httpx.AsyncClient, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The whole GraphQL response body (``data`` and ``errors``)."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        response = await browser.post("/graphql", json=body)
        assert response.headers["content-type"].startswith("application/json"), response.text
        return response.json()

    async def graphql(
        self, browser: httpx.AsyncClient, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``data`` of a query that must succeed; raises ``GraphQLErrors`` otherwise."""
        result = await self.post_graphql(browser, query, variables)
        if result.get("errors"):
            raise GraphQLErrors(result["errors"])
        return result["data"]

    def reset_counters(self) -> None:
        self.sandbox.counters.reset()

    def upstream_calls(self) -> int:
        return self.sandbox.counters.calls


@asynccontextmanager
async def running_portal(
    *,
    concurrency: int = 2,
    sandbox_concurrency: int | None = None,
    env: Mapping[str, str] | None = None,
    faults: list[dict[str, Any]] | None = None,
    **sandbox: Any,
) -> AsyncIterator[Portal]:
    """The sandbox (its limit ``sandbox_concurrency``, default ``concurrency``) and SuiteGraph (its
    gate ``concurrency``), configured through environment variables as an operator would."""
    app_socket, sandbox_socket = listening_socket(), listening_socket()
    url, sandbox_url = socket_url(app_socket), socket_url(sandbox_socket)
    config = SandboxConfig(
        base_url=sandbox_url,
        redirect_uris=[f"{url}/auth/callback"],
        concurrency=sandbox_concurrency or concurrency,
        **sandbox,
    )
    sandbox_app = create_sandbox(config, faults=faults)
    settings = Settings.from_mapping(
        {
            "NETSUITE_ACCOUNT_ID": config.account_id,
            "NETSUITE_CLIENT_ID": config.client_id,
            "NETSUITE_CLIENT_SECRET": config.client_secret,
            "NETSUITE_REST_URL": sandbox_url,
            "NETSUITE_APP_URL": sandbox_url,
            "NETSUITE_RESTLET_URL": sandbox_url,
            "NETSUITE_CONCURRENCY": str(concurrency),
            "PORTAL_PUBLIC_URL": url,
            "PORTAL_SECRET_KEY": SECRET_KEY,
            "PORTAL_STORE_URL": "memory://",
            **(env or {}),
        }
    )
    app = create_app(settings)
    async with AsyncExitStack() as sandbox_server, AsyncExitStack() as app_server:
        await sandbox_server.enter_async_context(serve(sandbox_app, sandbox_socket))
        await app_server.enter_async_context(serve(app, app_socket, lifespan="on"))
        yield Portal(
            url=url,
            sandbox_url=sandbox_url,
            settings=settings,
            app=app,
            sandbox_app=sandbox_app,
            _servers={"sandbox": sandbox_server, "app": app_server},
        )


__all__ = ["SECRET_KEY", "GraphQLErrors", "Portal", "running_portal"]
