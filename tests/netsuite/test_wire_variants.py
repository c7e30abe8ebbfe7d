"""The client against each variant NETSUITE.md marks INFERRED or UNKNOWN, or says to accept in both forms."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
import respx

from graph.netsuite import (
    AccountHosts,
    AuthenticationFailed,
    ConcurrencyLimited,
    DuplicateRecord,
    IdempotencyConflict,
    InvalidRequest,
    NetSuiteClient,
    PermissionDenied,
    RecordNotFound,
    RetryPolicy,
    UpstreamUnavailable,
    as_bool,
    as_date,
    as_datetime,
    as_decimal,
    as_int,
    as_str,
    error_from_response,
)
from graph.netsuite.governor import parse_retry_after

from .conftest import BASE, FAST, RESTLETS, SUITEQL, Tokens

RECORDS = f"{BASE}/services/rest/record/v1"
RESTLET = f"{RESTLETS}/app/site/hosting/restlet.nl"
RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1"
RFC2616 = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1"


def rest_error(status: int, code: str | None, detail: str | None, **top: object) -> httpx.Response:
    entry = {key: value for key, value in (("detail", detail), ("o:errorCode", code)) if value is not None}
    return httpx.Response(status, json={"title": "x", "status": status, "o:errorDetails": [entry], **top})


# ---- REST error bodies ----------------------------------------------------------------------


@pytest.mark.parametrize("type_uri", [RFC9110, RFC2616, "about:blank", None])
def test_the_type_uri_never_decides(type_uri: str | None) -> None:
    for status, code, kind in [
        (404, "NONEXISTENT_ID", RecordNotFound),
        (400, "INVALID_PARAMETER", InvalidRequest),
        (401, "INVALID_LOGIN", AuthenticationFailed),
    ]:
        top = {} if type_uri is None else {"type": type_uri}
        assert type(error_from_response(rest_error(status, code, "d", **top))) is kind


def test_oracles_429_example_with_a_top_level_code() -> None:
    # Oracle's example, "title": "Bad Request" and all: the specific code is the detail's.
    body = {
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
    error = error_from_response(httpx.Response(429, json=body))
    assert type(error) is ConcurrencyLimited and error.code == "CONCURRENCY_LIMIT_EXCEEDED"


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        ({"title": "Not Found", "status": 404}, None, "Not Found"),
        ({"title": "Not Found", "status": 404, "o:errorDetails": []}, None, "Not Found"),
        (
            {"title": "Not Found", "o:errorCode": "NONEXISTENT_ID", "o:errorDetails": []},
            "NONEXISTENT_ID",
            "Not Found",
        ),
        ({"o:errorDetails": {"detail": "gone", "o:errorCode": "NONEXISTENT_ID"}}, "NONEXISTENT_ID", "gone"),
        (
            {"o:errorDetails": [{"detail": "context"}, {"detail": "gone", "o:errorCode": "NONEXISTENT_ID"}]},
            "NONEXISTENT_ID",
            "gone",
        ),
        ({"o:errorDetails": [None, "text"]}, None, None),
    ],
)
def test_error_details_missing_empty_or_odd(
    body: dict[str, object], code: str | None, detail: str | None
) -> None:
    error = error_from_response(httpx.Response(404, json=body))
    assert type(error) is RecordNotFound and (error.code, error.detail) == (code, detail)


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (
            httpx.Response(400, text="<html><body>Request blocked by proxy <code>E42</code></body></html>"),
            InvalidRequest,
        ),
        (httpx.Response(403, text="<html>Forbidden</html>"), PermissionDenied),
        (httpx.Response(429, text="<html>Too Many Requests</html>"), ConcurrencyLimited),
        (httpx.Response(502, text="<html>Bad Gateway</html>"), UpstreamUnavailable),
        (httpx.Response(504, content=b"\xff\xfe not utf-8"), UpstreamUnavailable),
    ],
)
def test_non_json_error_bodies_are_classified_by_status(response: httpx.Response, kind: type) -> None:
    error = error_from_response(response)
    assert type(error) is kind and error.code is None and error.status == response.status_code


def test_a_401_challenge_names_the_error_when_the_body_does_not() -> None:
    challenge = 'Bearer realm="1234567", error="invalid_token", error_description="Invalid login attempt."'
    bare = error_from_response(httpx.Response(401, headers={"WWW-Authenticate": challenge}))
    assert type(bare) is AuthenticationFailed and bare.code == "invalid_token"
    documented = rest_error(401, "INVALID_LOGIN", "Invalid login attempt.")
    documented.headers["WWW-Authenticate"] = challenge
    assert error_from_response(documented).code == "INVALID_LOGIN"  # the body's own code wins
    malformed = httpx.Response(
        400, headers={"WWW-Authenticate": 'Bearer realm="1", error="invalid_request", error_description="x"'}
    )
    assert type(error_from_response(malformed)) is InvalidRequest


@pytest.mark.parametrize(
    "response",
    [
        rest_error(400, "USER_ERROR", "Error while accessing a resource. This entity already exists."),
        rest_error(400, None, "Error while accessing a resource. This entity already exists."),
        rest_error(400, "USER_ERROR", "A record with this external ID already exists."),
        rest_error(400, "DUP_ENTITY", "This entity already exists."),
        rest_error(400, "DUP_RCRD", "This record already exists"),
        rest_error(409, "USER_ERROR", "This entity already exists."),
    ],
)
def test_duplicate_records_in_every_plausible_shape(response: httpx.Response) -> None:
    assert type(error_from_response(response)) is DuplicateRecord


@pytest.mark.parametrize("status", [400, 409])
@pytest.mark.parametrize("with_code", [True, False])
def test_a_duplicate_idempotency_key_as_400_or_409(status: int, with_code: bool) -> None:
    detail = 'A request with the same idempotency key is already submitted. See the "Location" header'
    response = rest_error(status, "IDEMPOTENCY_ERROR" if with_code else None, detail, title="Conflict")
    response.headers["Location"] = (
        "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/async/v1/job/9"
    )
    error = error_from_response(response)
    assert (
        type(error) is IdempotencyConflict
        and error.location is not None
        and error.location.endswith("/job/9")
    )


@pytest.mark.parametrize(
    "content",
    [
        b'{"error" : {"code" : "SSS_REQUEST_LIMIT_EXCEEDED" ,"message" : "Request Limit Exceeded!"}}',
        b'{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED","message":"Request Limit Exceeded!"}}',
        b"error code: SSS_REQUEST_LIMIT_EXCEEDED\nerror message: Request Limit Exceeded!",
        b"<error><code>SSS_REQUEST_LIMIT_EXCEEDED</code><message>Request Limit Exceeded!</message></error>",
    ],
    ids=["spaced-json", "compact-json", "text", "xml"],
)
def test_the_restlet_request_limit_in_each_format(content: bytes) -> None:
    error = error_from_response(httpx.Response(400, content=content))
    assert type(error) is ConcurrencyLimited and error.code == "SSS_REQUEST_LIMIT_EXCEEDED"


# ---- 429 and retries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("2", 2.0),
        (" 1 ", 1.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("soon", None),
        ("nan", None),
    ],
)
def test_retry_after_forms(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


@pytest.mark.parametrize(
    "headers", [{}, {"Retry-After": "0"}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}]
)
async def test_a_429_with_or_without_retry_after_is_retried(
    router: respx.MockRouter, client: NetSuiteClient, headers: dict[str, str]
) -> None:
    limited = rest_error(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded.")
    limited.headers.update(headers)
    route = router.get(f"{RECORDS}/customer/7").mock(
        side_effect=[limited, httpx.Response(200, json={"id": "7"})]
    )
    assert await client.get_record("customer", 7) == {"id": "7"}
    assert route.call_count == 2


def test_a_retry_after_never_waits_longer_than_the_policy_allows() -> None:
    assert RetryPolicy(max_delay=2.0).delay(1, "600") == 2.0
    assert FAST.delay(1, "0.001") == 0.001


async def test_a_burst_of_slow_401s_refreshes_once_then_fails_typed(
    router: respx.MockRouter, client: NetSuiteClient, tokens: Tokens
) -> None:
    # NetSuite has answered bursts past the limit with 401 "Invalid login attempt": one refresh,
    # no retry loop, and a typed error the caller can show as "sign in again" or retry later.
    challenge = {"WWW-Authenticate": 'Bearer realm="1234567", error="invalid_token"'}
    route = router.get(f"{RECORDS}/customer/7").mock(
        return_value=rest_error(401, "INVALID_LOGIN", "Invalid login attempt.")
    )
    route.return_value.headers.update(challenge)
    with pytest.raises(AuthenticationFailed) as raised:
        await client.get_record("customer", 7)
    assert route.call_count == 2 and tokens.rejected == ["token-1"]
    assert raised.value.code == "INVALID_LOGIN"


# ---- RESTlets -------------------------------------------------------------------------------


async def test_restlet_calls_name_json_so_errors_come_back_as_json(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    get = router.get(RESTLET).respond(200, json={"ok": True})
    await client.restlet("customscript_x", "customdeploy_x")
    assert get.calls.last.request.headers["Content-Type"] == "application/json"
    assert get.calls.last.request.content == b""
    text_limit = b"error code: SSS_REQUEST_LIMIT_EXCEEDED\nerror message: Request Limit Exceeded!"
    limited = router.delete(RESTLET).mock(
        side_effect=[httpx.Response(400, content=text_limit, headers={"Content-Type": "text/plain"})] * 2
        + [httpx.Response(200, text="deleted", headers={"Content-Type": "text/plain"})]
    )
    assert await client.restlet(1, 1, method="DELETE", params={"id": 4}) == "deleted"
    assert limited.call_count == 3  # the request limit is retried like a 429, whatever its format


# ---- SuiteQL --------------------------------------------------------------------------------


def suiteql_body(items: list[dict[str, object]], **fields: object) -> dict[str, object]:
    return {"links": [], "count": len(items), "items": items, "offset": 0, **fields}


async def test_suiteql_values_as_strings_or_json_types(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    documented = {"links": [], "id": "107", "total": "1250.50", "isinactive": "F", "count": "143"}
    typed = {"links": [], "id": 107, "total": 1250.5, "isinactive": False, "count": 143}
    router.post(SUITEQL).respond(200, json=suiteql_body([documented, typed], hasMore=False, totalResults=2))
    first, second = await client.suiteql("SELECT id, total, isinactive, COUNT(*) AS count FROM customer")
    for row in (first, second):
        assert as_int(row["id"]) == 107 and as_decimal(row["total"]) == as_decimal("1250.5")
        assert as_bool(row["isinactive"]) is False and as_int(row["count"]) == 143
        assert as_str(row["isinactive"]) == "F"


async def test_null_columns_are_omitted_and_column_case_is_normalised(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    rows = [
        {"links": [], "id": "107", "email": "alan.rath@ns.com"},
        {"links": [], "ID": "41", "CompanyName": "ACME"},  # no email: NULL columns are left out
    ]
    router.post(SUITEQL).respond(200, json=suiteql_body(rows, hasMore=False))
    first, second = await client.suiteql("SELECT id, companyname, email FROM customer")
    assert first == {"id": "107", "email": "alan.rath@ns.com"}
    assert second == {"id": "41", "companyname": "ACME"}
    assert as_str(second.get("email")) is None


@pytest.mark.parametrize(
    ("fields", "has_more"),
    [
        ({"hasMore": True}, True),
        ({"hasMore": "true"}, True),
        (
            {"hasMore": False, "links": [{"rel": "next", "href": f"{SUITEQL}?limit=2&offset=2"}]},
            False,
        ),  # hasMore decides
        (
            {
                "links": [
                    {"rel": "self", "href": SUITEQL},
                    {"rel": "next", "href": f"{SUITEQL}?limit=2&offset=2"},
                ]
            },
            True,
        ),
        ({"links": [{"rel": "self", "href": SUITEQL}]}, False),
        ({}, False),
    ],
)
async def test_has_more_and_next_links(
    router: respx.MockRouter, client: NetSuiteClient, fields: dict[str, object], has_more: bool
) -> None:
    items = [{"links": [], "id": "1"}, {"links": [], "id": "2"}]
    body = suiteql_body(items)
    body.update(fields)
    router.post(SUITEQL).respond(200, json=body)
    page = await client.suiteql_page("SELECT id FROM customer", limit=2)
    assert page.has_more is has_more and page.total_results is None  # totalResults absent


async def test_paging_follows_next_links_when_has_more_is_absent(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        items = [{"links": [], "id": str(i)} for i in range(offset, min(offset + 2, 5))]
        links = [{"rel": "next", "href": f"{SUITEQL}?limit=2&offset={offset + 2}"}] if offset + 2 < 5 else []
        return httpx.Response(200, json={"links": links, "items": items, "offset": str(offset)})

    router.post(SUITEQL).mock(side_effect=handler)
    rows = await client.suiteql("SELECT id FROM customer", limit=2)
    assert [row["id"] for row in rows] == ["0", "1", "2", "3", "4"]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2025-01-15", dt.date(2025, 1, 15)),  # TO_CHAR(d, 'YYYY-MM-DD')
        ("1/15/2025", dt.date(2025, 1, 15)),  # M/D/YYYY
        ("15/1/2025", dt.date(2025, 1, 15)),  # D/M/YYYY
        ("15.01.2025", dt.date(2025, 1, 15)),  # D.M.YYYY
        ("15-1-2025", dt.date(2025, 1, 15)),
        ("2025/1/15", dt.date(2025, 1, 15)),  # YYYY/M/D
        ("15-Jan-2025", dt.date(2025, 1, 15)),  # D-Mon-YYYY
        ("15 January, 2025", dt.date(2025, 1, 15)),  # D Month, YYYY
        ("January 15, 2025", dt.date(2025, 1, 15)),
        ("7/7/2025", dt.date(2025, 7, 7)),  # both readings agree
        ("1/15/2025 3:04 pm", dt.date(2025, 1, 15)),  # a datetime column read as a date
    ],
)
def test_dates_in_any_user_format_that_is_unambiguous(text: str, date: dt.date) -> None:
    assert as_date(text) == date


@pytest.mark.parametrize("text", ["5/1/2025", "1/5/2025", "12.11.2025"])
def test_ambiguous_user_dates_are_refused_not_guessed(text: str) -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        as_date(text)


@pytest.mark.parametrize("text", ["13/13/2025", "2/30/2025", "15-Foo-2025", "1/15/25", "tomorrow"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        as_date(text)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025-01-15 15:04:05", dt.datetime(2025, 1, 15, 15, 4, 5)),  # TO_CHAR(.., 'YYYY-MM-DD HH24:MI:SS')
        ("2025-01-15T15:04:05Z", dt.datetime(2025, 1, 15, 15, 4, 5, tzinfo=dt.UTC)),
        ("1/15/2025 3:04 pm", dt.datetime(2025, 1, 15, 15, 4)),
        ("1/15/2025 12:30 am", dt.datetime(2025, 1, 15, 0, 30)),
        ("1/15/2025 12:30 PM", dt.datetime(2025, 1, 15, 12, 30)),
        ("15/1/2025 15:04:05", dt.datetime(2025, 1, 15, 15, 4, 5)),
        ("15/1/2025", dt.datetime(2025, 1, 15)),
    ],
)
def test_datetimes_in_iso_or_the_user_format(text: str, moment: dt.datetime) -> None:
    assert as_datetime(text) == moment


@pytest.mark.parametrize("text", ["1/15/2025 13:04 pm", "1/15/2025 25:00", "5/1/2025 3:04 pm"])
def test_impossible_or_ambiguous_datetimes_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        as_datetime(text)


# ---- creates and their Location -------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        f"{RECORDS}/customer/647",
        "/services/rest/record/v1/customer/647",
        f"{RECORDS}/customer/647/",
        f"{RECORDS}/customer/647?fields=id",
    ],
)
async def test_created_id_from_an_absolute_or_relative_location(
    router: respx.MockRouter, client: NetSuiteClient, location: str
) -> None:
    router.post(f"{RECORDS}/customer").respond(204, headers={"Location": location})
    assert await client.create_record("customer", {"companyName": "My Company"}) == "647"


async def test_record_ids_are_strings_and_hrefs_may_use_lowercase_types(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    listing = {
        "links": [{"rel": "self", "href": f"{RECORDS}/shipItem"}],
        "items": [{"links": [{"rel": "self", "href": f"{RECORDS}/shipitem/3"}], "id": "3"}],
        "hasMore": False,
    }
    router.get(f"{RECORDS}/shipItem").respond(200, json=listing)
    assert (await client.list_records("shipItem"))["items"][0]["id"] == "3"


# ---- async jobs -----------------------------------------------------------------------------

JOB_PATH = "/services/rest/async/v1/job/123"


def job_routes(
    router: respx.MockRouter, *, job: list[dict[str, object]], result: httpx.Response
) -> respx.Route:
    router.get(f"{BASE}{JOB_PATH}").mock(side_effect=[httpx.Response(200, json=body) for body in job])
    router.get(f"{BASE}{JOB_PATH}/task").respond(
        200, json={"items": [{"links": [{"rel": "self", "href": f"{BASE}{JOB_PATH}/task/5"}], "id": "5"}]}
    )
    return router.get(f"{BASE}{JOB_PATH}/task/5/result").mock(return_value=result)


@pytest.mark.parametrize("location", [JOB_PATH, f"{BASE}{JOB_PATH}"], ids=["path", "absolute"])
async def test_async_location_as_a_path_or_an_absolute_url(
    router: respx.MockRouter, client: NetSuiteClient, location: str
) -> None:
    router.post(f"{RECORDS}/supportCase").respond(
        202, headers={"Location": location, "Preference-Applied": "respond-async"}
    )
    done = {"completed": True, "id": "123", "progress": "succeeded"}
    job_routes(
        router, job=[done], result=httpx.Response(204, headers={"Location": f"{RECORDS}/supportcase/77"})
    )
    assert await client.create_record_async("supportCase", {"title": "x"}, idempotency_key="k-1") == "77"


@pytest.mark.parametrize(
    "job",
    [
        [{"completed": False, "progress": "pending"}, {"completed": True, "progress": "succeeded"}],
        [{"completed": "false", "progress": "pending"}, {"completed": "true"}],
        [{"progress": "pending"}, {"progress": "processing"}, {"progress": "succeeded"}],  # no `completed`
        [{"completed": True, "progress": "failed"}],
    ],
    ids=["documented", "string-booleans", "progress-only", "failed"],
)
async def test_job_completion_from_completed_or_progress(
    router: respx.MockRouter, client: NetSuiteClient, job: list[dict[str, object]]
) -> None:
    router.post(f"{RECORDS}/supportCase").respond(202, headers={"Location": JOB_PATH})
    result = job_routes(
        router, job=job, result=httpx.Response(204, headers={"Location": f"{RECORDS}/supportCase/8"})
    )
    assert await client.create_record_async("supportCase", {"title": "x"}, idempotency_key="k-2") == "8"
    assert result.call_count == 1


@pytest.mark.parametrize(
    "result",
    [
        httpx.Response(204, headers={"Location": "/services/rest/record/v1/supportcase/91"}),
        httpx.Response(200, json={"id": "91"}),
        httpx.Response(200, json={"id": 91}),
        httpx.Response(200, json={"links": [{"rel": "self", "href": f"{RECORDS}/supportcase/91"}]}),
    ],
    ids=["204-location-path", "json-id", "json-number-id", "json-self-link"],
)
async def test_task_result_shapes(
    router: respx.MockRouter, client: NetSuiteClient, result: httpx.Response
) -> None:
    router.post(f"{RECORDS}/supportCase").respond(202, headers={"Location": JOB_PATH})
    job_routes(router, job=[{"completed": True}], result=result)
    assert await client.create_record_async("supportCase", {"title": "x"}, idempotency_key="k-3") == "91"


@pytest.mark.parametrize("status", [200, 400])
async def test_a_failed_task_result_raises_its_typed_error(
    router: respx.MockRouter, client: NetSuiteClient, status: int
) -> None:
    router.post(f"{RECORDS}/supportCase").respond(202, headers={"Location": JOB_PATH})
    error = {
        "type": RFC9110,
        "title": "Bad Request",
        "status": 400,
        "o:errorDetails": [{"detail": "Please enter value(s) for: Subject", "o:errorCode": "USER_ERROR"}],
    }
    job_routes(
        router, job=[{"completed": True, "progress": "failed"}], result=httpx.Response(status, json=error)
    )
    with pytest.raises(InvalidRequest) as raised:
        await client.create_record_async("supportCase", {}, idempotency_key="k-4")
    assert raised.value.code == "USER_ERROR"


async def test_the_task_list_link_and_a_task_without_links(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    router.post(f"{RECORDS}/supportCase").respond(202, headers={"Location": JOB_PATH})
    task_list = "/services/rest/async/v1/job/123/tasks"  # wherever the job's own link points
    router.get(f"{BASE}{JOB_PATH}").respond(
        200, json={"completed": True, "task": {"links": [{"rel": "self", "href": f"{BASE}{task_list}"}]}}
    )
    router.get(f"{BASE}{task_list}").respond(200, json={"items": [{"id": "6"}]})
    router.get(f"{BASE}{task_list}/6/result").respond(204, headers={"Location": f"{RECORDS}/supportCase/12"})
    assert await client.create_record_async("supportCase", {"title": "x"}, idempotency_key="k-5") == "12"


async def test_a_conflict_answered_as_409_follows_the_earlier_job(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    conflict = rest_error(
        409, "IDEMPOTENCY_ERROR", "A request with the same idempotency key is already submitted."
    )
    conflict.headers["Location"] = f"{BASE}{JOB_PATH}"
    post = router.post(f"{RECORDS}/supportCase").mock(return_value=conflict)
    job_routes(
        router,
        job=[{"completed": True}],
        result=httpx.Response(204, headers={"Location": f"{RECORDS}/supportCase/3"}),
    )
    assert await client.create_record_async("supportCase", {"title": "x"}, idempotency_key="k-6") == "3"
    assert post.call_count == 1
    assert json.loads(post.calls.last.request.content) == {"title": "x"}


async def test_a_restlet_string_under_a_json_content_type_is_returned_as_text(
    router: respx.MockRouter, client: NetSuiteClient
) -> None:
    router.post(RESTLET).mock(
        side_effect=[
            httpx.Response(200, text="done", headers={"Content-Type": "application/json;charset=utf-8"}),
            httpx.Response(200, text='"done"', headers={"Content-Type": "application/json"}),
            httpx.Response(200, headers={"Content-Type": "application/json"}),
        ]
    )
    assert await client.restlet(12, 1, method="POST", body={"a": 1}) == "done"
    assert await client.restlet(12, 1, method="POST", body={"a": 1}) == "done"
    assert await client.restlet(12, 1, method="POST", body={"a": 1}) is None


# ---- hosts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "slug", "realm"),
    [
        ("1234567_RP", "1234567-rp", "1234567_RP"),  # Release Preview
        ("tstdrv1234567", "tstdrv1234567", "TSTDRV1234567"),
        ("1234567_SB12", "1234567-sb12", "1234567_SB12"),
        ("1234567-sb1", "1234567-sb1", "1234567_SB1"),  # given in the hostname form
    ],
)
def test_other_account_suffixes_follow_the_same_rule(account: str, slug: str, realm: str) -> None:
    hosts = AccountHosts.for_account(account)
    assert hosts.account_id == realm
    assert hosts.rest_url == f"https://{slug}.suitetalk.api.netsuite.com"
    assert hosts.restlet_url == f"https://{slug}.restlets.api.netsuite.com"
    assert hosts.authorize_url == f"https://{slug}.app.netsuite.com/app/login/oauth2/authorize.nl"
