"""Account governance over real HTTP: the concurrency limit, counters and fault rules."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from graph.sandbox import list_users
from graph.sandbox.state import ADMINISTRATOR_ROLE, CUSTOMER_CENTER_ROLE

CUSTOMER_URL = "/services/rest/record/v1/customer/{id}"
CONCURRENCY_BODY = {
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
    "title": "Bad Request",
    "status": 429,
    "o:errorCode": "USER_ERROR",
    "o:errorDetails": [
        {
            "detail": "Concurrent request limit exceeded. Request blocked.",
            "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
        }
    ],
}


async def configure(seeded, **changes) -> None:
    response = await seeded.http.patch("/__sandbox/config", json=changes)
    assert response.status_code == 200, response.text
    assert (await seeded.http.post("/__sandbox/stats/reset")).status_code == 200


async def stats(seeded) -> dict:
    return (await seeded.http.get("/__sandbox/stats")).json()


@pytest.mark.parametrize(("limit", "excess"), [(1, 2), (2, 3)])
async def test_exactly_the_calls_beyond_the_limit_get_429(seeded, limit, excess):
    # Each admitted call holds its slot for the latency, long enough for every call to arrive.
    await configure(seeded, concurrency=limit, latency_ms=1500)
    url = CUSTOMER_URL.format(id=seeded.customer["customer_id"])
    responses = await asyncio.gather(
        *(seeded.http.get(url, headers=seeded.auth()) for _ in range(limit + excess))
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [200] * limit + [429] * excess
    assert all(r.json() == CONCURRENCY_BODY for r in responses if r.status_code == 429)
    counters = await stats(seeded)
    assert (counters["calls"], counters["peak_in_flight"], counters["rejected"]) == (
        limit + excess,
        limit,
        excess,
    )
    assert counters["in_flight"] == 0
    assert counters["by_route"] == {"GET /services/rest/record/v1/customer/{id}": limit + excess}


async def test_ungoverned_paths_are_not_counted(seeded):
    await configure(seeded, concurrency=1)
    await seeded.http.get("/__sandbox/users")
    await seeded.http.get("/services/rest/auth/oauth2/v1/keys")
    assert (await stats(seeded))["calls"] == 0


async def install(seeded, *rules) -> None:
    response = await seeded.http.put("/__sandbox/faults", json=list(rules))
    assert response.status_code == 200, response.text


async def test_a_status_rule_answers_netsuites_error_then_is_spent(seeded):
    await configure(seeded, concurrency=5)
    await install(seeded, {"path": "/services/rest/query", "kind": "status", "status": 503, "count": 1})
    first = await seeded.suiteql("SELECT id FROM currency")
    assert first.status_code == 503 and first.json()["o:errorDetails"][0]["o:errorCode"] == "UNEXPECTED_ERROR"
    assert (await seeded.suiteql("SELECT id FROM currency")).status_code == 200
    counters = await stats(seeded)
    assert counters["faults"] == 1 and counters["calls"] == 2
    assert (
        counters["faults_installed"][0] | {"matched": 1, "fired": 1, "spent": True}
        == counters["faults_installed"][0]
    )


async def test_throttle_rule_answers_429_every_nth_call(seeded):
    await configure(seeded, concurrency=5)
    await install(seeded, {"path": "/services/rest/record/", "method": "GET", "kind": "throttle", "every": 2})
    url = CUSTOMER_URL.format(id=seeded.customer["customer_id"])
    codes = [(await seeded.http.get(url, headers=seeded.auth())).status_code for _ in range(4)]
    assert codes == [200, 429, 200, 429]
    counters = await stats(seeded)
    assert counters["faults"] == 2 and counters["rejected"] == 0


async def test_drop_rule_breaks_the_connection(seeded):
    await configure(seeded, concurrency=5)
    await install(seeded, {"path": "/services/rest/record/v1/CUSTOMER", "kind": "drop", "count": 1})
    url = CUSTOMER_URL.format(id=seeded.customer["customer_id"])
    with pytest.raises(httpx.TransportError):
        await seeded.http.get(url, headers=seeded.auth())
    assert (await seeded.http.get(url, headers=seeded.auth())).status_code == 200
    assert (await stats(seeded))["faults"] == 1


async def test_delay_rule_holds_the_call_and_then_answers(seeded):
    await configure(seeded, concurrency=5)
    await install(seeded, {"path": "/services/rest/query", "kind": "delay", "delay_ms": 50, "count": 1})
    response = await seeded.suiteql("SELECT id FROM currency")
    assert response.status_code == 200 and response.json()["count"] > 0
    assert (await stats(seeded))["faults_installed"][0]["fired"] == 1


async def test_token_invalid_rule_answers_401_with_the_challenge(seeded):
    await configure(seeded, concurrency=5)
    await install(seeded, {"path": "/services/rest/", "kind": "token_invalid", "count": 1})
    response = await seeded.suiteql("SELECT id FROM currency")
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_malformed_rules_are_refused(seeded):
    response = await seeded.http.put("/__sandbox/faults", json=[{"kind": "explode"}])
    assert response.status_code == 400 and "kind" in response.json()["error"]


async def test_the_control_api_lists_the_live_sign_ins_with_their_roles(seeded):
    listed = (await seeded.http.get("/__sandbox/users")).json()
    assert [user["email"] for user in listed] == [user["email"] for user in list_users(seeded.config)]
    first = listed[0]
    assert first["email"] == seeded.customer["email"] and first["password"] == seeded.customer["password"]
    assert first["role_id"] == CUSTOMER_CENTER_ROLE and first["customer_id"] == first["entity_id"]
    admin = listed[-1]
    assert admin["role"] == "administrator" and admin["role_id"] == ADMINISTRATOR_ROLE
    assert admin["customer_id"] is None
