from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from graph.netsuite import Governor, LocalGate, RetryPolicy, UpstreamBusy, current_deadline, deadline_scope

FAST = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.005)


async def spin(turns: int) -> None:
    for _ in range(turns):
        await asyncio.sleep(0)


async def test_limit_is_never_exceeded_and_no_slot_idles_while_work_waits() -> None:
    gate = LocalGate(5)
    active = 0
    most = 0
    idle_while_waiting = 0

    async def call(lane: str) -> None:
        nonlocal active, most, idle_while_waiting
        async with gate.slot(lane, deadline=None):
            active += 1
            most = max(most, active)
            assert gate.in_flight <= gate.limit
            await spin(3)
            if gate.waiting and gate.in_flight < gate.limit:
                idle_while_waiting += 1
            active -= 1

    await asyncio.gather(*(call(f"lane-{i % 20}") for i in range(200)))
    assert most == 5 and gate.peak == 5
    assert idle_while_waiting == 0
    assert gate.in_flight == 0 and gate.waiting == 0


async def test_a_freed_slot_goes_straight_to_the_next_waiter() -> None:
    gate = LocalGate(1)
    release = asyncio.Event()
    entered = asyncio.Event()

    async def holder() -> None:
        async with gate.slot("a", deadline=None):
            await release.wait()

    async def waiter() -> None:
        async with gate.slot("b", deadline=None):
            entered.set()

    tasks = [asyncio.create_task(holder()), asyncio.create_task(waiter())]
    await spin(2)
    assert gate.waiting == 1 and not entered.is_set()
    release.set()
    await spin(3)  # the holder's exit hands over; the waiter runs on its next turn, no timer involved
    assert entered.is_set()
    await asyncio.gather(*tasks)


async def test_one_lanes_burst_does_not_starve_another_lane() -> None:
    gate = LocalGate(3)
    order: list[str] = []

    async def call(lane: str) -> None:
        async with gate.slot(lane, deadline=None):
            order.append(lane)
            await spin(2)

    burst = [asyncio.create_task(call("bulk")) for _ in range(100)]
    await spin(1)
    assert gate.waiting == 97
    single = asyncio.create_task(call("viewer"))
    await asyncio.gather(single, *burst)
    # Round-robin: the single call starts once the slots held when it queued free up.
    assert order.index("viewer") <= gate.limit + 1


async def test_round_robin_alternates_between_waiting_lanes() -> None:
    gate = LocalGate(1)
    order: list[str] = []
    hold = asyncio.Event()

    async def call(lane: str, wait: bool = False) -> None:
        async with gate.slot(lane, deadline=None):
            order.append(lane)
            if wait:
                await hold.wait()

    first = asyncio.create_task(call("x", wait=True))
    await spin(1)
    tasks = [asyncio.create_task(call("a")) for _ in range(3)] + [
        asyncio.create_task(call("b")) for _ in range(3)
    ]
    await spin(1)
    hold.set()
    await asyncio.gather(first, *tasks)
    assert order == ["x", "a", "b", "a", "b", "a", "b"]


async def test_deadline_fails_fast_with_upstream_busy() -> None:
    gate = LocalGate(1)
    release = asyncio.Event()

    async def holder() -> None:
        async with gate.slot("a", deadline=None):
            await release.wait()

    task = asyncio.create_task(holder())
    await spin(1)
    with pytest.raises(UpstreamBusy):
        async with gate.slot("b", deadline=time.monotonic() + 0.03):
            pytest.fail("no slot should have been granted")
    assert not release.is_set() and not task.done()  # it gave up while the slot was still held
    with pytest.raises(UpstreamBusy):
        async with gate.slot("b", deadline=time.monotonic() - 1):
            pytest.fail("no slot should have been granted")
    assert gate.waiting == 0 and gate.in_flight == 1
    release.set()
    await task
    assert gate.in_flight == 0


async def test_cancelled_waiters_never_leak_slots() -> None:
    gate = LocalGate(2)
    release = asyncio.Event()
    done: list[int] = []

    async def call(n: int) -> None:
        async with gate.slot(f"lane-{n % 3}", deadline=None):
            await release.wait()
            done.append(n)

    tasks = [asyncio.create_task(call(n)) for n in range(12)]
    await spin(2)
    assert gate.in_flight == 2 and gate.waiting == 10
    for task in tasks[2:7]:
        task.cancel()
    await spin(2)
    assert gate.waiting == 5
    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert sum(isinstance(r, asyncio.CancelledError) for r in results) == 5
    assert sorted(done) == [0, 1, 7, 8, 9, 10, 11]
    assert gate.in_flight == 0 and gate.waiting == 0


async def test_a_waiter_cancelled_just_after_hand_off_passes_the_slot_on() -> None:
    gate = LocalGate(1)
    victim_ran = False
    later_ran = asyncio.Event()

    async def victim() -> None:
        nonlocal victim_ran
        async with gate.slot("b", deadline=None):
            victim_ran = True

    async def later() -> None:
        async with gate.slot("c", deadline=None):
            later_ran.set()

    await gate.acquire("a", None)
    doomed = asyncio.create_task(victim())
    await spin(1)
    after = asyncio.create_task(later())
    await spin(1)
    assert gate.waiting == 2
    gate.release()  # hands the slot to the victim ...
    doomed.cancel()  # ... which is cancelled before it ever runs
    await asyncio.gather(doomed, return_exceptions=True)
    await asyncio.wait_for(after, 1)
    assert not victim_ran and later_ran.is_set() and gate.in_flight == 0


def scripted(*outcomes: httpx.Response | type[Exception]) -> tuple[list[int], object]:
    calls: list[int] = []
    queue = list(outcomes)

    async def send() -> httpx.Response:
        calls.append(1)
        outcome = queue.pop(0)
        if isinstance(outcome, type):
            raise outcome("boom")
        return outcome

    return calls, send


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(429),
        httpx.Response(503),
        httpx.Response(500),
        httpx.ConnectError,
        httpx.ReadTimeout,
        httpx.Response(400, json={"error": {"code": "SSS_REQUEST_LIMIT_EXCEEDED", "message": "Limit"}}),
    ],
)
async def test_retryable_calls_are_retried_until_they_succeed(failure: object) -> None:
    governor = Governor(LocalGate(1), FAST)
    calls, send = scripted(failure, failure, httpx.Response(200))  # type: ignore[arg-type]
    response = await governor.send("a", send, retryable=True, deadline=None)  # type: ignore[arg-type]
    assert response.status_code == 200 and len(calls) == 3


async def test_non_retryable_calls_are_sent_once() -> None:
    governor = Governor(LocalGate(1), FAST)
    calls, send = scripted(httpx.Response(503), httpx.Response(200))
    response = await governor.send("a", send, retryable=False, deadline=None)  # type: ignore[arg-type]
    assert response.status_code == 503 and len(calls) == 1
    calls, send = scripted(httpx.ConnectError, httpx.Response(200))
    with pytest.raises(httpx.ConnectError):
        await governor.send("a", send, retryable=False, deadline=None)  # type: ignore[arg-type]
    assert len(calls) == 1


async def test_attempts_are_capped_and_client_errors_are_not_retried() -> None:
    governor = Governor(LocalGate(1), FAST)
    calls, send = scripted(*[httpx.Response(503)] * 5)
    assert (await governor.send("a", send, retryable=True, deadline=None)).status_code == 503  # type: ignore[arg-type]
    assert len(calls) == 4
    calls, send = scripted(*[httpx.ConnectError] * 4)
    with pytest.raises(httpx.ConnectError):
        await governor.send("a", send, retryable=True, deadline=None)  # type: ignore[arg-type]
    assert len(calls) == 4
    for status in (400, 401, 404):
        calls, send = scripted(httpx.Response(status), httpx.Response(200))
        assert (await governor.send("a", send, retryable=True, deadline=None)).status_code == status  # type: ignore[arg-type]
        assert len(calls) == 1


async def test_the_slot_is_released_during_backoff() -> None:
    gate = LocalGate(1)
    governor = Governor(
        gate, RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.05, jitter=lambda _a, b: b)
    )
    events: list[str] = []
    responses = [httpx.Response(503), httpx.Response(200)]

    async def flaky() -> httpx.Response:
        events.append("flaky")
        return responses.pop(0)

    async def other() -> httpx.Response:
        events.append("other")
        return httpx.Response(200)

    first = asyncio.create_task(governor.send("a", flaky, retryable=True, deadline=None))
    await spin(3)  # the first attempt runs and its backoff begins
    assert events == ["flaky"] and gate.in_flight == 0  # backing off, not holding the slot
    await governor.send("b", other, retryable=True, deadline=None)
    assert (await first).status_code == 200
    assert events == ["flaky", "other", "flaky"]


async def test_backoff_never_sleeps_past_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("graph.netsuite.governor.asyncio.sleep", sleep)
    governor = Governor(LocalGate(1), RetryPolicy(attempts=4, base_delay=1.0, max_delay=10.0))
    calls, send = scripted(httpx.Response(429, headers={"Retry-After": "5"}), httpx.Response(200))
    response = await governor.send("a", send, retryable=True, deadline=time.monotonic() + 0.05)  # type: ignore[arg-type]
    assert response.status_code == 429 and len(calls) == 1 and slept == []


async def test_a_read_past_the_deadline_answers_busy_but_keeps_its_slot_until_netsuite_answers() -> None:
    gate = LocalGate(1)
    governor = Governor(gate, FAST)
    release = asyncio.Event()
    sent: list[str] = []

    async def slow() -> httpx.Response:
        sent.append("slow")
        await release.wait()
        return httpx.Response(200)

    with pytest.raises(UpstreamBusy):
        await governor.send("a", slow, retryable=True, deadline=time.monotonic() + 0.02)
    # NetSuite still works on the abandoned call: the gate still counts it, so nothing else starts.
    assert sent == ["slow"] and gate.in_flight == 1
    release.set()
    await spin(3)
    assert gate.in_flight == 0


async def test_a_write_that_may_not_be_repeated_is_waited_for_past_the_deadline() -> None:
    governor = Governor(LocalGate(1), FAST)

    async def slow_write() -> httpx.Response:
        await asyncio.sleep(0.05)
        return httpx.Response(204)

    # The caller must learn whether the write happened, so its answer is awaited.
    response = await governor.send("a", slow_write, retryable=False, deadline=time.monotonic() + 0.01)
    assert response.status_code == 204


def test_full_jitter_is_capped_by_max_delay() -> None:
    seen: list[tuple[float, float]] = []
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0, jitter=lambda a, b: seen.append((a, b)) or b)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5, 10)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert all(low == 0.0 for low, _ in seen)
    real = RetryPolicy(base_delay=0.1, max_delay=0.3)
    delays = [real.delay(attempt) for attempt in range(1, 8) for _ in range(50)]
    assert all(0.0 <= d <= 0.3 for d in delays) and len(set(delays)) > 10


def test_retry_after_is_honoured_up_to_max_delay() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=2.0, jitter=lambda a, b: b)
    assert policy.delay(1, "1") == 1.0
    assert policy.delay(1, "30") == 2.0
    assert policy.delay(1, "0") == 0.0
    future = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert policy.delay(1, future) == 2.0
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=60), usegmt=True)
    assert policy.delay(1, past) == 0.0
    assert policy.delay(1, "soon") == 0.1


def test_deadline_scope_nests_by_shortening() -> None:
    assert current_deadline() is None
    with deadline_scope(10) as outer:
        assert current_deadline() == outer
        with deadline_scope(60) as inner:
            assert inner == outer
        with deadline_scope(1) as inner:
            assert inner < outer and current_deadline() == inner
        assert current_deadline() == outer
    assert current_deadline() is None
