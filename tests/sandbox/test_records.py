"""The sandbox's REST record service over real HTTP, as NetSuite answers it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

RECORDS = "/services/rest/record/v1"
SINGULAR = "application/vnd.oracle.resource+json; type=singular"


def no_nulls(value: Any) -> bool:
    if isinstance(value, dict):
        return all(item is not None and no_nulls(item) for item in value.values())
    if isinstance(value, list):
        return all(no_nulls(item) for item in value)
    return True


def error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body["status"] == response.status_code
    return body["o:errorDetails"][0]


def first_id(seeded, sql: str, *params: Any) -> int:
    return seeded.sql(sql, *params)[0][0]


async def test_get_renders_fields_references_enums_and_collapsed_sublists(seeded):
    cid = seeded.customer["customer_id"]
    response = await seeded.http.get(f"{RECORDS}/customer/{cid}", headers=seeded.auth())
    assert response.status_code == 200
    assert response.headers["content-type"] == SINGULAR
    body = response.json()
    assert body["links"] == [{"rel": "self", "href": f"{seeded.config.base_url}{RECORDS}/customer/{cid}"}]
    assert body["id"] == str(cid)
    email, created, inactive = seeded.sql(
        "SELECT email, datecreated, isinactive FROM customer WHERE id = ?", cid
    )[0]
    assert body["email"] == email and body["isInactive"] is (inactive == "T")
    assert body["dateCreated"] == created.replace(" ", "T") + "Z"
    currency = body["currency"]
    assert set(currency) == {"links", "id", "refName"}
    assert currency["links"][0]["href"].endswith(f"/currency/{currency['id']}")
    assert body["addressBook"] == {
        "links": [{"rel": "self", "href": f"{seeded.config.base_url}{RECORDS}/customer/{cid}/addressBook"}]
    }
    assert no_nulls(body)

    invoice, status, due = seeded.sql(
        "SELECT id, status, duedate FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc' ORDER BY id",
        cid,
    )[0]
    body = (await seeded.http.get(f"{RECORDS}/INVOICE/{invoice}", headers=seeded.auth())).json()
    assert body["status"]["id"] == status and "links" not in body["status"] and body["status"]["refName"]
    assert body["dueDate"] == due and re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["tranDate"])
    assert body["entity"]["id"] == str(cid)
    assert body["links"][0]["href"].endswith(f"/invoice/{invoice}")


async def test_expand_sub_resources_shows_item_lines_positive_and_the_address_book(seeded):
    cid = seeded.customer["customer_id"]
    order = first_id(seeded, "SELECT id FROM \"transaction\" WHERE entity = ? AND type = 'SalesOrd'", cid)
    response = await seeded.http.get(
        f"{RECORDS}/salesOrder/{order}", params={"expandSubResources": "true"}, headers=seeded.auth()
    )
    lines = response.json()["item"]
    stored = seeded.sql(
        "SELECT linesequencenumber, quantity, foreignamount, rate FROM transactionline "
        "WHERE \"transaction\" = ? AND mainline = 'F' ORDER BY linesequencenumber",
        order,
    )
    assert lines["totalResults"] == len(stored) == len(lines["items"])
    for line, (seq, quantity, amount, rate) in zip(lines["items"], stored, strict=True):
        assert line["line"] == seq and line["quantity"] == -quantity and line["amount"] == -amount
        assert line["rate"] == rate and line["item"]["refName"]
        assert line["links"][0]["href"].endswith(f"/salesorder/{order}/item/{seq}")

    body = (
        await seeded.http.get(
            f"{RECORDS}/customer/{cid}", params={"expandSubResources": "true"}, headers=seeded.auth()
        )
    ).json()
    billing = seeded.sql("SELECT defaultbillingaddress FROM customer WHERE id = ?", cid)[0][0]
    book = body["addressBook"]["items"]
    assert any(line["defaultBilling"] and line["id"] == billing for line in book)
    assert all(line["addressBookAddress"]["addr1"] for line in book)
    contacts = {row[0] for row in seeded.sql("SELECT id FROM contact WHERE company = ?", cid)}
    assert {int(line["contact"]["id"]) for line in body["contactRoles"]["items"]} == contacts


async def test_fields_selects_body_fields_only(seeded):
    cid = seeded.customer["customer_id"]
    response = await seeded.http.get(
        f"{RECORDS}/customer/{cid}", params={"fields": "email,entityId"}, headers=seeded.auth()
    )
    body = response.json()
    assert set(body) == {"links", "email", "entityId"}
    assert "fields=" in body["links"][0]["href"]
    bad = await seeded.http.get(f"{RECORDS}/customer/{cid}", params={"fields": "nope"}, headers=seeded.auth())
    assert bad.status_code == 400 and error(bad)["o:errorQueryParam"] == "fields"


async def test_list_pages_with_links_and_rejects_bad_paging(seeded):
    total = seeded.sql("SELECT COUNT(*) FROM customer")[0][0]
    response = await seeded.http.get(
        f"{RECORDS}/customer", params={"limit": 5, "offset": 5}, headers=seeded.auth("admin")
    )
    assert response.headers["content-type"].endswith("type=collection")
    page = response.json()
    ids = [row[0] for row in seeded.sql("SELECT id FROM customer ORDER BY id LIMIT 5 OFFSET 5")]
    assert [item["id"] for item in page["items"]] == [str(i) for i in ids]
    assert all(set(item) == {"links", "id"} for item in page["items"])
    assert page["items"][0]["links"][0]["href"].endswith(f"/customer/{ids[0]}")
    assert (page["count"], page["offset"], page["totalResults"]) == (5, 5, total)
    assert page["hasMore"] is (total > 10)
    assert {link["rel"] for link in page["links"]} >= {"self", "first", "prev"}

    default = (await seeded.http.get(f"{RECORDS}/customer", headers=seeded.auth("admin"))).json()
    assert default["count"] == total and default["hasMore"] is False
    for params, name in (({"limit": 1001}, "limit"), ({"limit": 5, "offset": 3}, "offset")):
        bad = await seeded.http.get(f"{RECORDS}/customer", params=params, headers=seeded.auth("admin"))
        assert bad.status_code == 400
        assert error(bad)["o:errorCode"] == "INVALID_PARAMETER" and error(bad)["o:errorQueryParam"] == name


@pytest.mark.parametrize(
    ("q", "where", "params"),
    [
        ("email CONTAIN example", "email LIKE '%example%'", ()),
        ('companyName START_WITH "Tide"', "lower(companyname) LIKE 'tide%'", ()),
        ("isInactive IS false", "isinactive = 'F'", ()),
        ("id ANY_OF [100, 103, 105]", "id IN (100, 103, 105)", ()),
        (
            "id GREATER 104 AND id LESS_OR_EQUAL 108 OR id EQUAL 100",
            "(id > 104 AND id <= 108) OR id = 100",
            (),
        ),
        ("companyName EMPTY", "companyname IS NULL", ()),
        ("dateCreated ON_OR_AFTER 1/1/2022", "datecreated >= '2022-01-01'", ()),
        ("id BETWEEN_NOT [101, 110]", "id NOT BETWEEN 101 AND 110", ()),
    ],
)
async def test_q_filters_like_the_documented_operators(seeded, q, where, params):
    expected = [
        str(row[0]) for row in seeded.sql(f"SELECT id FROM customer WHERE {where} ORDER BY id", *params)
    ]
    response = await seeded.http.get(f"{RECORDS}/customer", params={"q": q}, headers=seeded.auth("admin"))
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == expected


@pytest.mark.parametrize(
    "q",
    [
        "nosuchfield IS x",
        "email GREATER 3",
        "id EQUAL abc",
        "(id EQUAL 1",
        'email IS "open',
        "dateCreated ON 2022-01-01",
        "",
    ],
)
async def test_a_bad_q_is_invalid_parameter(seeded, q):
    response = await seeded.http.get(f"{RECORDS}/customer", params={"q": q}, headers=seeded.auth("admin"))
    assert response.status_code == 400
    assert (
        error(response)["o:errorCode"] == "INVALID_PARAMETER" and error(response)["o:errorQueryParam"] == "q"
    )


async def test_patch_writes_where_suiteql_reads_and_null_clears(seeded):
    cid = seeded.customer["customer_id"]
    url = f"{RECORDS}/customer/{cid}"
    response = await seeded.http.patch(
        url, json={"email": "new@example.org", "phone": None}, headers=seeded.auth()
    )
    assert response.status_code == 204 and response.content == b""
    assert response.headers["location"] == f"{seeded.config.base_url}{url}"
    rows = (await seeded.suiteql("SELECT email, phone FROM customer WHERE id = ?", params=[cid])).json()[
        "items"
    ]
    assert rows == [{"links": [], "email": "new@example.org"}]
    body = (await seeded.http.get(url, headers=seeded.auth())).json()
    assert body["email"] == "new@example.org" and "phone" not in body


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"email": "not an email"}, "INVALID_CONTENT", "email"),
        ({"phone": 5551234}, "INVALID_CONTENT", "phone"),
        ({"balance": 0}, "USER_ERROR", "balance"),
        ({"creditLimit": 1}, "USER_ERROR", "creditLimit"),  # administrators only
        ({"terms": {"id": "999"}}, "USER_ERROR", "terms"),
    ],
)
async def test_patch_validation_errors_are_netsuites_400(seeded, change, code, path):
    cid = seeded.customer["customer_id"]
    before = seeded.sql("SELECT * FROM customer WHERE id = ?", cid)
    response = await seeded.http.patch(f"{RECORDS}/customer/{cid}", json=change, headers=seeded.auth())
    assert response.status_code == 400
    assert error(response)["o:errorCode"] == code and error(response)["o:errorPath"] == path
    assert seeded.sql("SELECT * FROM customer WHERE id = ?", cid) == before
    bad = await seeded.http.patch(f"{RECORDS}/customer/{cid}", content=b"{nope", headers=seeded.auth())
    assert bad.status_code == 400 and error(bad)["detail"] == "Invalid content in the request body"


async def test_an_administrator_patches_reference_fields_and_bad_references_are_refused(seeded):
    cid = seeded.customer["customer_id"]
    url = f"{RECORDS}/customer/{cid}"
    ok = await seeded.http.patch(url, json={"terms": {"id": "3"}}, headers=seeded.auth("admin"))
    assert ok.status_code == 204
    assert seeded.sql("SELECT terms FROM customer WHERE id = ?", cid) == [(3,)]
    bad = await seeded.http.patch(url, json={"terms": {"id": "999"}}, headers=seeded.auth("admin"))
    assert bad.status_code == 400 and error(bad)["o:errorCode"] == "INVALID_CONTENT"
    assert "Invalid Field Value 999" in error(bad)["detail"]


def case_body(external_id: str, **extra: Any) -> dict[str, Any]:
    return {"title": "Portal test", "incomingMessage": "Hello", "externalId": external_id, **extra}


async def test_post_creates_a_case_suiteql_sees_and_a_duplicate_external_id_is_refused(seeded):
    cid = seeded.customer["customer_id"]
    body = case_body("ext-1", company={"id": str(cid)}, priority={"id": "1"})
    response = await seeded.http.post(f"{RECORDS}/supportCase", json=body, headers=seeded.auth())
    assert response.status_code == 204 and response.content == b""
    new_id = response.headers["location"].rsplit("/", 1)[1]
    assert response.headers["location"] == f"{seeded.config.base_url}{RECORDS}/supportcase/{new_id}"
    rows = (
        await seeded.suiteql(
            "SELECT id, title, company, priority, BUILTIN.DF(status) AS status "
            "FROM supportcase WHERE externalid = ?",
            params=["ext-1"],
        )
    ).json()["items"]
    assert rows == [
        {
            "links": [],
            "id": new_id,
            "title": "Portal test",
            "company": str(cid),
            "priority": "1",
            "status": "Not Started",
        }
    ]
    by_eid = await seeded.http.get(f"{RECORDS}/supportCase/eid:ext-1", headers=seeded.auth())
    assert by_eid.json()["id"] == new_id and by_eid.json()["caseNumber"]

    again = await seeded.http.post(f"{RECORDS}/supportCase", json=body, headers=seeded.auth())
    assert again.status_code == 400
    assert error(again) == {
        "detail": "Error while accessing a resource. This entity already exists.",
        "o:errorCode": "USER_ERROR",
    }
    assert seeded.sql("SELECT COUNT(*) FROM supportcase WHERE externalid = 'ext-1'") == [(1,)]


async def test_post_validation(seeded):
    missing = await seeded.http.post(
        f"{RECORDS}/supportCase", json={"incomingMessage": "x"}, headers=seeded.auth()
    )
    assert missing.status_code == 400
    assert error(missing)["detail"].startswith(
        "Error while accessing a resource. Please enter value(s) for: Subject"
    )
    other = seeded.other["customer_id"]
    foreign = await seeded.http.post(
        f"{RECORDS}/supportCase", json=case_body("ext-2", company={"id": str(other)}), headers=seeded.auth()
    )
    assert foreign.status_code == 400 and error(foreign)["o:errorPath"] == "company"
    customer = await seeded.http.post(f"{RECORDS}/customer", json={"companyName": "X"}, headers=seeded.auth())
    assert customer.status_code == 403 and error(customer)["o:errorCode"] == "INSUFFICIENT_PERMISSION"
    made = await seeded.http.post(
        f"{RECORDS}/customer", json={"companyName": "New Co"}, headers=seeded.auth("admin")
    )
    assert made.status_code == 204
    new_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert seeded.sql("SELECT companyname, entityid FROM customer WHERE id = ?", new_id) == [
        ("New Co", f"CUST{new_id:05d}")
    ]


async def test_async_create_runs_as_a_job_and_a_reused_key_points_at_it(seeded):
    headers = seeded.auth(Prefer="respond-async", **{"X-NetSuite-Idempotency-Key": "6f1c8d52-key"})
    response = await seeded.http.post(f"{RECORDS}/supportCase", json=case_body("ext-async"), headers=headers)
    assert response.status_code == 202
    assert response.headers["preference-applied"] == "respond-async"
    job_path = response.headers["location"]
    assert re.fullmatch(r"/services/rest/async/v1/job/\d+", job_path)

    job = (await seeded.http.get(job_path, headers=seeded.auth())).json()
    assert job["completed"] is True and job["progress"] == "succeeded"
    tasks = (await seeded.http.get(job["task"]["links"][0]["href"], headers=seeded.auth())).json()
    task_url = tasks["items"][0]["links"][0]["href"]
    task = (await seeded.http.get(task_url, headers=seeded.auth())).json()
    assert task["completed"] is True and {link["rel"] for link in task["links"]} == {"self", "related"}
    result = await seeded.http.get(f"{task_url}/result", headers=seeded.auth())
    new_id = result.headers["location"].rsplit("/", 1)[1]
    assert seeded.sql("SELECT externalid FROM supportcase WHERE id = ?", int(new_id)) == [("ext-async",)]

    again = await seeded.http.post(f"{RECORDS}/supportCase", json=case_body("ext-async"), headers=headers)
    assert again.status_code == 400 and again.headers["location"] == job_path
    assert error(again)["o:errorCode"] == "IDEMPOTENCY_ERROR"
    assert seeded.sql("SELECT COUNT(*) FROM supportcase WHERE externalid = 'ext-async'") == [(1,)]
    # The job is its submitter's: another user neither sees it nor collides with its key.
    assert (await seeded.http.get(job_path, headers=seeded.auth("other"))).status_code == 404


async def test_a_failed_async_create_reports_the_error_as_its_result(seeded):
    await seeded.http.post(f"{RECORDS}/supportCase", json=case_body("ext-dup"), headers=seeded.auth())
    headers = seeded.auth(Prefer="respond-async")
    response = await seeded.http.post(f"{RECORDS}/supportCase", json=case_body("ext-dup"), headers=headers)
    job = (await seeded.http.get(response.headers["location"], headers=seeded.auth())).json()
    assert job["progress"] == "failed"
    result = await seeded.http.get(response.headers["location"] + "/task/1/result", headers=seeded.auth())
    assert result.status_code == 400 and "already exists" in error(result)["detail"]


async def test_lookup_errors(seeded):
    cid = seeded.customer["customer_id"]
    missing = await seeded.http.get(f"{RECORDS}/customer/99999999", headers=seeded.auth("admin"))
    assert missing.status_code == 404
    assert error(missing)["o:errorCode"] == "NONEXISTENT_ID"
    assert (
        error(missing)["detail"] == "The record instance does not exist. Provide a valid record instance ID."
    )
    for raw in ("000", "abc", "-1"):
        malformed = await seeded.http.get(f"{RECORDS}/customer/{raw}", headers=seeded.auth("admin"))
        assert malformed.status_code == 400 and error(malformed)["o:errorCode"] == "INVALID_ID"
        assert error(malformed)["o:errorUrl"] == f"{RECORDS}/customer/{raw}"
    unknown = await seeded.http.get(f"{RECORDS}/bad-path/1", headers=seeded.auth("admin"))
    assert unknown.status_code == 404 and error(unknown)["detail"] == "Record type 'bad-path' does not exist."
    order = first_id(seeded, "SELECT id FROM \"transaction\" WHERE entity = ? AND type = 'SalesOrd'", cid)
    wrong = await seeded.http.get(f"{RECORDS}/invoice/{order}", headers=seeded.auth())
    assert wrong.status_code == 400 and "Transaction type specified is incorrect" in error(wrong)["detail"]
    unauthenticated = await seeded.http.get(f"{RECORDS}/customer/{cid}")
    assert unauthenticated.status_code == 401 and error(unauthenticated)["o:errorCode"] == "INVALID_LOGIN"


async def test_a_customer_token_reaches_only_its_own_records(seeded):
    cid, other, sub = seeded.customer["customer_id"], seeded.other["customer_id"], seeded.sub_customer_id
    assert (await seeded.http.get(f"{RECORDS}/customer/{sub}", headers=seeded.auth())).status_code == 200
    hidden = await seeded.http.get(f"{RECORDS}/customer/{other}", headers=seeded.auth())
    assert hidden.status_code == 404 and error(hidden)["o:errorCode"] == "NONEXISTENT_ID"
    patch = await seeded.http.patch(
        f"{RECORDS}/customer/{other}", json={"phone": "555-0000"}, headers=seeded.auth()
    )
    assert patch.status_code == 404
    assert (
        await seeded.http.get(f"{RECORDS}/customer/{other}", headers=seeded.auth("admin"))
    ).status_code == 200

    for rtype, table, where in (
        ("customer", "customer", "id IN ({c}, {s})"),
        ("invoice", '"transaction"', "type = 'CustInvc' AND entity IN ({c}, {s})"),
        ("salesOrder", '"transaction"', "type = 'SalesOrd' AND entity IN ({c}, {s})"),
        ("supportCase", "supportcase", "company IN ({c}, {s})"),
        ("contact", "contact", "company IN ({c}, {s})"),
    ):
        expected = [
            str(r[0])
            for r in seeded.sql(f"SELECT id FROM {table} WHERE {where.format(c=cid, s=sub)} ORDER BY id")
        ]
        listed = await seeded.http.get(
            f"{RECORDS}/{rtype}", params={"q": "id GREATER 0"}, headers=seeded.auth()
        )
        assert [item["id"] for item in listed.json()["items"]] == expected, rtype
    case = first_id(seeded, "SELECT id FROM supportcase WHERE company = ?", other)
    assert (await seeded.http.get(f"{RECORDS}/supportCase/{case}", headers=seeded.auth())).status_code == 404
    invoice = first_id(seeded, "SELECT id FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc'", cid)
    write = await seeded.http.patch(f"{RECORDS}/invoice/{invoice}", json={"memo": "x"}, headers=seeded.auth())
    assert write.status_code == 403


async def test_a_lost_response_still_creates_the_case_and_the_retry_meets_the_duplicate(seeded):
    rule = {"path": f"{RECORDS}/supportcase", "method": "POST", "kind": "lose_response", "count": 1}
    assert (await seeded.http.put("/__sandbox/faults", json=[rule])).status_code == 200
    body = case_body("ext-lost")
    with pytest.raises(httpx.TransportError):
        await seeded.http.post(f"{RECORDS}/supportCase", json=body, headers=seeded.auth())
    assert seeded.sql("SELECT COUNT(*) FROM supportcase WHERE externalid = 'ext-lost'") == [(1,)]
    retry = await seeded.http.post(f"{RECORDS}/supportCase", json=body, headers=seeded.auth())
    assert retry.status_code == 400 and "already exists" in error(retry)["detail"]
    stats = (await seeded.http.get("/__sandbox/stats")).json()
    assert stats["faults"] == 1 and stats["faults_installed"][0]["fired"] == 1
    assert seeded.sql("SELECT COUNT(*) FROM supportcase WHERE externalid = 'ext-lost'") == [(1,)]


@pytest.mark.parametrize("path", ["/services/rest/", f"{RECORDS}/"])
async def test_options_on_the_rest_root_checks_credentials(seeded, path):
    good = await seeded.http.request("OPTIONS", path, headers=seeded.auth())
    assert good.status_code == 204 and good.content == b""
    bad = await seeded.http.request("OPTIONS", path, headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
