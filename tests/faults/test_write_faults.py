"""Writes under upstream faults: never two cases, never a write lost without the client knowing, and
an answer that says what NetSuite holds."""

from __future__ import annotations

import uuid
from typing import Any

from fault_kit import NO_CACHE, RECORDS, error_codes, set_faults, signed_in
from support.portal import Portal, running_portal

CREATE_CASE = """
mutation Create($input: CreateSupportCaseInput!) {
  createSupportCase(input: $input) { replayed supportCase { id caseNumber title } }
}
"""
UPDATE_CONTACT = """
mutation Update($input: UpdateContactInfoInput!) {
  updateContactInfo(input: $input) { customer { id email phone } }
}
"""
CASE_POSTS = {"path": RECORDS + "supportCase", "method": "POST"}


def new_case() -> dict[str, str]:
    return {
        "title": f"Fault case {uuid.uuid4().hex[:10]}",
        "message": "The delivery note is missing.",
        "idempotencyKey": str(uuid.uuid4()),
    }


def case_numbers(portal: Portal, customer_id: int, title: str) -> list[str]:
    rows = portal.db.execute(
        "SELECT casenumber FROM supportcase WHERE company = ? AND title = ?", (customer_id, title)
    )
    return [row[0] for row in rows]


async def create(portal: Portal, browser: Any, case: dict[str, str]) -> dict[str, Any]:
    return await portal.post_graphql(browser, CREATE_CASE, {"input": case})


async def test_5xx_before_the_write_is_retried_into_exactly_one_case():
    async with running_portal(env=NO_CACHE) as portal, signed_in(portal) as browser:
        user, case = portal.users[0], new_case()
        await set_faults(portal, {**CASE_POSTS, "kind": "status", "status": 503, "count": 2})
        result = await create(portal, browser, case)
        assert "errors" not in result, result["errors"]
        created = result["data"]["createSupportCase"]
        assert created["replayed"] is False  # this very request made it
        assert case_numbers(portal, user["customer_id"], case["title"]) == [
            created["supportCase"]["caseNumber"]
        ]
        assert portal.sandbox.faults[0].fired == 2


async def test_a_permanent_failure_says_so_writes_nothing_and_the_same_key_later_makes_one_case():
    async with running_portal(env=NO_CACHE) as portal, signed_in(portal) as browser:
        user, case = portal.users[0], new_case()
        await set_faults(portal, {**CASE_POSTS, "kind": "status", "status": 500})
        failed = await create(portal, browser, case)
        assert failed["data"] is None
        assert error_codes(failed) == ["UPSTREAM_ERROR"]
        assert case_numbers(portal, user["customer_id"], case["title"]) == []
        await set_faults(portal)
        retried = await create(portal, browser, case)
        created = retried["data"]["createSupportCase"]
        assert created["replayed"] is False
        assert case_numbers(portal, user["customer_id"], case["title"]) == [
            created["supportCase"]["caseNumber"]
        ]


async def test_a_write_whose_answer_is_lost_and_then_fails_is_reported_and_replayed_by_its_key():
    # NetSuite writes the case and the answer is lost; every retry then fails. The client hears of a
    # failure, retries with its key, and learns the case exists: still one case.
    async with running_portal(env=NO_CACHE) as portal, signed_in(portal) as browser:
        user, case = portal.users[0], new_case()
        await set_faults(
            portal,
            {**CASE_POSTS, "kind": "lose_response", "count": 1},
            {**CASE_POSTS, "kind": "status", "status": 503},
        )
        failed = await create(portal, browser, case)
        assert failed["data"] is None
        assert set(error_codes(failed)) <= {"UPSTREAM_ERROR", "UPSTREAM_BUSY"} and failed["errors"]
        (number,) = case_numbers(portal, user["customer_id"], case["title"])
        await set_faults(portal)
        retried = await create(portal, browser, case)
        assert "errors" not in retried, retried["errors"]
        replayed = retried["data"]["createSupportCase"]
        assert replayed["replayed"] is True
        assert replayed["supportCase"]["caseNumber"] == number
        assert case_numbers(portal, user["customer_id"], case["title"]) == [number]


async def test_a_contact_update_whose_answer_is_lost_is_applied_once_and_answered_truthfully():
    async with running_portal(env=NO_CACHE) as portal, signed_in(portal) as browser:
        user = portal.users[0]
        cid = user["customer_id"]
        new = {"email": f"ap.{uuid.uuid4().hex[:6]}@example.org", "phone": "+1 555 010 4242"}
        await set_faults(
            portal, {"path": RECORDS + "customer", "method": "PATCH", "kind": "lose_response", "count": 1}
        )
        portal.reset_counters()
        result = await portal.post_graphql(browser, UPDATE_CONTACT, {"input": new})
        assert "errors" not in result, result["errors"]
        assert portal.sandbox.faults[0].fired == 1
        stored = portal.db.execute("SELECT email, phone FROM customer WHERE id = ?", (cid,)).fetchone()
        assert stored == (new["email"], new["phone"])
        answered = result["data"]["updateContactInfo"]["customer"]
        assert (answered["email"], answered["phone"]) == stored
        # Sent twice (the retry of a PATCH sets the same values again), applied as one update.
        patches = portal.sandbox.counters.by_route
        assert sum(n for route, n in patches.items() if route.startswith("PATCH")) == 2
        assert (await portal.graphql(browser, "{ viewer { customer { email phone } } }"))["viewer"][
            "customer"
        ] == new
