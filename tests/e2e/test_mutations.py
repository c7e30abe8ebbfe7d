"""Writes end to end: contact details and support cases, checked in NetSuite's data afterwards."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support.portal import Portal, running_portal

UPDATE_CONTACT = """
mutation Update($input: UpdateContactInfoInput!) {
  updateContactInfo(input: $input) { customer { id email phone } }
}
"""

PROFILE = "{ viewer { customer { email phone } } }"

CREATE_CASE = """
mutation Create($input: CreateSupportCaseInput!) {
  createSupportCase(input: $input) {
    replayed
    supportCase { id caseNumber title status priority }
  }
}
"""


def contact_of(portal: Portal, customer_id: int) -> tuple[str | None, str | None]:
    return portal.db.execute("SELECT email, phone FROM customer WHERE id = ?", (customer_id,)).fetchone()


def cases_titled(portal: Portal, customer_id: int, title: str) -> list[tuple[Any, ...]]:
    return portal.db.execute(
        "SELECT sc.id, sc.casenumber, sc.incomingmessage, p.name FROM supportcase sc "
        "LEFT JOIN supportcasepriority p ON p.id = sc.priority WHERE sc.company = ? AND sc.title = ?",
        (customer_id, title),
    ).fetchall()


def writes(portal: Portal) -> int:
    by_route = portal.sandbox.counters.by_route
    return sum(count for route, count in by_route.items() if route.split()[0] in ("POST", "PATCH", "PUT"))


async def test_updated_contact_info_is_in_netsuite_and_on_the_next_query(portal: Portal):
    user = portal.users[0]
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        before = await portal.graphql(browser, PROFILE)  # now in the viewer's cache
        assert before["viewer"]["customer"]["email"] == user["email"]
        new = {"email": "accounts.payable@example.org", "phone": "+1 (555) 010-7788"}
        data = await portal.graphql(browser, UPDATE_CONTACT, {"input": new})
        assert {k: data["updateContactInfo"]["customer"][k] for k in new} == new
        assert contact_of(portal, user["customer_id"]) == (new["email"], new["phone"])
        after = await portal.graphql(browser, PROFILE)
        assert after["viewer"]["customer"] == new

        # An empty phone clears it; the email stays as it was.
        data = await portal.graphql(browser, UPDATE_CONTACT, {"input": {"phone": ""}})
        assert data["updateContactInfo"]["customer"]["phone"] is None
        assert contact_of(portal, user["customer_id"]) == (new["email"], None)
        assert (await portal.graphql(browser, PROFILE))["viewer"]["customer"] == {
            "email": new["email"],
            "phone": None,
        }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "two@@example.com"),
        ("email", "a@b"),
        ("phone", "call me"),
        ("phone", "12"),
    ],
)
async def test_bad_contact_info_is_bad_user_input_naming_the_field(portal: Portal, field: str, value: str):
    user = portal.users[1]
    before = contact_of(portal, user["customer_id"])
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        portal.reset_counters()
        result = await portal.post_graphql(browser, UPDATE_CONTACT, {"input": {field: value}})
    assert result["data"] is None
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert field in error["message"]
    assert writes(portal) == 0
    assert contact_of(portal, user["customer_id"]) == before


async def test_the_same_idempotency_key_twice_creates_one_case(portal: Portal):
    user = portal.users[0]
    title = f"Damaged pallet {uuid.uuid4().hex[:8]}"
    case = {"title": title, "message": "Two crates arrived broken.", "priority": "HIGH"}
    key = str(uuid.uuid4())
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        first = await portal.graphql(browser, CREATE_CASE, {"input": {**case, "idempotencyKey": key}})
        second = await portal.graphql(browser, CREATE_CASE, {"input": {**case, "idempotencyKey": key}})
        other = await portal.graphql(
            browser, CREATE_CASE, {"input": {**case, "idempotencyKey": str(uuid.uuid4())}}
        )
    created, replayed = first["createSupportCase"], second["createSupportCase"]
    assert created["replayed"] is False and replayed["replayed"] is True
    assert replayed["supportCase"] == created["supportCase"]
    assert other["createSupportCase"]["supportCase"]["id"] != created["supportCase"]["id"]
    rows = cases_titled(portal, user["customer_id"], title)
    assert len(rows) == 2  # one per key
    by_number = {row[1]: row for row in rows}
    stored = by_number[created["supportCase"]["caseNumber"]]
    assert stored[2] == case["message"] and stored[3] == "High"
    assert created["supportCase"]["title"] == title
    assert created["supportCase"]["priority"] == "HIGH"
    assert created["supportCase"]["status"] == "NOT_STARTED"


async def test_a_lost_create_response_still_makes_exactly_one_case():
    # NetSuite writes the case, then the answer never arrives; the retry must not write a second one.
    lost = {"path": "/services/rest/record/v1/", "method": "POST", "kind": "lose_response", "count": 1}
    async with running_portal(concurrency=2, faults=[lost]) as portal:
        user = portal.users[0]
        title = f"Lost answer {uuid.uuid4().hex[:8]}"
        case = {"title": title, "message": "Where is my order?", "idempotencyKey": str(uuid.uuid4())}
        async with portal.browser() as browser:
            await portal.sign_in(browser, user)
            data = await portal.graphql(browser, CREATE_CASE, {"input": case})
        assert portal.sandbox.faults[0].fired == 1
        rows = cases_titled(portal, user["customer_id"], title)
        assert len(rows) == 1
        created = data["createSupportCase"]
        assert created["replayed"] is True
        assert created["supportCase"]["caseNumber"] == rows[0][1]
        assert created["supportCase"]["title"] == title


async def test_a_new_case_shows_in_the_open_cases_at_once(portal: Portal):
    user = portal.users[0]
    query = (
        "{ viewer { customer { supportCases(first: 100, filter: { open: true }) "
        "{ totalCount nodes { id } } } } }"
    )
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        before = (await portal.graphql(browser, query))["viewer"]["customer"]["supportCases"]
        data = await portal.graphql(
            browser,
            CREATE_CASE,
            {"input": {"title": "Need a copy", "message": "Of INV 1", "idempotencyKey": str(uuid.uuid4())}},
        )
        after = (await portal.graphql(browser, query))["viewer"]["customer"]["supportCases"]
    assert after["totalCount"] == before["totalCount"] + 1
    assert data["createSupportCase"]["supportCase"]["id"] in {node["id"] for node in after["nodes"]}


async def test_bad_case_input_is_bad_user_input_naming_the_field(portal: Portal):
    user = portal.users[0]
    bad = [
        ({"title": "  ", "message": "m", "idempotencyKey": str(uuid.uuid4())}, "title"),
        ({"title": "t", "message": "", "idempotencyKey": str(uuid.uuid4())}, "message"),
        ({"title": "t", "message": "m", "idempotencyKey": "short"}, "idempotencyKey"),
    ]
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        portal.reset_counters()
        for case, field in bad:
            result = await portal.post_graphql(browser, CREATE_CASE, {"input": case})
            (error,) = result["errors"]
            assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    assert writes(portal) == 0
