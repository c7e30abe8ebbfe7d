"""One customer never sees another's data: not by global id, not through filters, not nested.

A customer's own scope is itself and its direct sub-customers (a parent company sees its
branches), exactly as NetSuite's customer-center role restricts rows.
"""

from __future__ import annotations

import asyncio
import base64
import random
import sqlite3
from collections.abc import Iterator
from typing import Any

from support.portal import Portal

# Two queries, each under the portal's cost limit: the customer's own objects, then its branches'.
OWN = """
query Own {
  viewer { customer {
    id
    contacts(first: 50) { nodes { id } }
    invoices(first: 50) { nodes { id salesOrder { id invoices { id } } } }
    salesOrders(first: 50) { nodes { id invoices { id salesOrder { id } } } }
    supportCases(first: 50) { nodes { id } }
  } }
}
"""

BRANCHES = """
query Branches {
  viewer { customer { subCustomers(first: 10) { nodes {
    id
    contacts(first: 30) { nodes { id } }
    invoices(first: 30) { nodes { id salesOrder { id } } }
    salesOrders(first: 30) { nodes { id invoices { id } } }
    supportCases(first: 30) { nodes { id } }
  } } } }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Invoice { tranId lines { amount { amount } } salesOrder { id } }
    ... on SalesOrder { tranId invoices { id } }
    ... on SupportCase { caseNumber }
    ... on Customer { entityId customerInvoices: invoices(first: 5) { nodes { id } } }
    ... on Contact { email }
  }
}
"""

WIDEST_INVOICES = """
query Widest($filter: InvoiceFilter) {
  viewer { customer { invoices(first: 100, filter: $filter) { totalCount nodes { id } } } }
}
"""

ALL_INVOICE_STATUSES = ["OPEN", "PAID_IN_FULL", "PENDING_APPROVAL", "REJECTED", "VOIDED"]


def encode(type_name: str, record_id: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{record_id}".encode()).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, int]:
    type_name, _, raw = (
        base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().partition(":")
    )
    return type_name, int(raw)


def global_ids(value: Any) -> Iterator[str]:
    """Every ``id`` anywhere in a response."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                yield item
            else:
                yield from global_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from global_ids(item)


def own_customers(db: sqlite3.Connection, customer_id: int) -> set[int]:
    rows = db.execute("SELECT id FROM customer WHERE id = ? OR parent = ?", (customer_id, customer_id))
    return {row[0] for row in rows}


def owner(db: sqlite3.Connection, type_name: str, record_id: int) -> int | None:
    """The customer a record belongs to, read from NetSuite's tables."""
    sql = {
        "Customer": "SELECT id FROM customer WHERE id = ?",
        "Invoice": "SELECT entity FROM \"transaction\" WHERE id = ? AND type = 'CustInvc'",
        "SalesOrder": "SELECT entity FROM \"transaction\" WHERE id = ? AND type = 'SalesOrd'",
        "SupportCase": "SELECT company FROM supportcase WHERE id = ?",
        "Contact": "SELECT company FROM contact WHERE id = ?",
    }[type_name]
    row = db.execute(sql, (record_id,)).fetchone()
    return None if row is None else row[0]


def first_id(db: sqlite3.Connection, sql: str, customer_id: int) -> int:
    row = db.execute(sql, (customer_id,)).fetchone()
    assert row is not None, sql
    return row[0]


def objects_of(db: sqlite3.Connection, customer_id: int) -> dict[str, str]:
    """A global id of each kind of object ``customer_id`` owns."""
    return {
        "Customer": encode("Customer", customer_id),
        "Invoice": encode(
            "Invoice",
            first_id(
                db, "SELECT id FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc'", customer_id
            ),
        ),
        "SalesOrder": encode(
            "SalesOrder",
            first_id(
                db, "SELECT id FROM \"transaction\" WHERE entity = ? AND type = 'SalesOrd'", customer_id
            ),
        ),
        "SupportCase": encode(
            "SupportCase", first_id(db, "SELECT id FROM supportcase WHERE company = ?", customer_id)
        ),
        "Contact": encode("Contact", first_id(db, "SELECT id FROM contact WHERE company = ?", customer_id)),
    }


def full_users(portal: Portal) -> list[dict[str, Any]]:
    """Signed-in customers owning every kind of object, parents of sub-customers first."""
    db = portal.db
    full = []
    for user in portal.users:
        cid = user["customer_id"]
        kinds = db.execute(
            "SELECT (SELECT COUNT(*) FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc'), "
            "(SELECT COUNT(*) FROM \"transaction\" WHERE entity = ? AND type = 'SalesOrd'), "
            "(SELECT COUNT(*) FROM supportcase WHERE company = ?), "
            "(SELECT COUNT(*) FROM contact WHERE company = ?), "
            "(SELECT COUNT(*) FROM customer WHERE parent = ?)",
            (cid,) * 5,
        ).fetchone()
        if all(kinds[:4]):
            full.append((-kinds[4], cid, user))
    return [user for _, _, user in sorted(full, key=lambda entry: entry[:2])]


async def ask_node(portal: Portal, browser, global_id: str) -> dict[str, Any]:
    return await portal.post_graphql(browser, NODE, {"id": global_id})


def assert_not_found(result: dict[str, Any]) -> None:
    assert result["data"] == {"node": None}, result
    assert [error["extensions"]["code"] for error in result.get("errors", [])] in ([], ["NOT_FOUND"]), result


async def test_another_customers_objects_are_not_found_by_global_id(portal: Portal):
    a, b = full_users(portal)[:2]
    db = portal.db
    assert b["customer_id"] not in own_customers(db, a["customer_id"])
    mine, theirs = objects_of(db, a["customer_id"]), objects_of(db, b["customer_id"])
    async with portal.browser() as browser:
        await portal.sign_in(browser, a)
        for type_name, global_id in mine.items():
            result = await ask_node(portal, browser, global_id)
            assert "errors" not in result, result
            assert result["data"]["node"]["__typename"] == type_name
            assert result["data"]["node"]["id"] == global_id
        missing = await ask_node(portal, browser, encode("Invoice", 987_654_321))
        assert_not_found(missing)
        for global_id in theirs.values():
            result = await ask_node(portal, browser, global_id)
            assert_not_found(result)
            # The answer for another's object is the one for an object that does not exist.
            assert result.get("errors", [{}])[0].get("message") == missing.get("errors", [{}])[0].get(
                "message"
            )
        # A transaction id under the other transaction type is not found either.
        order_as_invoice = encode("Invoice", decode(mine["SalesOrder"])[1])
        assert_not_found(await ask_node(portal, browser, order_as_invoice))


async def test_a_parent_company_reads_its_sub_customers_by_global_id(portal: Portal):
    parent = full_users(portal)[0]
    db = portal.db
    children = sorted(own_customers(db, parent["customer_id"]) - {parent["customer_id"]})
    assert children, "the first full user is a parent company"
    async with portal.browser() as browser:
        await portal.sign_in(browser, parent)
        for child in children:
            result = await ask_node(portal, browser, encode("Customer", child))
            assert "errors" not in result, result
            (entity_id,) = db.execute("SELECT entityid FROM customer WHERE id = ?", (child,)).fetchone()
            assert result["data"]["node"]["entityId"] == entity_id


async def test_filters_cannot_widen_the_scope(portal: Portal):
    user = full_users(portal)[0]
    db = portal.db
    cid = user["customer_id"]
    (own,) = db.execute(
        "SELECT COUNT(*) FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc'", (cid,)
    ).fetchone()
    widest = [
        {},
        {"status": ALL_INVOICE_STATUSES},
        {"dateFrom": "1900-01-01", "dateTo": "2999-12-31"},
        {"status": ALL_INVOICE_STATUSES, "dateFrom": "1900-01-01", "dateTo": "2999-12-31"},
    ]
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        for filter in widest:
            data = await portal.graphql(browser, WIDEST_INVOICES, {"filter": filter})
            invoices = data["viewer"]["customer"]["invoices"]
            assert invoices["totalCount"] == own, filter
            assert {owner(db, *decode(node["id"])) for node in invoices["nodes"]} == {cid}, filter
        for bad in ({"status": ["OPEN' OR 1=1 --"]}, {"dateFrom": "2020-01-01' OR '1'='1"}):
            result = await portal.post_graphql(browser, WIDEST_INVOICES, {"filter": bad})
            assert result.get("data") is None and result["errors"], result


async def everything_of(portal: Portal, user: dict[str, Any]) -> dict[str, Any]:
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        own = await portal.graphql(browser, OWN)
        own["branches"] = await portal.graphql(browser, BRANCHES)
        return own


async def test_no_response_holds_an_id_of_another_customer(portal: Portal):
    users = full_users(portal)[:6]
    db = portal.db
    # Signed in side by side, so that caches and batches of different viewers are live at once.
    responses = await asyncio.gather(*(everything_of(portal, user) for user in users))
    for user, data in zip(users, responses, strict=True):
        own = own_customers(db, user["customer_id"])
        ids = [decode(global_id) for global_id in global_ids(data)]
        kinds = {type_name for type_name, _ in ids}
        assert {"Customer", "Invoice", "SalesOrder", "SupportCase", "Contact"} <= kinds
        strangers = [(t, i) for t, i in ids if owner(db, t, i) not in own]
        assert strangers == [], (user["customer_id"], strangers)
        invoices = data["viewer"]["customer"]["invoices"]["nodes"]
        (count,) = db.execute(
            "SELECT COUNT(*) FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc'",
            (user["customer_id"],),
        ).fetchone()
        assert len(invoices) == min(count, 50)


RANDOM_INVOICES = """
query Random($filter: InvoiceFilter, $first: Int) {
  viewer { customer {
    invoices(first: $first, filter: $filter) { nodes { id salesOrder { id invoices { id } } } }
    subCustomers(first: 5) { nodes { id supportCases(first: 3) { nodes { id } } } }
  } }
}
"""


def every_object(db: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every object of every kind in NetSuite, whoever owns it."""
    return [
        *(("Customer", row[0]) for row in db.execute("SELECT id FROM customer")),
        *(
            ("Invoice", row[0])
            for row in db.execute("SELECT id FROM \"transaction\" WHERE type = 'CustInvc'")
        ),
        *(
            ("SalesOrder", row[0])
            for row in db.execute("SELECT id FROM \"transaction\" WHERE type = 'SalesOrd'")
        ),
        *(("SupportCase", row[0]) for row in db.execute("SELECT id FROM supportcase")),
        *(("Contact", row[0]) for row in db.execute("SELECT id FROM contact")),
    ]


def random_filter(rng: random.Random) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    if rng.random() < 0.5:
        chosen["status"] = rng.sample(ALL_INVOICE_STATUSES, rng.randint(1, len(ALL_INVOICE_STATUSES)))
    if rng.random() < 0.5:
        start = rng.randint(2015, 2026)
        chosen["dateFrom"], chosen["dateTo"] = f"{start}-01-01", f"{rng.randint(start, 2027)}-12-31"
    return chosen


async def test_random_ids_filters_and_nesting_never_show_another_customers_object(portal: Portal):
    rng = random.Random(20261204)  # seeded: a failure replays exactly
    db = portal.db
    users = rng.sample(portal.users, 4)
    objects = every_object(db)
    browsers = [portal.browser() for _ in users]
    try:
        for browser, user in zip(browsers, users, strict=True):
            await portal.sign_in(browser, user)
        for _ in range(60):
            index = rng.randrange(len(users))
            browser, own = browsers[index], own_customers(db, users[index]["customer_id"])
            if rng.random() < 0.6:
                type_name, record_id = rng.choice(objects)
                result = await ask_node(portal, browser, encode(type_name, record_id))
                if owner(db, type_name, record_id) not in own:
                    assert_not_found(result)
            else:
                variables = {"filter": random_filter(rng), "first": rng.randint(1, 40)}
                result = await portal.post_graphql(browser, RANDOM_INVOICES, variables)
                assert "errors" not in result, result
            strangers = [
                (t, i) for t, i in map(decode, global_ids(result.get("data"))) if owner(db, t, i) not in own
            ]
            assert strangers == [], (users[index]["customer_id"], strangers)
    finally:
        for browser in browsers:
            await browser.aclose()
