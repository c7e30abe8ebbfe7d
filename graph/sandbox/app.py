"""Assembly of the NetSuite sandbox: one Starlette app answering like an account's hosts do.

Usage::

    app = create_sandbox(SandboxConfig(concurrency=2, latency_ms=150), faults=[{"kind": "drop", "count": 1}])
    state = app.state.sandbox          # SandboxState: config, database, counters, fault rules

It serves the OAuth 2.0 endpoints (authorize.nl, token, revoke, keys), SuiteQL, the REST record
and async-job routes, one demo RESTlet and the ``/__sandbox/`` control API. The governed paths
pass through ``GovernanceMiddleware``. Errors are NetSuite's JSON; no traceback reaches a client.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from graph.sandbox import control, oauth, records, suiteql
from graph.sandbox.config import SandboxConfig
from graph.sandbox.db import build_database
from graph.sandbox.errors import error_response
from graph.sandbox.faults import parse_rules
from graph.sandbox.governance import (
    RESTLET_PATH,
    GovernanceMiddleware,
    error_id,
    restlet_error,
    restlet_invalid_login,
)
from graph.sandbox.state import SandboxState

# The demo RESTlet: (script, deploy) as script ids or as their numeric internal ids.
PING_SCRIPT = ("customscript_sg_ping", "customdeploy_sg_ping")
_PING_IDS = {PING_SCRIPT, ("1", "1")}
_INVALID_SCRIPT = "That Suitelet is invalid, disabled, or no longer exists."


def create_sandbox(
    config: SandboxConfig | None = None,
    faults: list[dict[str, Any]] | None = None,
    *,
    db: sqlite3.Connection | None = None,
) -> Starlette:
    """The sandbox app for ``config``; ``faults`` are rules installed at start (see faults.py).

    ``db`` replaces the seeded database (tests); it must have the sandbox's schema.
    Raises ``FaultRuleError`` (a ValueError) for a malformed rule.
    """
    config = config or SandboxConfig()
    if db is None:
        db = build_database(config)
    state = SandboxState(config=config, db=db)
    state.faults[:] = parse_rules(faults or [])
    routes: list[BaseRoute] = [
        *oauth.routes(),
        *suiteql.routes(),
        *records.routes(),
        Route(RESTLET_PATH, restlet, methods=["GET", "POST", "PUT", "DELETE"]),
        *control.routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(GovernanceMiddleware, state=state)],
        exception_handlers={404: not_found, 405: method_not_allowed, Exception: server_error},
    )
    app.state.sandbox = state
    return app


def _is_rest(request: Request) -> bool:
    return request.url.path.startswith("/services/rest/")


async def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path == RESTLET_PATH:
        return restlet_error(404, "SSS_INVALID_SCRIPTLET_ID", _INVALID_SCRIPT)
    if not _is_rest(request):
        return PlainTextResponse("Not Found", status_code=404)
    detail = "The requested resource does not exist. Check the path of the request."
    return error_response(404, "NONEXISTENT_ID", detail, errorUrl=request.url.path)


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if not _is_rest(request):
        return PlainTextResponse("Method Not Allowed", status_code=405, headers=headers)
    detail = f"The HTTP method {request.method} is not allowed for this resource."
    return error_response(405, "INVALID_REQUEST", detail, headers=headers, errorUrl=request.url.path)


async def server_error(request: Request, exc: Exception) -> Response:
    # The traceback goes to the server log only; the client sees NetSuite's opaque error.
    detail = f"An unexpected error occurred. Error ID: {error_id()}"
    if request.url.path == RESTLET_PATH:
        return restlet_error(500, "UNEXPECTED_ERROR", detail)
    if request.url.path.startswith("/__sandbox/"):
        return JSONResponse({"error": "unexpected error"}, status_code=500)
    return error_response(500, "UNEXPECTED_ERROR", detail)


async def restlet(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    principal = oauth.authenticate(state, request.headers.get("authorization"), required_scope="restlets")
    if principal is None:
        return restlet_invalid_login(state.config.account_id)
    query = request.query_params
    script, deploy = query.get("script", ""), query.get("deploy", "")
    if (script.lower(), deploy.lower()) not in _PING_IDS:
        return restlet_error(400, "SSS_INVALID_SCRIPTLET_ID", _INVALID_SCRIPT)
    body = await request.body()
    answer: dict[str, Any] = {
        "script": PING_SCRIPT[0],
        "method": request.method,
        "role": principal.role_id,
        "entity": principal.entity_id,
        "params": {key: value for key, value in query.items() if key not in ("script", "deploy")},
    }
    if request.method in ("GET", "DELETE"):
        if body:
            return restlet_error(400, "INVALID_REQUEST", "A GET or DELETE request must not have a body.")
        return JSONResponse(answer)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        message = "Invalid content type. You can only use application/json."
        return restlet_error(415, "INVALID_REQUEST", message)
    try:
        answer["echo"] = json.loads(body) if body else None
    except ValueError:
        return restlet_error(400, "SYNTAX_ERROR", "The request body is not valid JSON.")
    return JSONResponse(answer)


__all__ = ["PING_SCRIPT", "create_sandbox"]
