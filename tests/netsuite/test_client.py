from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
import respx

from graph.netsuite import (
    AuthenticationFailed,
    ConcurrencyLimited,
    IdempotencyConflict,
    InvalidRequest,
    LocalGate,
    NetSuiteAccount,
    NetSuiteClient,
    RecordNotFound,
    UpstreamBusy,
    UpstreamUnavailable,
    deadline_scope,
    lane_scope,
    render,
)

from .conftest import BASE, FAST, HOSTS, RESTLETS, SUITEQL, Tokens

RECORDS = f"{BASE}/services/rest/record/v1"
RESTLET = f"{RESTLETS}/app/site/hosting/restlet.nl"


def suiteql_pages(total: int):
    """A SuiteQL endpoint over ``total`` rows that honours limit/offset like NetSuite."""

    def handler(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        ids = range(offset, min(offset + limit, total))
        items = [{"links": [], "id": str(i), "total": f"{i}.50"} for i in ids]
        return httpx.Response(
            200,
            json={
                "links": [],
                "count": len(items),
                "hasMore": offset + limit < total,
                "items": items,
                "offset": offset,
                "totalResults": total,
            },
        )

    return handler


# ---- SuiteQL paging -------------------------------------------------------------------------


async def test_suiteql_collects_every_page(router: respx.MockRouter, client: NetSuiteClient) -> None:
    route = router.post(SUITEQL).mock(side_effect=suiteql_pages(2500))
    query = render("SELECT id, total FROM transaction WHERE entity = :c", c=7)
    rows = await client.suiteql(query)
    assert [row["id"] for row in rows] == [str(i) for i in range(2500)]
    assert all("links" not in row for row in rows)
    assert [(c.request.url.params["limit"], c.request.url.params["offset"]) for c in route.calls] == [
        ("1000", "0"),
        ("1000", "1000"),
        ("1000", "2000"),
    ]
    request = route.calls[0].request
    assert request.headers["Prefer"] == "transient"
    assert request.headers["Authorization"] == "Bearer token-1"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"q": "SELECT id, total FROM transaction WHERE entity = 7"}


async def test_suiteql_page_and_iteration(router: respx.MockRouter, client: NetSuiteClient) -> None:
    router.post(SUITEQL).mock(side_effect=suiteql_pages(25))
    page = await client.suiteql_page("SELECT id FROM customer", limit=10, offset=20)
    assert (len(page.items), page.has_more, page.total_results, page.offset) == (5, False, 25, 20)
    sizes = [len(page.items) async for page in client.iter_suiteql("SELECT id FROM customer", limit=10)]
    assert sizes == [10, 10, 5]


async def test_max_rows_asks_only_for_what_it_needs(router: respx.MockRouter, client: NetSuiteClient) -> None:
    route = router.post(SUITEQL).mock(side_effect=suiteql_pages(5000))
    assert len(await client.suiteql("SELECT id FROM customer", max_rows=5)) == 5
    assert route.calls.last.request.url.params["limit"] == "5"
    rows = await client.suiteql("SELECT id FROM customer", max_rows=1500)
    assert len(rows) == 1500 and route.call_count == 3
    assert await client.suiteql("SELECT id FROM customer", max_rows=0) == []


async def test_paging_stops_at_the_100k_cap(router: respx.MockRouter, client: NetSuiteClient) -> None:
    route = router.post(SUITEQL).mock(side_effect=suiteql_pages(250_000))
    rows = await client.suiteql("SELECT id FROM transaction")
    assert len(rows) == 100_000 and route.call_count == 100


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (1001, 0), (100, 150), (10, -10), (1000, 100_000)])
async def test_paging_arguments_follow_netsuite_rules(
    client: NetSuiteClient, limit: int, offset: int
) -> None:
    with pytest.raises(ValueError):
        await client.suiteql_page("SELECT 1", limit=limit, offset=offset)


async def test_values_arrive_as_netsuite_sent_them(router: respx.MockRouter, client: NetSuiteClient) -> None:
    router.post(SUITEQL).respond(
        200,
        json={"hasMore": False, "items": [{"links": [], "id": "1", "isinactive": "F"}], "totalResults": "1"},
    )
    page = await client.suiteql_page("SELECT id, isinactive FROM customer")
    assert page.items == [{"id": "1", "isinactive": "F"}] and page.total_results == 1 and page.offset == 0


# ---- authentication -------------------------------------------------------------------------


async def test_a_401_refreshes_once_and_retries_once(
    router: respx.MockRouter, client: NetSuiteClient, tokens: Tokens
) -> None:
    route = router.get(f"{RECORDS}/customer/7").mock(
        side_effect=[
            httpx.Response(401, json={"error": "invalid_token"}),
            httpx.Response(200, json={"id": "7"}),
        ]
    )
    assert await client.get_record("customer", 7) == {"id": "7"}
    assert tokens.rejected == ["token-1"]
    assert [c.request.headers["Authorization"] for c in route.calls] == ["Bearer token-1", "Bearer token-2"]


async def test_a_second_401_is_authentication_failed(
    router: respx.MockRouter, client: NetSuiteClient, tokens: Tokens
) -> None:
    route = router.get(f"{RECORDS}/customer/7").respond(401)
    with pytest.raises(AuthenticationFailed):
        await client.get_record("customer", 7)
    assert route.call_count == 2 and tokens.rejected == ["token-1"]


async def test_no_refresh_possible_is_authentication_failed(
    router: respx.MockRouter, account: NetSuiteAccount
) -> None:
    tokens = Tokens(fresh=None)
    route = router.post(SUITEQL).respond(401)
    with pytest.raises(AuthenticationFailed):
        await NetSuiteClient(account, tokens, lane="v").suiteql("SELECT 1")
    assert route.call_count == 1 and tokens.rejected == ["token-1"]


# ---- retry rules ----------------------------------------------------------------------------

TRANSIENT = [httpx.Response(429), httpx.Response(503), httpx.ConnectError("down")]


@pytest.mark.parametrize("failure", TRANSIENT, ids=["429", "503", "connect"])
async def test_reads_are_retried(router: respx.MockRouter, client: NetSuiteClient, failure: object) -> None:
    get = router.get(f"{RECORDS}/customer/7").mock(
        side_effect=[failure, httpx.Response(200, json={"id": "7"})]
    )
    query = router.post(SUITEQL).mock(side_effect=[failure, suiteql_pages(1)])
    assert await client.get_record("customer", 7) == {"id": "7"}
    assert len(await client.suiteql("SELECT id FROM customer")) == 1
    assert get.call_count == 2 and query.call_count == 2


@pytest.mark.parametrize("failure", TRANSIENT, ids=["429", "503", "connect"])
async def test_a_plain_post_is_never_retried(
    router: respx.MockRouter, client: NetSuiteClient, failure: object
) -> None:
    route = router.post(f"{RECORDS}/supportCase").mock(side_effect=[failure, httpx.Response(204)])
    with pytest.raises((ConcurrencyLimited, UpstreamUnavailable)):
        await client.create_record("supportCase", {"title": "Broken"})
    assert route.call_count == 1


async def test_idempotent_writes_are_retried(router: respx.MockRouter, client: NetSuiteClient) -> None:
    created = httpx.Response(204, headers={"Location": f"{RECORDS}/supportCase/901"})
    post = router.post(f"{RECORDS}/supportCase").mock(side_effect=[httpx.Response(503), created])
    assert await client.create_record("supportCase", {"externalId": "case-abc"}, idempotent=True) == "901"
    assert post.call_count == 2
    patch = router.patch(f"{RECORDS}/supportCase/901").mock(
        side_effect=[httpx.ConnectError("x"), httpx.Response(204)]
    )
    await client.update_record("supportCase", 901, {"title": "Fixed"})
    assert patch.call_count == 2 and json.loads(patch.calls.last.request.content) == {"title": "Fixed"}


async def test_retries_give_up_with_a_typed_error(router: respx.MockRouter, client: NetSuiteClient) -> None:
    route = router.get(f"{RECORDS}/customer/7").respond(429)
    with pytest.raises(ConcurrencyLimited):
        await client.get_record("customer", 7)
    assert route.call_count == FAST.attempts
    router.get(f"{RECORDS}/customer/8").mock(side_effect=httpx.ConnectError("x"))
    with pytest.raises(UpstreamUnavailable):
        await client.get_record("customer", 8)


# ---- records, async jobs, RESTlets ---------------------------------------------------------


async def test_get_record_with_fields_and_expansion(router: respx.MockRouter, client: NetSuiteClient) -> None:
    route = router.get(f"{RECORDS}/invoice/5001").respond(200, json={"id": "5001", "tranId": "INV-1"})
    record = await client.get_record("invoice", "5001", fields=["tranId", "total"], expand=True)
    assert record["tranId"] == "INV-1"
    params = route.calls.last.request.url.params
    assert params["fields"] == "tranId,total" and params["expandSubResources"] == "true"
    with pytest.raises(ValueError):
        await client.get_record("invoice", 1, fields=["tranId&q=x"])


async def test_errors_surface_typed(router: respx.MockRouter, client: NetSuiteClient) -> None:
    router.get(f"{RECORDS}/customer/404").respond(
        404, json={"o:errorDetails": [{"detail": "does not exist", "o:errorCode": "NONEXISTENT_ID"}]}
    )
    router.get(f"{RECORDS}/customer/5").respond(200, text="<html>")
    router.post(SUITEQL).respond(
        400, json={"o:errorDetails": [{"detail": "Unknown identifier", "o:errorCode": "INVALID_PARAMETER"}]}
    )
    with pytest.raises(RecordNotFound):
        await client.get_record("customer", 404)
    with pytest.raises(UpstreamUnavailable):
        await client.get_record("customer", 5)
    with pytest.raises(InvalidRequest) as caught:
        await client.suiteql("SELECT nope FROM customer")
    assert caught.value.code == "INVALID_PARAMETER" and "nope" not in str(caught.value)


async def test_list_records_passes_the_filter(router: respx.MockRouter, client: NetSuiteClient) -> None:
    route = router.get(f"{RECORDS}/customer").respond(200, json={"items": [{"id": "107"}], "hasMore": False})
    listing = await client.list_records(
        "customer", q='companyname START_WITH "Another Company"', limit=2, offset=4
    )
    assert listing["items"] == [{"id": "107"}]
    params = route.calls.last.request.url.params
    assert (params["q"], params["limit"], params["offset"]) == (
        'companyname START_WITH "Another Company"',
        "2",
        "4",
    )


async def test_create_returns_the_id_from_location(router: respx.MockRouter, client: NetSuiteClient) -> None:
    router.post(f"{RECORDS}/customer").respond(204, headers={"Location": f"{RECORDS}/customer/647"})
    assert await client.create_record("customer", {"companyName": "My Company"}) == "647"
    router.post(f"{RECORDS}/contact").respond(204)
    with pytest.raises(UpstreamUnavailable):
        await client.create_record("contact", {"firstName": "A"})


def async_job_routes(router: respx.MockRouter, job: str = "/services/rest/async/v1/job/12") -> respx.Route:
    router.get(f"{BASE}{job}").mock(
        side_effect=[
            httpx.Response(200, json={"id": "12", "completed": False, "progress": "pending"}),
            httpx.Response(200, json={"id": "12", "completed": True, "progress": "succeeded"}),
        ]
    )
    router.get(f"{BASE}{job}/task").respond(
        200, json={"items": [{"links": [{"rel": "self", "href": f"{BASE}{job}/task/3"}], "id": "3"}]}
    )
    return router.get(f"{BASE}{job}/task/3/result").respond(
        204, headers={"Location": f"{RECORDS}/supportCase/77"}
    )


async def test_async_create_polls_the_job(router: respx.MockRouter, client: NetSuiteClient) -> None:
    post = router.post(f"{RECORDS}/supportCase").mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(202, headers={"Location": "/services/rest/async/v1/job/12"}),
        ]
    )
    result = async_job_routes(router)
    assert await client.create_record_async("supportCase", {"title": "x"}, idempotency_key="k-1") == "77"
    assert post.call_count == 2 and result.called  # retried: the key makes a repeat harmless
    headers = post.calls.last.request.headers
    assert headers["Prefer"] == "respond-async" and headers["X-NetSuite-Idempotency-Key"] == "k-1"


async def test_async_create_follows_an_earlier_job_on_conflict(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    router.post(f"{RECORDS}/supportCase").respond(
        400,
        headers={"Location": "/services/rest/async/v1/job/12"},
        json={"o:errorDetails": [{"detail": "same idempotency key", "o:errorCode": "IDEMPOTENCY_ERROR"}]},
    )
    async_job_routes(router)
    assert await client.create_record_async("supportCase", {"title": "x"}, idempotency_key="k-1") == "77"
    router.post(f"{RECORDS}/contact").respond(
        400, json={"o:errorDetails": [{"o:errorCode": "IDEMPOTENCY_ERROR"}]}
    )
    with pytest.raises(IdempotencyConflict):
        await client.create_record_async("contact", {}, idempotency_key="k-2")


async def test_restlet_calls(router: respx.MockRouter, client: NetSuiteClient) -> None:
    get = router.get(RESTLET).mock(
        side_effect=[
            httpx.Response(400, json={"error": {"code": "SSS_REQUEST_LIMIT_EXCEEDED", "message": "Limit"}}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    assert await client.restlet("customscript_x", "customdeploy_x", params={"id": 5}) == {"ok": True}
    assert get.call_count == 2
    assert dict(get.calls.last.request.url.params) == {
        "script": "customscript_x",
        "deploy": "customdeploy_x",
        "id": "5",
    }
    post = router.post(RESTLET).mock(
        side_effect=[
            httpx.Response(400, json={"error": {"code": "SSS_REQUEST_LIMIT_EXCEEDED", "message": "Limit"}}),
            httpx.Response(200, text="done"),
        ]
    )
    with pytest.raises(ConcurrencyLimited):
        await client.restlet(12, 1, method="POST", body={"a": 1})
    assert post.call_count == 1
    assert await client.restlet(12, 1, method="POST", body={"a": 1}) == "done"
    for bad in ({"script": 1, "deploy": "x y"}, {"script": "a&b=c", "deploy": 1}):
        with pytest.raises(ValueError):
            await client.restlet(bad["script"], bad["deploy"])
    with pytest.raises(ValueError):
        await client.restlet(1, 1, method="GET", body={"a": 1})


# ---- single-flight --------------------------------------------------------------------------


async def test_identical_concurrent_reads_share_one_call(
    router: respx.MockRouter, account: NetSuiteAccount
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        entered.set()
        await release.wait()
        return httpx.Response(200, json={"id": "7", "companyName": "ACME"})

    route = router.get(f"{RECORDS}/customer/7").mock(side_effect=slow)
    viewer = NetSuiteClient(account, Tokens(), lane="customer:7")
    same_viewer_again = NetSuiteClient(account, Tokens(), lane="customer:7")
    tasks = [
        asyncio.create_task((viewer if i % 2 else same_viewer_again).get_record("customer", 7))
        for i in range(10)
    ]
    # Every task joins the flight in its first step, before the shared call gets this far.
    await entered.wait()
    release.set()
    results = await asyncio.gather(*tasks)
    assert route.call_count == 1
    assert all(result == {"id": "7", "companyName": "ACME"} for result in results)
    results[0]["companyName"] = "changed"
    assert results[1]["companyName"] == "ACME"  # each caller gets its own copy
    await viewer.get_record("customer", 7)
    assert route.call_count == 2  # not a cache: a later call goes upstream again
    assert len(account.reads) == 0


async def test_single_flight_is_per_lane_and_per_request(
    router: respx.MockRouter, account: NetSuiteAccount
) -> None:
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json={"id": "7"})

    route = router.get(url__startswith=f"{RECORDS}/customer/7").mock(side_effect=slow)
    a = NetSuiteClient(account, Tokens(), lane="customer:7")
    b = NetSuiteClient(account, Tokens(), lane="customer:8")
    tasks = [
        asyncio.create_task(a.get_record("customer", 7)),
        asyncio.create_task(b.get_record("customer", 7)),
        asyncio.create_task(a.get_record("customer", 7, fields=["email"])),
    ]
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(*tasks)
    assert route.call_count == 3


async def test_writes_are_never_shared(router: respx.MockRouter, client: NetSuiteClient) -> None:
    route = router.post(f"{RECORDS}/supportCase").respond(
        204, headers={"Location": f"{RECORDS}/supportCase/1"}
    )
    await asyncio.gather(*(client.create_record("supportCase", {"title": "x"}) for _ in range(3)))
    assert route.call_count == 3


async def test_a_shared_failure_reaches_every_caller(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    route = router.get(f"{RECORDS}/customer/9").respond(403, json={"o:errorCode": "INSUFFICIENT_PERMISSION"})
    results = await asyncio.gather(
        *(client.get_record("customer", 9) for _ in range(4)), return_exceptions=True
    )
    assert all(type(result).__name__ == "PermissionDenied" for result in results)
    assert route.call_count == 1


# ---- governance seen from the client -------------------------------------------------------


class RecordingGate(LocalGate):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.lanes: list[str] = []

    def slot(self, lane: str, *, deadline: float | None):
        self.lanes.append(lane)
        return super().slot(lane, deadline=deadline)


async def test_calls_run_in_the_viewers_lane_through_any_gate(router: respx.MockRouter) -> None:
    gate = RecordingGate(2)
    router.get(f"{RECORDS}/customer/7").respond(200, json={})
    router.post(HOSTS.token_url).respond(200, json={"access_token": "x"})
    async with NetSuiteAccount.open(
        HOSTS, concurrency=2, gate=gate, inner_transport=httpx.MockTransport(router.async_handler)
    ) as account:
        await NetSuiteClient(account, Tokens(), lane="customer:7").get_record("customer", 7)
        await account.http.post(HOSTS.token_url, data={"grant_type": "refresh_token"})
        with lane_scope("customer:8"):
            await account.http.post(HOSTS.token_url, data={"grant_type": "refresh_token"})
    assert gate.lanes == ["customer:7", "anonymous", "customer:8"]


async def test_a_full_gate_past_the_deadline_is_upstream_busy(router: respx.MockRouter) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        entered.set()
        await release.wait()
        return httpx.Response(200, json={"id": "1"})

    router.get(url__startswith=f"{RECORDS}/customer/").mock(side_effect=slow)
    async with NetSuiteAccount.open(
        HOSTS, concurrency=1, inner_transport=httpx.MockTransport(router.async_handler)
    ) as account:
        first = asyncio.create_task(NetSuiteClient(account, Tokens(), lane="a").get_record("customer", 1))
        await entered.wait()  # the first call holds the only slot
        with deadline_scope(0.03), pytest.raises(UpstreamBusy):
            await NetSuiteClient(account, Tokens(), lane="b").get_record("customer", 2)
        assert not first.done()  # it gave up while the only slot was still held
        release.set()
        assert await first == {"id": "1"}


async def test_logs_name_method_path_status_and_attempt_only(
    router: respx.MockRouter, client: NetSuiteClient, caplog: pytest.LogCaptureFixture
) -> None:
    router.post(SUITEQL).mock(side_effect=[httpx.Response(503), suiteql_pages(1)])
    router.get(f"{RECORDS}/customer/7").mock(side_effect=[httpx.Response(401), httpx.Response(200, json={})])
    caplog.set_level(logging.DEBUG, logger="graph.netsuite")
    await client.suiteql(render("SELECT id FROM customer WHERE email = :e", e="secret@example.com"))
    await client.get_record("customer", 7)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /services/rest/query/v1/suiteql -> 503" in text and "(attempt 2)" in text
    assert "GET /services/rest/record/v1/customer/7 -> 401" in text
    for secret in ("secret@example.com", "SELECT", "token-1", "token-2", "limit=", "Bearer"):
        assert secret not in text
