"""Account governance of the sandbox's NetSuite API paths: concurrency limit, latency, faults, counters.

``GovernanceMiddleware`` is pure ASGI and wraps the REST record, SuiteQL, async-job and RESTlet
paths (NETSUITE.md §6); the OAuth endpoints and the control API are not governed. A call that
arrives while ``config.concurrency`` calls are in flight is rejected at once: REST answers 429
``CONCURRENCY_LIMIT_EXCEEDED``, RESTlets 400 ``SSS_REQUEST_LIMIT_EXCEEDED``. An admitted call is
held for ``config.latency_ms`` inside its in-flight window, so that the limit bites as it does on
a real account, and may meet a fault rule (see ``faults.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import string

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.sandbox.errors import concurrency_response, error_response, invalid_login_response
from graph.sandbox.faults import FaultRule, pick_fault
from graph.sandbox.state import SandboxState

RESTLET_PATH = "/app/site/hosting/restlet.nl"
GOVERNED_PREFIXES = ("/services/rest/record/", "/services/rest/query/", "/services/rest/async/", RESTLET_PATH)
# RESTlet errors are SuiteScript's format; the limit error was captured with these very spaces.
RESTLET_LIMIT_BODY = (
    b'{"error" : {"code" : "SSS_REQUEST_LIMIT_EXCEEDED" ,"message" : "Request Limit Exceeded!"}}'
)
_ID_SEGMENT = re.compile(r"^(?:\d+|eid:.*)$", re.IGNORECASE)
_DEFAULT_CODES = {
    400: "USER_ERROR",
    401: "INVALID_LOGIN",
    403: "INSUFFICIENT_PERMISSION",
    404: "NONEXISTENT_ID",
}
_DEFAULT_DETAILS = {
    400: "Error while accessing a resource.",
    403: "Permission Violation: You need a higher level of permission to access this resource.",
    404: "The record instance does not exist. Provide a valid record instance ID.",
}


def is_governed(path: str) -> bool:
    return path.startswith(GOVERNED_PREFIXES)


def route_key(method: str, path: str) -> str:
    """``"GET /services/rest/record/v1/customer/{id}"``: the counter a call is tallied under."""
    segments = ["{id}" if _ID_SEGMENT.match(segment) else segment for segment in path.lower().split("/")]
    return f"{method} {'/'.join(segments)}"


def error_id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(20))


def restlet_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """A RESTlet (SuiteScript) error body: ``{"error": {"code": ..., "message": ...}}``."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def restlet_invalid_login(realm: str) -> Response:
    header = f'Bearer realm="{realm}", error="invalid_token", error_description="Invalid login attempt."'
    return restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.", {"WWW-Authenticate": header})


def limit_response(restlet: bool) -> Response:
    if restlet:
        return Response(RESTLET_LIMIT_BODY, status_code=400, media_type="application/json")
    return concurrency_response()


def fault_response(rule: FaultRule, *, restlet: bool, realm: str) -> Response:
    """What a ``status``, ``throttle`` or ``token_invalid`` rule answers."""
    if rule.kind == "throttle":
        return limit_response(restlet)
    if rule.kind == "token_invalid":
        if restlet:
            header = (
                f'Bearer realm="{realm}", error="invalid_token", error_description="Invalid login attempt."'
            )
            return restlet_error(
                401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.", {"WWW-Authenticate": header}
            )
        return invalid_login_response(realm)
    status = rule.status
    if status == 401 and rule.code is None and rule.detail is None:
        return fault_response(FaultRule(kind="token_invalid"), restlet=restlet, realm=realm)
    code = rule.code or _DEFAULT_CODES.get(status, "UNEXPECTED_ERROR")
    detail = (
        rule.detail or _DEFAULT_DETAILS.get(status) or f"An unexpected error occurred. Error ID: {error_id()}"
    )
    if restlet:
        return restlet_error(status, code, detail)
    return error_response(status, code, detail)


async def drop_connection(send: Send) -> None:
    """Start a response and break it off: the client sees a transport error, never a result.

    ASGI has no "abort"; declaring a Content-Length and returning before it is met makes the
    server close the connection, which HTTP clients report as a protocol error.
    """
    body = json.dumps({"status": "pending"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body) + 64).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body[:1], "more_body": True})


class GovernanceMiddleware:
    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_governed(scope["path"]):
            await self.app(scope, receive, send)
            return
        state, counters = self.state, self.state.counters
        method, path = scope["method"], scope["path"]
        restlet = path == RESTLET_PATH
        key = route_key(method, path)
        counters.calls += 1
        counters.by_route[key] = counters.by_route.get(key, 0) + 1
        # No await between the check and the increment: admission is atomic on the event loop.
        if counters.in_flight >= state.config.concurrency:
            counters.rejected += 1
            await limit_response(restlet)(scope, receive, send)
            return
        counters.in_flight += 1
        counters.peak_in_flight = max(counters.peak_in_flight, counters.in_flight)
        try:
            rule = pick_fault(state.faults, method, path, state.rng)
            if rule is not None:
                counters.faults += 1
            if rule is not None and rule.kind == "throttle":
                await fault_response(rule, restlet=restlet, realm=state.config.account_id)(
                    scope, receive, send
                )
                return
            delay_ms = state.config.latency_ms + (rule.delay_ms if rule is not None else 0.0)
            if delay_ms > 0:
                await asyncio.sleep(delay_ms / 1000)
            if rule is None or rule.kind == "delay":
                await self.app(scope, receive, send)
            elif rule.kind == "drop":
                await drop_connection(send)
            elif rule.kind == "lose_response":
                await self._process_and_lose(scope, receive, send)
            else:
                await fault_response(rule, restlet=restlet, realm=state.config.account_id)(
                    scope, receive, send
                )
        finally:
            counters.in_flight -= 1

    async def _process_and_lose(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def withhold(message: Message) -> None:
            return None

        # The call's effects stand (a record is created) whatever it answered; only the answer is lost.
        with contextlib.suppress(Exception):
            await self.app(scope, receive, withhold)
        await drop_connection(send)


__all__ = [
    "GOVERNED_PREFIXES",
    "RESTLET_LIMIT_BODY",
    "RESTLET_PATH",
    "GovernanceMiddleware",
    "drop_connection",
    "error_id",
    "fault_response",
    "is_governed",
    "limit_response",
    "restlet_error",
    "restlet_invalid_login",
    "route_key",
]
