"""The systems a benchmark measures, each served by uvicorn on a free loopback port in this event
loop: the NetSuite sandbox (with a recorder of every governed call it answers) and SuiteGraph,
wired through the configuration contract exactly as ``suitegraph serve`` wires them.

Nothing in ``graph/`` imports this module; it is the benchmark's composition root.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.app import create_app
from graph.config import Settings
from graph.sandbox import SandboxConfig, create_sandbox

SECRET_KEY = "benchmark-portal-secret-key-not-for-production"
_GOVERNED = ("/services/rest/query/", "/services/rest/record/")


def listening_socket() -> socket.socket:
    """A loopback socket on a free port whose connections send without Nagle's delay.

    asyncio sets TCP_NODELAY only on sockets whose protocol is IPPROTO_TCP; a socket made with the
    default protocol 0 leaves every keep-alive response (head, then body) waiting ~40 ms for the
    client's delayed ACK. Accepted connections inherit the option from the listening socket.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def socket_url(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@asynccontextmanager
async def serve(app: Any, sock: socket.socket | None = None, *, lifespan: str = "off") -> AsyncIterator[str]:
    """Serve ``app`` on ``sock`` (a free loopback port by default) until the block ends; yields its URL."""
    sock = sock or listening_socket()
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="critical", lifespan=lifespan, access_log=False, backlog=4096)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    async with asyncio.timeout(30):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.005)
    try:
        yield socket_url(sock)
    finally:
        server.should_exit = True
        await task


@dataclass
class CallLog:
    """(start, end) of every governed NetSuite call the sandbox answered, in monotonic seconds."""

    calls: list[tuple[float, float]] = field(default_factory=list)

    def clear(self) -> None:
        self.calls.clear()

    def since(self, start: float) -> list[tuple[float, float]]:
        return [call for call in self.calls if call[0] >= start]


class Recorder:
    """ASGI wrapper around the sandbox that times each SuiteQL / REST record call."""

    def __init__(self, app: ASGIApp, log: CallLog) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(_GOVERNED):
            await self.app(scope, receive, send)
            return
        start = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.log.calls.append((start, time.monotonic()))


def critical_path(calls: list[tuple[float, float]]) -> int:
    """The longest chain of calls each starting after the previous one ended: the round trips a
    request had to wait for one after the other."""
    depth: list[tuple[float, int]] = []  # (end, chain length ending with that call)
    for start, end in sorted(calls, key=lambda call: call[1]):
        before = [length for finished, length in depth if finished <= start]
        depth.append((end, 1 + max(before, default=0)))
    return max((length for _, length in depth), default=0)


@dataclass
class Sandbox:
    app: Starlette
    url: str
    log: CallLog

    @property
    def config(self) -> SandboxConfig:
        return self.app.state.sandbox.config

    @property
    def counters(self) -> Any:
        return self.app.state.sandbox.counters

    async def users(self) -> list[dict[str, Any]]:
        """The live database's customer sign-ins (email, password, customer_id, ...)."""
        async with httpx.AsyncClient(base_url=self.url) as control:
            response = await control.get("/__sandbox/users")
        response.raise_for_status()
        return [user for user in response.json() if user["role"] == "customer"]


@asynccontextmanager
async def running_sandbox(config: SandboxConfig, sock: socket.socket | None = None) -> AsyncIterator[Sandbox]:
    sock = sock or listening_socket()
    config.base_url = socket_url(sock)
    app = create_sandbox(config)
    log = CallLog()
    async with serve(Recorder(app, log), sock) as url:
        yield Sandbox(app, url, log)


@dataclass
class Portal:
    url: str
    app: Starlette
    sandbox: Sandbox

    def browser(self) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        return httpx.AsyncClient(base_url=self.url, timeout=120, limits=limits)

    async def sign_in(self, browser: httpx.AsyncClient, user: Mapping[str, Any]) -> None:
        """A browser's whole dance: /auth/login, NetSuite's sign-in and consent pages, the callback."""
        page = await browser.get("/auth/login")
        page = await browser.get(page.headers["location"])
        values = {"email": user["email"], "password": user["password"], "action": "login"}
        while page.status_code == 200:  # the sign-in form, then the consent page
            action, fields = _form(page.text)
            filled = values if "email" in fields else {"action": "allow"}
            page = await browser.post(urljoin(str(page.url), action), data={**fields, **filled})
        callback = await browser.get(page.headers["location"])
        if "set-cookie" not in callback.headers:
            raise RuntimeError(f"sign-in of {user['email']} failed: {callback.status_code}")

    async def post_graphql(self, browser: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
        """The whole response body; an HTTP error status counts as an error code of its own."""
        response = await browser.post("/graphql", json={"query": query, "variables": variables})
        if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
            return {"errors": [{"extensions": {"code": f"HTTP_{response.status_code}"}}]}
        return response.json()

    async def graphql(self, browser: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.post_graphql(browser, query, **variables)
        if body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {body['errors']}")
        return body["data"]


async def access_token(sandbox: Sandbox, user: Mapping[str, Any]) -> str:
    """A viewer's access token straight from the sandbox: sign-in, consent, code exchange."""
    config = sandbox.config
    redirect_uri = config.redirect_uris[0]
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": "rest_webservices",
        "state": "bench-state-" + "x" * 16,
    }
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=60) as browser:
        page = await browser.get("/app/login/oauth2/authorize.nl", params=params)
        values = {"email": user["email"], "password": user["password"], "action": "login"}
        while page.status_code == 200:
            action, fields = _form(page.text)
            filled = values if "email" in fields else {"action": "allow"}
            page = await browser.post(urljoin(str(page.url), action), data={**fields, **filled})
        code = httpx.URL(page.headers["location"]).params["code"]
        answer = await browser.post(
            "/services/rest/auth/oauth2/v1/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
            auth=httpx.BasicAuth(config.client_id, config.client_secret),
        )
    answer.raise_for_status()
    return answer.json()["access_token"]


_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_ACTION = re.compile(r'<form\b[^>]*action="([^"]*)"', re.IGNORECASE)


def _form(html: str) -> tuple[str, dict[str, str]]:
    """The action and named input values of the page's form."""
    action = _ACTION.search(html)
    fields = {}
    for tag in _INPUT.findall(html):
        attrs = {name.lower(): unescape(value) for name, value in _ATTR.findall(tag)}
        if "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return unescape(action.group(1)) if action else "", fields


@asynccontextmanager
async def running_portal(
    *, concurrency: int, sandbox: SandboxConfig, env: Mapping[str, str] | None = None
) -> AsyncIterator[Portal]:
    """The sandbox (its limit and latency from ``sandbox``) and SuiteGraph (its gate ``concurrency``)."""
    app_socket = listening_socket()
    url = socket_url(app_socket)
    sandbox.redirect_uris = [f"{url}/auth/callback"]
    async with running_sandbox(sandbox) as upstream:
        settings = Settings.from_mapping(
            {
                "NETSUITE_ACCOUNT_ID": sandbox.account_id,
                "NETSUITE_CLIENT_ID": sandbox.client_id,
                "NETSUITE_CLIENT_SECRET": sandbox.client_secret,
                "NETSUITE_REST_URL": upstream.url,
                "NETSUITE_APP_URL": upstream.url,
                "NETSUITE_RESTLET_URL": upstream.url,
                "NETSUITE_CONCURRENCY": str(concurrency),
                "PORTAL_PUBLIC_URL": url,
                "PORTAL_SECRET_KEY": SECRET_KEY,
                "PORTAL_STORE_URL": "memory://",
                **(env or {}),
            }
        )
        app = create_app(settings)
        async with serve(app, app_socket, lifespan="on"):
            yield Portal(url=url, app=app, sandbox=upstream)


__all__ = [
    "CallLog",
    "Portal",
    "Sandbox",
    "access_token",
    "critical_path",
    "running_portal",
    "running_sandbox",
    "serve",
]
