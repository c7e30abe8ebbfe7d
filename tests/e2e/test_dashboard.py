"""The dashboard query end to end: every value against the sandbox's data, and what it costs upstream.

Expected values are read from ``portal.db`` with plain SQL over NetSuite's tables, as a customer
would read them: amounts positive, currencies by ISO code (``currency.symbol``), statuses by
NetSuite's names.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from support.portal import Portal

from graph.sandbox.db import TRANSACTION_STATUSES

DASHBOARD = """
query Dashboard {
  viewer {
    customer {
      id entityId companyName email phone currency
      balance { amount currency }
      overdueBalance { amount currency }
      defaultBillingAddress { addressee addr1 addr2 city state zip country phone }
      defaultShippingAddress { addressee addr1 addr2 city state zip country phone }
      invoices(first: 5) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id tranId tranDate dueDate status isOverdue memo
          total { amount currency }
          amountRemaining { amount currency }
          lines {
            line description quantity
            item { id itemId displayName }
            rate { amount currency }
            amount { amount currency }
          }
        }
      }
      salesOrders(first: 5, filter: { open: true }) {
        totalCount
        nodes { id tranId tranDate shipDate status memo total { amount currency } }
      }
      supportCases(first: 5, filter: { open: true }) {
        totalCount
        nodes { id caseNumber title status priority createdDate lastModifiedDate }
      }
    }
  }
}
"""

INVOICE_PAGE = """
query Invoices($first: Int, $after: String, $filter: InvoiceFilter) {
  viewer { customer { invoices(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { tranId } }
  } } }
}
"""

SALES_ORDER_PAGE = """
query Orders($filter: SalesOrderFilter) {
  viewer { customer { salesOrders(first: 100, filter: $filter) { totalCount nodes { tranId status } } } }
}
"""

CASE_PAGE = """
query Cases($filter: SupportCaseFilter) {
  viewer { customer { supportCases(first: 100, filter: $filter) { totalCount nodes { caseNumber status } } } }
}
"""


def enum_name(netsuite_name: str) -> str:
    """NetSuite's display name as a GraphQL enum value: 'Paid In Full' -> 'PAID_IN_FULL'."""
    return re.sub(r"[^A-Z]+", "_", netsuite_name.upper()).strip("_")


def status_name(kind: str, letter: str) -> str:
    return enum_name(TRANSACTION_STATUSES[kind][letter])


def money(amount: float | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None else {"amount": Decimal(str(amount)), "currency": currency}


def as_money(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else {"amount": Decimal(value["amount"]), "currency": value["currency"]}


def rows(db: sqlite3.Connection, sql: str, *params: Any) -> list[sqlite3.Row]:
    db.row_factory = sqlite3.Row
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.row_factory = None


def busiest_user(portal: Portal) -> dict[str, Any]:
    """The signed-in customer with the most invoices who also has open orders and open cases."""
    (best,) = rows(
        portal.db,
        "SELECT c.id FROM customer c WHERE "
        "EXISTS (SELECT 1 FROM \"transaction\" t WHERE t.entity = c.id AND t.type = 'SalesOrd' "
        "AND t.status NOT IN ('C', 'G', 'H')) AND EXISTS (SELECT 1 FROM supportcase sc "
        "JOIN supportcasestatus s ON s.id = sc.status WHERE sc.company = c.id AND s.stage <> 'CLOSED') "
        'AND c.id IN ({}) ORDER BY (SELECT COUNT(*) FROM "transaction" t WHERE t.entity = c.id '
        "AND t.type = 'CustInvc') DESC, c.id LIMIT 1".format(
            ",".join(str(u["customer_id"]) for u in portal.users)
        ),
    )
    return next(user for user in portal.users if user["customer_id"] == best["id"])


@pytest.fixture
async def signed_in(portal: Portal) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Any]]]:
    user = busiest_user(portal)
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        yield browser, user


def expected_address(db: sqlite3.Connection, nkey: int | None) -> dict[str, Any] | None:
    if nkey is None:
        return None
    (row,) = rows(db, "SELECT * FROM entityaddress WHERE nkey = ?", nkey)
    return {
        "addressee": row["addressee"],
        "addr1": row["addr1"],
        "addr2": row["addr2"],
        "city": row["city"],
        "state": row["state"],
        "zip": row["zip"],
        "country": row["country"],
        "phone": row["addrphone"],
    }


def expected_lines(db: sqlite3.Connection, transaction_id: int, currency: str) -> list[dict[str, Any]]:
    lines = rows(
        db,
        "SELECT tl.linesequencenumber, tl.item, tl.quantity, tl.rate, tl.foreignamount, tl.memo, "
        "i.itemid, i.displayname FROM transactionline tl LEFT JOIN item i ON i.id = tl.item "
        "WHERE tl.\"transaction\" = ? AND tl.mainline = 'F' AND tl.taxline = 'F' "
        "ORDER BY tl.linesequencenumber",
        transaction_id,
    )
    return [
        {
            "line": line["linesequencenumber"],
            "description": line["memo"],
            # Sales lines are stored negative in SuiteQL; a customer reads them positive.
            "quantity": abs(Decimal(str(line["quantity"]))),
            "item": {"id": str(line["item"]), "itemId": line["itemid"], "displayName": line["displayname"]},
            "rate": money(line["rate"], currency),
            "amount": money(abs(line["foreignamount"]), currency),
        }
        for line in lines
    ]


def received_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **line,
            "quantity": Decimal(line["quantity"]),
            "rate": as_money(line["rate"]),
            "amount": as_money(line["amount"]),
        }
        for line in lines
    ]


def iso_utc(stored: str | None) -> str | None:
    """A sandbox datetime (UTC text) as the DateTime the schema promises."""
    if stored is None:
        return None
    return dt.datetime.fromisoformat(stored).replace(tzinfo=dt.UTC).isoformat()


async def test_dashboard_matches_netsuite_data_in_at_most_four_calls(portal: Portal, signed_in):
    browser, user = signed_in
    db, customer_id = portal.db, user["customer_id"]
    portal.reset_counters()
    data = await portal.graphql(browser, DASHBOARD)
    counters = portal.sandbox.counters
    assert counters.calls <= 4, counters.by_route
    assert counters.peak_in_flight <= portal.settings.concurrency

    (c,) = rows(
        db,
        "SELECT c.*, cur.symbol FROM customer c JOIN currency cur ON cur.id = c.currency WHERE c.id = ?",
        customer_id,
    )
    iso = c["symbol"]
    customer = data["viewer"]["customer"]
    assert customer["currency"] == iso and len(iso) == 3
    assert {k: customer[k] for k in ("entityId", "companyName", "email", "phone")} == {
        "entityId": c["entityid"],
        "companyName": c["companyname"],
        "email": c["email"],
        "phone": c["phone"],
    }
    assert as_money(customer["balance"]) == money(c["balancesearch"], iso)
    assert as_money(customer["overdueBalance"]) == money(c["overduebalancesearch"], iso)
    assert customer["defaultBillingAddress"] == expected_address(db, c["defaultbillingaddress"])
    assert customer["defaultShippingAddress"] == expected_address(db, c["defaultshippingaddress"])

    invoices = rows(
        db,
        'SELECT t.*, cur.symbol FROM "transaction" t JOIN currency cur ON cur.id = t.currency '
        "WHERE t.entity = ? AND t.type = 'CustInvc' ORDER BY t.trandate DESC, t.id DESC",
        customer_id,
    )
    connection = customer["invoices"]
    assert connection["totalCount"] == len(invoices)
    assert connection["pageInfo"]["hasNextPage"] == (len(invoices) > 5)
    today = dt.date.today()
    expected_invoices = [
        {
            "tranId": t["tranid"],
            "tranDate": t["trandate"],
            "dueDate": t["duedate"],
            "status": status_name("CustInvc", t["status"]),
            "isOverdue": t["status"] == "A" and dt.date.fromisoformat(t["duedate"]) < today,
            "memo": t["memo"],
            "total": money(t["foreigntotal"], t["symbol"]),
            "amountRemaining": money(t["foreignamountunpaid"], t["symbol"]),
            "lines": expected_lines(db, t["id"], t["symbol"]),
        }
        for t in invoices[:5]
    ]
    received = [
        {
            **{k: v for k, v in node.items() if k != "id"},
            "total": as_money(node["total"]),
            "amountRemaining": as_money(node["amountRemaining"]),
            "lines": received_lines(node["lines"]),
        }
        for node in connection["nodes"]
    ]
    assert received == expected_invoices
    for node in received:
        assert node["lines"], "every invoice has item lines"
        assert sum(line["amount"]["amount"] for line in node["lines"]) == node["total"]["amount"]

    orders = rows(
        db,
        'SELECT t.*, cur.symbol FROM "transaction" t JOIN currency cur ON cur.id = t.currency '
        "WHERE t.entity = ? AND t.type = 'SalesOrd' AND t.status NOT IN ('C', 'G', 'H') "
        "ORDER BY t.trandate DESC, t.id DESC",
        customer_id,
    )
    assert customer["salesOrders"]["totalCount"] == len(orders)
    assert [{**node, "total": as_money(node["total"])} for node in customer["salesOrders"]["nodes"]] == [
        {
            "id": node_id("SalesOrder", t["id"]),
            "tranId": t["tranid"],
            "tranDate": t["trandate"],
            "shipDate": t["shipdate"],
            "status": status_name("SalesOrd", t["status"]),
            "memo": t["memo"],
            "total": money(t["foreigntotal"], t["symbol"]),
        }
        for t in orders[:5]
    ]

    cases = rows(
        db,
        "SELECT sc.*, s.name AS statusname, p.name AS priorityname FROM supportcase sc "
        "JOIN supportcasestatus s ON s.id = sc.status LEFT JOIN supportcasepriority p ON p.id = sc.priority "
        "WHERE sc.company = ? AND s.stage <> 'CLOSED' ORDER BY sc.createddate DESC, sc.id DESC",
        customer_id,
    )
    assert customer["supportCases"]["totalCount"] == len(cases)
    assert customer["supportCases"]["nodes"] == [
        {
            "id": node_id("SupportCase", case["id"]),
            "caseNumber": case["casenumber"],
            "title": case["title"],
            "status": enum_name(case["statusname"]),
            "priority": enum_name(case["priorityname"]) if case["priorityname"] else None,
            "createdDate": iso_utc(case["createddate"]),
            "lastModifiedDate": iso_utc(case["lastmodifieddate"]),
        }
        for case in cases[:5]
    ]


def node_id(type_name: str, record_id: int) -> str:
    """The global id of a NetSuite record (opaque to clients; the test names records by it)."""
    return base64.urlsafe_b64encode(f"{type_name}:{record_id}".encode()).decode().rstrip("=")


async def test_the_same_dashboard_within_the_cache_ttl_costs_no_upstream_call(portal: Portal, signed_in):
    browser, _ = signed_in
    first = await portal.graphql(browser, DASHBOARD)
    portal.reset_counters()
    second = await portal.graphql(browser, DASHBOARD)
    assert portal.upstream_calls() == 0, portal.sandbox.counters.by_route
    assert second == first


async def walk_invoices(
    portal: Portal, browser: httpx.AsyncClient, page_size: int, **filter: Any
) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        variables = {"first": page_size, "after": after, "filter": filter or None}
        page = (await portal.graphql(browser, INVOICE_PAGE, variables))["viewer"]["customer"]["invoices"]
        assert len(page["edges"]) <= page_size
        seen.extend(edge["node"]["tranId"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]


async def test_after_cursors_walk_every_invoice_exactly_once(portal: Portal, signed_in):
    browser, user = signed_in
    expected = [
        row["tranid"]
        for row in rows(
            portal.db,
            "SELECT tranid FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc' "
            "ORDER BY trandate DESC, id DESC",
            user["customer_id"],
        )
    ]
    assert len(expected) > 6
    for page_size in (1, 3, 5):
        assert await walk_invoices(portal, browser, page_size) == expected


def invoice_ids(db: sqlite3.Connection, customer_id: int, condition: str, *params: Any) -> list[str]:
    return [
        row["tranid"]
        for row in rows(
            db,
            "SELECT tranid FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc' AND "
            f"{condition} ORDER BY trandate DESC, id DESC",
            customer_id,
            *params,
        )
    ]


async def test_invoice_filters_return_exactly_the_matching_rows(portal: Portal, signed_in):
    browser, user = signed_in
    db, customer_id = portal.db, user["customer_id"]
    today = dt.date.today().isoformat()
    dates = [
        row["trandate"]
        for row in rows(
            db,
            "SELECT trandate FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc' ORDER BY trandate",
            customer_id,
        )
    ]
    start, end = dates[len(dates) // 4], dates[3 * len(dates) // 4]
    cases = [
        ({"status": ["PAID_IN_FULL"]}, "status = 'B'", ()),
        ({"status": ["OPEN", "VOIDED"]}, "status IN ('A', 'V')", ()),
        ({"open": True}, "status = 'A'", ()),
        ({"open": False}, "status <> 'A'", ()),
        ({"overdue": True}, "status = 'A' AND duedate < ?", (today,)),
        ({"overdue": False}, "NOT (status = 'A' AND duedate < ?)", (today,)),
        ({"dateFrom": start, "dateTo": end}, "trandate BETWEEN ? AND ?", (start, end)),
        ({"dateFrom": start, "open": False}, "trandate >= ? AND status <> 'A'", (start,)),
        ({"dateTo": start}, "trandate <= ?", (start,)),
    ]
    matched_some = False
    for filter, condition, params in cases:
        expected = invoice_ids(db, customer_id, condition, *params)
        matched_some |= bool(expected)
        page = (await portal.graphql(browser, INVOICE_PAGE, {"first": 100, "filter": filter}))["viewer"]
        invoices = page["customer"]["invoices"]
        assert [edge["node"]["tranId"] for edge in invoices["edges"]] == expected, filter
        assert invoices["totalCount"] == len(expected), filter
    assert matched_some


async def test_sales_order_and_case_filters_return_exactly_the_matching_rows(portal: Portal, signed_in):
    browser, user = signed_in
    db, customer_id = portal.db, user["customer_id"]
    order_cases = [
        ({"open": True}, "status NOT IN ('C', 'G', 'H')"),
        ({"open": False}, "status IN ('C', 'G', 'H')"),
        ({"status": ["BILLED", "PENDING_FULFILLMENT"]}, "status IN ('G', 'B')"),
    ]
    for filter, condition in order_cases:
        expected = [
            (row["tranid"], status_name("SalesOrd", row["status"]))
            for row in rows(
                db,
                "SELECT tranid, status FROM \"transaction\" WHERE entity = ? AND type = 'SalesOrd' "
                f"AND {condition} ORDER BY trandate DESC, id DESC",
                customer_id,
            )
        ]
        orders = (await portal.graphql(browser, SALES_ORDER_PAGE, {"filter": filter}))["viewer"]["customer"]
        nodes = orders["salesOrders"]["nodes"]
        assert [(node["tranId"], node["status"]) for node in nodes] == expected, filter
    case_cases = [
        ({"open": True}, "s.stage <> 'CLOSED'"),
        ({"open": False}, "s.stage = 'CLOSED'"),
        ({"status": ["CLOSED", "SOLVED"]}, "s.name IN ('Closed', 'Solved')"),
    ]
    for filter, condition in case_cases:
        expected = [
            (row["casenumber"], enum_name(row["name"]))
            for row in rows(
                db,
                "SELECT sc.casenumber, s.name FROM supportcase sc "
                "JOIN supportcasestatus s ON s.id = sc.status "
                f"WHERE sc.company = ? AND {condition} ORDER BY sc.createddate DESC, sc.id DESC",
                customer_id,
            )
        ]
        cases = (await portal.graphql(browser, CASE_PAGE, {"filter": filter}))["viewer"]["customer"]
        nodes = cases["supportCases"]["nodes"]
        assert [(node["caseNumber"], node["status"]) for node in nodes] == expected, filter


RELATED = """
query Related {
  viewer { customer {
    invoices(first: 20) { nodes { tranId salesOrder { tranId invoices { tranId } } } }
    salesOrders(first: 20) { nodes { tranId invoices { tranId } } }
  } }
}
"""


async def test_invoices_and_orders_link_as_created_from_says_in_one_call_per_level(portal: Portal, signed_in):
    browser, user = signed_in
    db = portal.db
    created_from = {
        row["invoice"]: row["order"]
        for row in rows(
            db,
            'SELECT DISTINCT i.tranid AS invoice, o.tranid AS "order" FROM "transaction" i '
            "JOIN transactionline tl ON tl.\"transaction\" = i.id AND tl.mainline = 'T' "
            "JOIN \"transaction\" o ON o.id = tl.createdfrom WHERE i.entity = ? AND i.type = 'CustInvc'",
            user["customer_id"],
        )
    }
    billed: dict[str, list[str]] = {}
    for invoice, order in created_from.items():
        billed.setdefault(order, []).append(invoice)
    assert created_from, "some invoices of this customer were billed from a sales order"
    portal.reset_counters()
    data = (await portal.graphql(browser, RELATED))["viewer"]["customer"]
    # customer, transaction pages, created-from links, invoices of those orders (orders are primed
    # by the page when shown; else one records call).
    assert portal.upstream_calls() <= 5, portal.sandbox.counters.by_route
    for invoice in data["invoices"]["nodes"]:
        order = invoice["salesOrder"]
        assert (order and order["tranId"]) == created_from.get(invoice["tranId"]), invoice
        if order:
            assert sorted(i["tranId"] for i in order["invoices"]) == sorted(billed[order["tranId"]])
    for order in data["salesOrders"]["nodes"]:
        assert sorted(i["tranId"] for i in order["invoices"]) == sorted(billed.get(order["tranId"], []))


PEOPLE = """
query People {
  viewer { customer {
    contacts(first: 100) { totalCount nodes { entityId firstName lastName email phone title } }
    subCustomers(first: 100) {
      totalCount
      nodes { entityId companyName currency balance { amount currency } }
    }
  } }
}
"""


async def test_contacts_and_sub_customers_match_netsuite(portal: Portal):
    parent = next(
        user
        for user in portal.users
        if portal.db.execute(
            "SELECT COUNT(*) FROM customer WHERE parent = ? AND isinactive = 'F'", (user["customer_id"],)
        ).fetchone()[0]
        > 1
    )
    cid = parent["customer_id"]
    async with portal.browser() as browser:
        await portal.sign_in(browser, parent)
        data = (await portal.graphql(browser, PEOPLE))["viewer"]["customer"]
    contacts = rows(
        portal.db,
        "SELECT * FROM contact WHERE company = ? AND isinactive = 'F' ORDER BY lastname, firstname, id",
        cid,
    )
    assert data["contacts"]["totalCount"] == len(contacts)
    assert data["contacts"]["nodes"] == [
        {
            "entityId": c["entityid"],
            "firstName": c["firstname"],
            "lastName": c["lastname"],
            "email": c["email"],
            "phone": c["phone"],
            "title": c["title"],
        }
        for c in contacts
    ]
    children = rows(
        portal.db,
        "SELECT c.*, cur.symbol FROM customer c JOIN currency cur ON cur.id = c.currency "
        "WHERE c.parent = ? AND c.isinactive = 'F' ORDER BY c.companyname, c.id",
        cid,
    )
    assert data["subCustomers"]["totalCount"] == len(children)
    assert [{**n, "balance": as_money(n["balance"])} for n in data["subCustomers"]["nodes"]] == [
        {
            "entityId": c["entityid"],
            "companyName": c["companyname"],
            "currency": c["symbol"],
            "balance": money(c["balancesearch"], c["symbol"]),
        }
        for c in children
    ]


async def test_case_date_filters_include_whole_days(portal: Portal, signed_in):
    browser, user = signed_in
    cases = rows(
        portal.db,
        "SELECT casenumber, createddate FROM supportcase WHERE company = ? "
        "ORDER BY createddate DESC, id DESC",
        user["customer_id"],
    )
    assert len(cases) > 1
    day = cases[len(cases) // 2]["createddate"][:10]  # a case created during that day, not at midnight
    for filter, keep in (
        ({"createdTo": day}, lambda created: created[:10] <= day),
        ({"createdFrom": day}, lambda created: created[:10] >= day),
        ({"createdFrom": day, "createdTo": day}, lambda created: created[:10] == day),
    ):
        data = await portal.graphql(browser, CASE_PAGE, {"filter": filter})
        received = [node["caseNumber"] for node in data["viewer"]["customer"]["supportCases"]["nodes"]]
        assert received == [case["casenumber"] for case in cases if keep(case["createddate"])], filter
