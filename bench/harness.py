"""The systems a benchmark measures, each served by uvicorn on a free loopback port: the NetSuite
sandbox in a process of its own (``bench.upstream``, recording every governed call it answers), and
SuiteGraph in this event loop, wired through the configuration contract exactly as
``suitegraph serve`` wires them.

Nothing in ``graph/`` imports this module; it is the benchmark's composition root.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import urljoin

import httpx
from starlette.applications import Starlette

from bench.upstream import CALLS_PATH, VIEWER_PATH
from graph.app import create_app
from graph.config import Settings
from graph.sandbox import SandboxConfig
from graph.serving import listening_socket, serve, socket_url

SECRET_KEY = "benchmark-portal-secret-key-not-for-production"
# The benchmarks measure the service and its governor, not the per-viewer abuse limits in front.
UNLIMITED = {
    "PORTAL_RATE_LIMIT": "1000000",
    "PORTAL_RATE_BURST": "1000000",
    "PORTAL_ACCOUNT_RATE_LIMIT": "1000000",
}


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
    """The sandbox process: its URL, its settings, and what it counted."""

    url: str
    config: SandboxConfig

    async def _get(self, path: str, **params: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as control:
            response = await control.get(path, params=params)
        response.raise_for_status()
        return response.json()

    async def users(self) -> list[dict[str, Any]]:
        """The live database's customer sign-ins (email, password, customer_id, ...); the first is
        the customer with the fullest dashboard (five invoices, open orders and open cases)."""
        users = [user for user in await self._get("/__sandbox/users") if user["role"] == "customer"]
        fullest = (await self._get(VIEWER_PATH))["customer_id"]
        return sorted(users, key=lambda user: user["customer_id"] != fullest)

    async def stats(self) -> dict[str, Any]:
        """Counters: calls, peak_in_flight, rejected (429s sent), faults, by_route."""
        return await self._get("/__sandbox/stats")

    async def reset(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as control:
            (await control.post("/__sandbox/stats/reset")).raise_for_status()

    async def calls_since(self, start: float) -> list[tuple[float, float]]:
        """(start, end) of each governed call that began at or after ``start`` (time.monotonic())."""
        return [tuple(call) for call in await self._get(CALLS_PATH, since=repr(start))]  # type: ignore[misc]


@asynccontextmanager
async def running_sandbox(config: SandboxConfig) -> AsyncIterator[Sandbox]:
    """The sandbox for ``config`` in a child process on a free loopback port."""
    sock = listening_socket()
    config.base_url = socket_url(sock)
    settings = json.dumps(dataclasses.asdict(config))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.upstream", str(sock.fileno()), settings, pass_fds=(sock.fileno(),)
    )
    sandbox = Sandbox(config.base_url, config)
    try:
        async with asyncio.timeout(120):
            while True:
                try:
                    await sandbox.stats()
                    break
                except httpx.TransportError:
                    if process.returncode is not None:
                        raise RuntimeError("the sandbox process exited") from None
                    await asyncio.sleep(0.1)
        yield sandbox
    finally:
        sock.close()
        if process.returncode is None:
            process.terminate()
        await process.wait()


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
                **UNLIMITED,
                **(env or {}),
            }
        )
        app = create_app(settings)
        async with serve(app, app_socket, lifespan="on"):
            yield Portal(url=url, app=app, sandbox=upstream)


__all__ = [
    "Portal",
    "Sandbox",
    "access_token",
    "critical_path",
    "running_portal",
    "running_sandbox",
    "serve",
]
