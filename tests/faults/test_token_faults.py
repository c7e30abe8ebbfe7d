"""Token and session-store faults at the GraphQL level: expiry in the middle of a burst, revocation at
NetSuite in the middle of a session, and a session store that stops answering."""

from __future__ import annotations

import asyncio
from typing import Any

from fault_kit import DASHBOARD, NO_CACHE, error_codes, signed_in
from support.portal import Portal, running_portal

from graph.sandbox.oauth import server
from graph.store import StoreError

PAGE = "{ viewer { customer { companyName invoices(first: %d) { totalCount } } } }"
STORE_OPERATIONS = ("get", "set", "add", "pop", "delete", "ping")


async def sandbox_control(portal: Portal, path: str, **body: Any) -> None:
    async with portal.control() as control:
        answer = await control.post("/__sandbox" + path, json=body or None)
        assert answer.status_code == 200, answer.text


async def test_an_access_token_expiring_in_the_middle_of_a_burst_costs_one_refresh():
    async with running_portal(concurrency=2, latency_ms=20, env=NO_CACHE) as portal:
        async with signed_in(portal) as browser:
            auth = server(portal.sandbox)
            before = auth.requests["refresh_token"]
            burst = [asyncio.ensure_future(portal.post_graphql(browser, PAGE % n)) for n in range(1, 31)]
            for _ in range(500):  # until some calls went out with the old token, most still to come
                if portal.upstream_calls() >= 5:
                    break
                await asyncio.sleep(0.01)
            await sandbox_control(portal, "/tokens/expire", tokens="access")
            still_running = sum(not task.done() for task in burst)
            results = await asyncio.gather(*burst)
        assert still_running > 0  # the expiry did land in the middle of the burst
        assert [result.get("errors") for result in results] == [None] * len(results)
        assert auth.requests["refresh_token"] == before + 1


async def test_a_refresh_token_revoked_mid_session_answers_unauthenticated_with_a_login_url():
    async with running_portal(concurrency=2, env=NO_CACHE) as portal, signed_in(portal) as browser:
        await portal.graphql(browser, DASHBOARD)
        await sandbox_control(portal, "/tokens/revoke")
        results = await asyncio.gather(*(portal.post_graphql(browser, PAGE % n) for n in range(1, 6)))
        for result in results:
            assert result["data"] is None
            (error,) = result["errors"]
            assert error["extensions"]["code"] == "UNAUTHENTICATED"
            assert error["extensions"]["loginUrl"] == portal.url + "/auth/login"


def break_store(portal: Portal, operations: tuple[str, ...] = STORE_OPERATIONS) -> None:
    """Make the app's store fail as a broken disk or database would (restore with ``mend_store``)."""
    store = portal.app.state.services.store

    async def unavailable(*args: Any, **kwargs: Any) -> None:
        raise StoreError("disk I/O error")

    for name in operations:
        setattr(store, name, unavailable)


def mend_store(portal: Portal) -> None:
    store = portal.app.state.services.store
    for name in STORE_OPERATIONS:
        store.__dict__.pop(name, None)


async def test_an_unavailable_session_store_is_a_typed_503_and_readyz_says_so():
    async with running_portal(env=NO_CACHE) as portal, signed_in(portal) as browser:
        expected = await portal.graphql(browser, DASHBOARD)
        break_store(portal)
        answer = await browser.post("/graphql", json={"query": DASHBOARD})
        assert answer.status_code == 503 and answer.headers["retry-after"]
        assert answer.headers["content-type"].startswith("application/json")
        (error,) = answer.json()["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert "disk" not in error["message"] and "Traceback" not in answer.text
        ready = await browser.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        signed_out = await browser.post("/auth/logout", headers={"accept": "application/json"})
        assert signed_out.status_code == 503
        assert signed_out.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        mend_store(portal)
        assert (await browser.get("/readyz")).status_code == 200
        assert await portal.graphql(browser, DASHBOARD) == expected  # the session survived


async def test_a_store_failing_during_a_token_refresh_is_a_typed_error_inside_graphql():
    async with running_portal(env=NO_CACHE) as portal, signed_in(portal) as browser:
        expected = await portal.graphql(browser, DASHBOARD)
        await sandbox_control(portal, "/tokens/expire", tokens="access")
        break_store(
            portal, ("set", "add", "pop", "delete")
        )  # reads work, the refreshed tokens cannot be kept
        result = await portal.post_graphql(browser, DASHBOARD)
        assert result["data"] is None
        assert set(error_codes(result)) == {"SERVICE_UNAVAILABLE"}, result["errors"]
        mend_store(portal)
        assert await portal.graphql(browser, DASHBOARD) == expected
