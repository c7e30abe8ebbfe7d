"""An httpx transport that sends every request through the account's governor.

Anything built on the account's transport (our client, authlib's OAuth client) is governed: it takes
a gate slot per attempt, in the lane of the viewer it acts for, and is retried only when a repeat
cannot do harm.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

from graph.netsuite.governor import Governor, current_deadline

logger = logging.getLogger("graph.netsuite")

IDEMPOTENCY_HEADER = "X-NetSuite-Idempotency-Key"
IDEMPOTENT_EXTENSION = "suitegraph.idempotent"
ANONYMOUS_LANE = "anonymous"
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
_SUITEQL_PATH = "/query/v1/suiteql"

_lane: ContextVar[str] = ContextVar("graph_netsuite_lane", default=ANONYMOUS_LANE)


@contextmanager
def lane_scope(lane: str) -> Iterator[None]:
    """Queue the NetSuite calls made inside the block in ``lane`` (one lane per viewer)."""
    token = _lane.set(lane)
    try:
        yield
    finally:
        _lane.reset(token)


def current_lane() -> str:
    return _lane.get()


def is_retryable_request(request: httpx.Request) -> bool:
    """Whether sending ``request`` twice is harmless."""
    if request.method in _IDEMPOTENT_METHODS:
        return True
    if request.method != "POST":
        return False
    if request.url.path.endswith(_SUITEQL_PATH):
        return True  # a SuiteQL query is a read, even though it is POSTed
    return IDEMPOTENCY_HEADER in request.headers or request.extensions.get(IDEMPOTENT_EXTENSION) is True


class GovernedTransport(httpx.AsyncBaseTransport):
    """Wraps ``inner`` so that each attempt of each request holds one slot of the account's gate."""

    def __init__(self, inner: httpx.AsyncBaseTransport, governor: Governor) -> None:
        self.inner = inner
        self.governor = governor

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0

        async def send_once() -> httpx.Response:
            nonlocal attempt
            attempt += 1
            started = time.monotonic()
            try:
                response = await self.inner.handle_async_request(request)
                # The whole body is read while the slot is held: NetSuite is busy with the call until
                # it has sent it, a connection cut mid-body is a failed attempt the governor can
                # retry, and a RESTlet's request-limit 400 is told apart by its body.
                await response.aread()
            except httpx.TransportError as exc:
                _log(request, type(exc).__name__, started, attempt, logging.WARNING)
                raise
            level = (
                logging.WARNING
                if response.status_code >= 500 or response.status_code == 429
                else logging.INFO
            )
            _log(request, str(response.status_code), started, attempt, level)
            return response

        return await self.governor.send(
            current_lane(), send_once, retryable=is_retryable_request(request), deadline=current_deadline()
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def _log(request: httpx.Request, outcome: str, started: float, attempt: int, level: int) -> None:
    # Method and path only: the query string and body may hold SuiteQL, ids of other kinds or tokens.
    logger.log(
        level,
        "netsuite %s %s -> %s in %.1f ms (attempt %d)",
        request.method,
        request.url.path,
        outcome,
        (time.monotonic() - started) * 1000,
        attempt,
    )


__all__ = [
    "ANONYMOUS_LANE",
    "IDEMPOTENCY_HEADER",
    "IDEMPOTENT_EXTENSION",
    "GovernedTransport",
    "current_lane",
    "is_retryable_request",
    "lane_scope",
]
