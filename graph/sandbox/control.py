"""The sandbox's control API under ``/__sandbox/`` (not a NetSuite path): tests, benchmarks and tools.

- ``GET /__sandbox/stats``: counters (calls, in flight, peak, rejected, faults, by route), the
  current limit and latency, live token counts and the fault rules with their hit counts;
- ``POST /__sandbox/stats/reset``: zero the counters;
- ``GET|PUT|POST|DELETE /__sandbox/faults``: read, replace, append to or clear the fault rules;
- ``PATCH /__sandbox/config``: change latency_ms, concurrency and token lifetimes at runtime;
- ``GET /__sandbox/users``: the seeded portal users with their passwords (it is a sandbox);
- ``POST /__sandbox/tokens/expire`` (``{"tokens": "access" | "refresh" | "all"}``, default access),
  ``POST /__sandbox/tokens/revoke`` (every refresh token and its access tokens) and
  ``DELETE /__sandbox/sessions`` (sign every browser out, forget remembered consents).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.sandbox.db import users_in
from graph.sandbox.faults import FaultRuleError, parse_rules
from graph.sandbox.oauth import portal_user, server
from graph.sandbox.state import SandboxState

PREFIX = "/__sandbox"
# Runtime-tunable settings, each with its type and smallest allowed value.
TUNABLE: dict[str, tuple[type, float]] = {
    "latency_ms": (float, 0),
    "concurrency": (int, 1),
    "access_token_ttl": (int, 0),
    "refresh_token_ttl": (int, 0),
    "code_ttl": (int, 0),
}


class _BadRequest(Exception):
    pass


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox


def _problem(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request) -> Any:
    body = await request.body()
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        raise _BadRequest("the body is not valid JSON") from None


def stats_snapshot(state: SandboxState) -> dict[str, Any]:
    return {
        **state.counters.snapshot(),
        "concurrency": state.config.concurrency,
        "latency_ms": state.config.latency_ms,
        "tokens": server(state).counts(),
        "faults_installed": [rule.to_dict() for rule in state.faults],
    }


async def stats(request: Request) -> Response:
    return JSONResponse(stats_snapshot(_state(request)))


async def reset_stats(request: Request) -> Response:
    state = _state(request)
    state.counters.reset()
    return JSONResponse(stats_snapshot(state))


async def faults(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.faults.clear()
    elif request.method in ("PUT", "POST"):
        try:
            rules = parse_rules(await _json(request) or [])
        except (_BadRequest, FaultRuleError) as error:
            return _problem(str(error))
        if request.method == "PUT":
            state.faults[:] = rules
        else:
            state.faults.extend(rules)
    return JSONResponse([rule.to_dict() for rule in state.faults])


def apply_config(state: SandboxState, changes: Any) -> None:
    """Validate and apply runtime config changes; raises ValueError naming the bad key."""
    if not isinstance(changes, dict) or not changes:
        raise ValueError(f"send a JSON object with any of: {', '.join(TUNABLE)}")
    unknown = sorted(set(changes) - set(TUNABLE))
    if unknown:
        raise ValueError(f"not tunable at runtime: {', '.join(unknown)}")
    parsed = {}
    for name, value in changes.items():
        kind, minimum = TUNABLE[name]
        valid = not isinstance(value, bool) and isinstance(value, int if kind is int else int | float)
        if not valid or value < minimum:
            raise ValueError(
                f"{name} must be {'an integer' if kind is int else 'a number'} of at least {minimum}"
            )
        parsed[name] = kind(value)
    for name, value in parsed.items():
        setattr(state.config, name, value)


async def patch_config(request: Request) -> Response:
    state = _state(request)
    try:
        apply_config(state, await _json(request))
    except (_BadRequest, ValueError) as error:
        return _problem(str(error))
    return JSONResponse({name: getattr(state.config, name) for name in TUNABLE})


def seeded_users(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every portal sign-in of the live database, customers first, with role ids and passwords."""
    return [{**user, "role_id": portal_user(user).role_id} for user in users_in(db)]


async def users(request: Request) -> Response:
    return JSONResponse(seeded_users(_state(request).db))


async def expire_tokens(request: Request) -> Response:
    state = _state(request)
    try:
        body = await _json(request) or {}
    except _BadRequest as error:
        return _problem(str(error))
    which = body.get("tokens", "access") if isinstance(body, dict) else None
    if which not in ("access", "refresh", "all"):
        return _problem('"tokens" must be "access", "refresh" or "all"')
    server(state).expire(access=which in ("access", "all"), refresh=which in ("refresh", "all"))
    return JSONResponse(server(state).counts())


async def revoke_tokens(request: Request) -> Response:
    state = _state(request)
    server(state).revoke_all()
    return JSONResponse(server(state).counts())


async def forget_sessions(request: Request) -> Response:
    state = _state(request)
    server(state).forget_sessions()
    return JSONResponse(server(state).counts())


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/stats", stats, methods=["GET"]),
        Route(f"{PREFIX}/stats/reset", reset_stats, methods=["POST"]),
        Route(f"{PREFIX}/faults", faults, methods=["GET", "PUT", "POST", "DELETE"]),
        Route(f"{PREFIX}/config", patch_config, methods=["PATCH"]),
        Route(f"{PREFIX}/users", users, methods=["GET"]),
        Route(f"{PREFIX}/tokens/expire", expire_tokens, methods=["POST"]),
        Route(f"{PREFIX}/tokens/revoke", revoke_tokens, methods=["POST"]),
        Route(f"{PREFIX}/sessions", forget_sessions, methods=["DELETE"]),
    ]


__all__ = ["PREFIX", "TUNABLE", "apply_config", "routes", "seeded_users", "stats_snapshot"]
