"""Upstream faults during the dashboard query, as a client sees them: the answer NetSuite would
have given (retries absorbed the fault), or typed UPSTREAM_* errors by the request deadline; and
the service answers normally once NetSuite does."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fault_kit import DASHBOARD, NO_CACHE, SUITEQL, error_codes, set_faults, signed_in, timed
from support.portal import Portal, running_portal

DEADLINE = 1.5
# Only a guard against a hang: the deadline plus room for a loaded machine, not a performance figure.
HANG_GUARD = DEADLINE + 5


async def drained(portal: Portal) -> None:
    """Wait until NetSuite has finished the calls the service abandoned (they still count there)."""
    for _ in range(600):
        if not portal.sandbox.counters.in_flight:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("NetSuite still busy with abandoned calls after 30 s")


async def recovers(portal: Portal, browser: Any, expected: dict[str, Any]) -> None:
    await set_faults(portal)
    await drained(portal)
    assert await portal.graphql(browser, DASHBOARD) == expected


# At most three failures in all: every call has four attempts, however they interleave.
TRANSIENT = {
    "a burst of 503": {"kind": "status", "status": 503, "count": 3},
    "a burst of 500": {"kind": "status", "status": 500, "count": 3},
    "429 throttling": {"kind": "throttle", "count": 3},
    "dropped connections": {"kind": "drop", "count": 3},
}


@pytest.mark.parametrize("rule", TRANSIENT.values(), ids=TRANSIENT.keys())
async def test_transient_faults_are_absorbed_by_retries(rule: dict[str, Any]):
    async with running_portal(concurrency=2, env=NO_CACHE) as portal, signed_in(portal) as browser:
        expected = await portal.graphql(browser, DASHBOARD)
        await set_faults(portal, {"path": SUITEQL, **rule})
        result = await portal.post_graphql(browser, DASHBOARD)
        assert "errors" not in result, result["errors"]
        assert result["data"] == expected
        assert portal.sandbox.faults[0].fired == 3


async def test_a_call_past_the_per_call_timeout_is_retried():
    async with running_portal(concurrency=2, env=NO_CACHE) as portal, signed_in(portal) as browser:
        expected = await portal.graphql(browser, DASHBOARD)
        portal.app.state.services.account.http.timeout = 0.5  # the client's per-call timeout
        await set_faults(portal, {"path": SUITEQL, "kind": "delay", "delay_ms": 2000, "count": 1})
        result = await portal.post_graphql(browser, DASHBOARD)
        assert "errors" not in result, result["errors"]
        assert result["data"] == expected
        assert portal.sandbox.faults[0].fired == 1


PERSISTENT = {
    "500 on every call": ({"kind": "status", "status": 500}, {"UPSTREAM_ERROR", "UPSTREAM_BUSY"}),
    "429 on every call": ({"kind": "throttle"}, {"UPSTREAM_BUSY"}),
    "every connection dropped": ({"kind": "drop"}, {"UPSTREAM_ERROR", "UPSTREAM_BUSY"}),
    "every call slower than the deadline": ({"kind": "delay", "delay_ms": 8000}, {"UPSTREAM_BUSY"}),
}


@pytest.mark.parametrize(("rule", "allowed"), PERSISTENT.values(), ids=PERSISTENT.keys())
async def test_persistent_faults_end_in_typed_errors_by_the_deadline_and_the_service_recovers(
    rule: dict[str, Any], allowed: set[str]
):
    env = {**NO_CACHE, "PORTAL_REQUEST_DEADLINE": str(DEADLINE)}
    async with running_portal(concurrency=1, env=env) as portal, signed_in(portal) as browser:
        expected = await portal.graphql(browser, DASHBOARD)
        await set_faults(portal, {"path": SUITEQL, **rule})
        result, took = await timed(portal, browser, DASHBOARD)
        assert took < HANG_GUARD
        assert result["data"] is None  # the customer itself could not be read
        codes = error_codes(result)
        assert codes and set(codes) <= allowed, result["errors"]
        for error in result["errors"]:
            assert "SELECT" not in error["message"] and "Traceback" not in error["message"]
            assert set(error["extensions"]) <= {"code", "requestId"}
        await recovers(portal, browser, expected)


async def test_a_429_storm_over_concurrent_dashboards_answers_each_fully_or_busy():
    # Two customers, four dashboards each at once; NetSuite throttles half the calls at random.
    async with running_portal(concurrency=2, env=NO_CACHE, seed=7) as portal:
        users = portal.users[:2]
        async with signed_in(portal, users[0]) as first, signed_in(portal, users[1]) as second:
            browsers = [first, second]
            expected = [await portal.graphql(browser, DASHBOARD) for browser in browsers]
            await set_faults(portal, {"path": SUITEQL, "kind": "throttle", "probability": 0.5})
            results = await asyncio.gather(
                *(portal.post_graphql(browsers[i % 2], DASHBOARD) for i in range(8))
            )
            assert portal.sandbox.faults[0].fired > 0
            for i, result in enumerate(results):
                if "errors" in result:
                    assert set(error_codes(result)) == {"UPSTREAM_BUSY"}, result["errors"]
                else:
                    assert result["data"] == expected[i % 2]  # never another customer's answer
            for browser, answer in zip(browsers, expected, strict=True):
                await recovers(portal, browser, answer)
