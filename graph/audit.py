"""The audit trail: one JSON line per GraphQL operation and per sign-in, sign-out and refresh.

Lines go to the ``suitegraph.audit`` logger. They name who did what and how it ended (ids, names,
counts, outcome), never a token, secret, cookie, document text or variable value.

The request id and the upstream call tally live in context variables: set once per request by the
app, they are seen by everything that runs for it, dataloader batches included.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

audit_log = logging.getLogger("suitegraph.audit")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass
class RequestTrace:
    """What one request did upstream; shared by every task the request starts."""

    request_id: str
    upstream_calls: int = 0


_trace: ContextVar[RequestTrace | None] = ContextVar("suitegraph_request_trace", default=None)


def new_request_id(offered: str | None = None) -> str:
    """A proxy's ``X-Request-Id`` when it is a plain token, else a fresh random one."""
    if offered and _REQUEST_ID.match(offered):
        return offered
    return secrets.token_hex(8)


@contextmanager
def request_scope(request_id: str) -> Iterator[RequestTrace]:
    trace = RequestTrace(request_id)
    token = _trace.set(trace)
    try:
        yield trace
    finally:
        _trace.reset(token)


def current_request_id() -> str | None:
    trace = _trace.get()
    return trace.request_id if trace is not None else None


def viewer_label(session: Any) -> str | None:
    """How audit lines name a signed-in session's customer and user (ids only)."""
    if session is None:
        return None
    return f"customer:{session.customer_id}/entity:{session.entity_id}"


async def count_upstream_call(request: Any) -> None:
    """An httpx request hook: one more NetSuite call made for the current request."""
    trace = _trace.get()
    if trace is not None:
        trace.upstream_calls += 1


def audit(event: str, *, outcome: str, **fields: Any) -> None:
    """Write one audit line; ``fields`` must hold only ids, names, counts and codes."""
    trace = _trace.get()
    line: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "event": event,
        "requestId": trace.request_id if trace else None,
        **fields,
        "outcome": outcome,
    }
    if trace is not None and "upstreamCalls" not in fields:
        line["upstreamCalls"] = trace.upstream_calls
    audit_log.info(json.dumps(line, separators=(",", ":"), sort_keys=False, default=str))


__all__ = [
    "RequestTrace",
    "audit",
    "audit_log",
    "count_upstream_call",
    "current_request_id",
    "new_request_id",
    "request_scope",
    "viewer_label",
]
