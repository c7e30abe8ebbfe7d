"""The governor: one account-wide gate for every upstream call, and retries with jittered backoff.

NetSuite governs concurrency per account (REST, RESTlets and SOAP share one pool), so every call
takes a slot from a ``Gate`` for the account before it is sent, and gives it back as soon as the
response arrives, including while it waits to retry. ``LocalGate`` is the in-process gate; a gate
shared by several instances implements the same ``Gate`` protocol.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Protocol

import httpx

from graph.netsuite.errors import ConcurrencyLimited, UpstreamBusy, error_from_response

_deadline: ContextVar[float | None] = ContextVar("graph_netsuite_deadline", default=None)


@contextmanager
def deadline_scope(seconds: float) -> Iterator[float]:
    """Give every NetSuite call made inside the block until ``seconds`` from now to start.

    A nested scope can only shorten the deadline of the scope around it.
    """
    deadline = time.monotonic() + seconds
    outer = _deadline.get()
    if outer is not None:
        deadline = min(deadline, outer)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


def current_deadline() -> float | None:
    """The ``time.monotonic()`` instant set by the innermost ``deadline_scope``, if any."""
    return _deadline.get()


class Gate(Protocol):
    """Admits at most a fixed number of calls at once; ``lane`` names whose call it is (fairness)."""

    def slot(self, lane: str, *, deadline: float | None) -> AbstractAsyncContextManager[None]:
        """Hold one slot for the ``async with`` block; raise UpstreamBusy if none is free by ``deadline``."""
        ...


class LocalGate:
    """An in-process gate: per-lane FIFO queues served round-robin, freed slots handed over directly.

    A released slot goes straight to the next waiter (no polling, no idle slot while work waits);
    lanes take turns, so one lane's burst waits behind, not in front of, another lane's single call.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a gate needs at least one slot")
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        # Lanes with waiters, in the order they are next served.
        self._lanes: dict[str, deque[asyncio.Future[None]]] = {}

    @property
    def waiting(self) -> int:
        return sum(1 for queue in self._lanes.values() for future in queue if not future.done())

    def slot(self, lane: str, *, deadline: float | None) -> AbstractAsyncContextManager[None]:
        return _Slot(self, lane, deadline)

    async def acquire(self, lane: str, deadline: float | None) -> None:
        # A spent deadline starts nothing, free slot or not: its request has already answered busy.
        if deadline is not None and deadline <= time.monotonic():
            raise UpstreamBusy()
        if self.in_flight < self.limit and not self._lanes:
            self._take()
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._lanes.setdefault(lane, deque()).append(future)
        timer = None
        if deadline is not None:
            timer = loop.call_at(loop.time() + (deadline - time.monotonic()), self._expire, lane, future)
        self._dispatch()
        try:
            await future
        except BaseException:
            if future.done() and not future.cancelled() and future.exception() is None:
                self.release()  # the slot was handed over just as this waiter gave up: pass it on
            else:
                self._discard(lane, future)
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def release(self) -> None:
        self.in_flight -= 1
        self._dispatch()

    def _take(self) -> None:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)

    def _dispatch(self) -> None:
        while self.in_flight < self.limit:
            future = self._next_waiter()
            if future is None:
                return
            self._take()
            future.set_result(None)

    def _next_waiter(self) -> asyncio.Future[None] | None:
        while self._lanes:
            lane, queue = next(iter(self._lanes.items()))
            future = queue.popleft()
            del self._lanes[lane]
            if queue:
                self._lanes[lane] = queue  # to the back of the round
            if not future.done():
                return future
        return None

    def _expire(self, lane: str, future: asyncio.Future[None]) -> None:
        if not future.done():
            self._discard(lane, future)
            future.set_exception(UpstreamBusy())

    def _discard(self, lane: str, future: asyncio.Future[None]) -> None:
        queue = self._lanes.get(lane)
        if queue is None:
            return
        try:
            queue.remove(future)
        except ValueError:
            return
        if not queue:
            del self._lanes[lane]


class _Slot:
    __slots__ = ("_deadline", "_gate", "_lane")

    def __init__(self, gate: LocalGate, lane: str, deadline: float | None) -> None:
        self._gate, self._lane, self._deadline = gate, lane, deadline

    async def __aenter__(self) -> None:
        await self._gate.acquire(self._lane, self._deadline)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._gate.release()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)  # RFC 9110 says whole seconds; a gateway may send "1.5"
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter; ``Retry-After`` wins, up to ``max_delay``."""

    attempts: int = 4
    base_delay: float = 0.1
    max_delay: float = 2.0
    jitter: Callable[[float, float], float] = field(default=random.uniform, repr=False, compare=False)

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.max_delay)
        return self.jitter(0.0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def is_retryable_response(response: httpx.Response) -> bool:
    """Whether NetSuite asked us to come back later: 429, 5xx, or a RESTlet's request-limit 400."""
    status = response.status_code
    if status == 429 or status >= 500:
        return True
    return status == 400 and isinstance(error_from_response(response), ConcurrencyLimited)


class Governor:
    """Sends calls through the gate, one slot per attempt, retrying only what may be retried."""

    def __init__(self, gate: Gate, policy: RetryPolicy | None = None) -> None:
        self.gate = gate
        self.policy = policy or RetryPolicy()

    async def send(
        self,
        lane: str,
        send: Callable[[], Awaitable[httpx.Response]],
        *,
        retryable: bool,
        deadline: float | None,
    ) -> httpx.Response:
        """The response of the last attempt (which may be an error response); transport errors raise."""
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            failure: httpx.TransportError | None = None
            try:
                response = await self._attempt(lane, send, deadline=deadline, abandonable=retryable)
            except httpx.TransportError as exc:
                failure = exc
            if response is not None and not is_retryable_response(response):
                return response
            if not retryable or attempt >= self.policy.attempts:
                break
            delay = self.policy.delay(attempt, response.headers.get("Retry-After") if response else None)
            if deadline is not None and time.monotonic() + delay >= deadline:
                break
            if response is not None:
                await response.aclose()
            await asyncio.sleep(delay)
        if response is not None:
            return response
        assert failure is not None
        raise failure

    async def _attempt(
        self,
        lane: str,
        send: Callable[[], Awaitable[httpx.Response]],
        *,
        deadline: float | None,
        abandonable: bool,
    ) -> httpx.Response:
        """One call in one slot. The request stops waiting for a call that may be repeated at its
        deadline (UpstreamBusy), but the call keeps its slot until NetSuite answers it: the gate
        counts what NetSuite counts as in flight, so an abandoned call never lets one more in."""

        async def in_slot() -> httpx.Response:
            async with self.gate.slot(lane, deadline=deadline):
                return await send()

        if not abandonable or deadline is None:
            return await in_slot()
        call = asyncio.ensure_future(in_slot())
        try:
            return await asyncio.wait_for(asyncio.shield(call), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            call.add_done_callback(_settle)
            raise UpstreamBusy() from None
        except asyncio.CancelledError:
            call.add_done_callback(_settle)
            raise


def _settle(call: asyncio.Future[httpx.Response]) -> None:
    # Nobody awaits an abandoned call: take its outcome so that asyncio does not report it.
    if not call.cancelled():
        call.exception()


__all__ = [
    "Gate",
    "Governor",
    "LocalGate",
    "RetryPolicy",
    "current_deadline",
    "deadline_scope",
    "is_retryable_response",
    "parse_retry_after",
]
