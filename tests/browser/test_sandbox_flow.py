"""The portal page and GraphiQL in headless Chromium against the real service and the sandbox.

SuiteGraph and the NetSuite sandbox run over real HTTP; the browser signs in through the sandbox's
sign-in form and consent page like a customer does, and every figure the page shows is checked
against the sandbox's own database, read here with plain SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from browser_support import PageWatch, screenshot
from live_portal import PortalThread, portal_in_thread
from playwright.sync_api import Page, expect

from graph.sandbox.db import TRANSACTION_STATUSES, locked
from graph.web.pages import GRAPHIQL_CSP, PORTAL_CSP


@pytest.fixture(scope="module")
def live() -> Iterator[PortalThread]:
    # No per-viewer cache: each test sees what the sandbox holds at that moment (arranged data, faults).
    with portal_in_thread(concurrency=2, env={"PORTAL_CACHE_TTL": "0"}) as running:
        yield running


# ---------------------------------------------------------------------------------------------
# What NetSuite holds, read straight from the sandbox's database


def rows(live: PortalThread, sql: str, *params: Any) -> list[dict[str, Any]]:
    db = live.portal.db
    with locked(db):
        cursor = db.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def customer_row(live: PortalThread, customer_id: int) -> dict[str, Any]:
    (row,) = rows(
        live,
        "SELECT c.*, cur.symbol AS iso FROM customer c JOIN currency cur ON cur.id = c.currency "
        "WHERE c.id = ?",
        customer_id,
    )
    return row


def usd_users(live: PortalThread) -> list[dict[str, Any]]:
    """Customers billed in US dollars, so that amounts read the same in any test locale."""
    return [user for user in live.portal.users if customer_row(live, user["customer_id"])["iso"] == "USD"]


def user_for(live: PortalThread, index: int) -> dict[str, Any]:
    """A different customer per test: the tests share one sandbox and some of them write."""
    return usd_users(live)[index]


def open_invoices(live: PortalThread, customer_id: int) -> list[dict[str, Any]]:
    return rows(
        live,
        "SELECT * FROM \"transaction\" WHERE entity = ? AND type = 'CustInvc' AND status = 'A' "
        "ORDER BY trandate DESC, id DESC",
        customer_id,
    )


def sales_orders(live: PortalThread, customer_id: int) -> list[dict[str, Any]]:
    return rows(
        live,
        "SELECT * FROM \"transaction\" WHERE entity = ? AND type = 'SalesOrd' "
        "ORDER BY trandate DESC, id DESC",
        customer_id,
    )


def open_cases(live: PortalThread, customer_id: int) -> list[dict[str, Any]]:
    return rows(
        live,
        "SELECT sc.*, s.name AS statusname, p.name AS priorityname FROM supportcase sc "
        "JOIN supportcasestatus s ON s.id = sc.status LEFT JOIN supportcasepriority p ON p.id = sc.priority "
        "WHERE sc.company = ? AND s.stage <> 'CLOSED' ORDER BY sc.createddate DESC, sc.id DESC",
        customer_id,
    )


def usd(amount: float | str) -> str:
    return f"${Decimal(str(amount)).quantize(Decimal('0.01')):,}"


def day(iso: str) -> str:
    """A calendar date as the page writes it in en-US (``Dec 8, 2026``)."""
    value = date.fromisoformat(iso)
    return f"{value:%b} {value.day}, {value.year}"


def words(label: str) -> str:
    """A status label reduced to its words, so ``Pending Billing/Partially Fulfilled`` compares."""
    return re.sub(r"[^a-z]+", " ", label.lower()).strip()


# ---------------------------------------------------------------------------------------------
# The browser side


def sign_in_at_netsuite(page: Page, live: PortalThread, user: dict[str, Any]) -> None:
    """From a page showing a sign-in link, through the sandbox's sign-in and consent pages."""
    page.get_by_role("link", name=re.compile("^Sign in")).click()
    expect(page).to_have_url(re.compile("^" + re.escape(live.portal.sandbox_url)))
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_text(f"Signed in as {user['name']}")).to_be_visible()
    page.get_by_role("button", name="Allow").click()
    expect(page).to_have_url(re.compile("^" + re.escape(live.portal.url)))


def open_dashboard(page: Page, live: PortalThread, user: dict[str, Any]) -> None:
    page.goto(live.portal.url + "/")
    expect(page.locator("body")).to_have_attribute("data-state", "signed-out")
    sign_in_at_netsuite(page, live, user)
    expect(page).to_have_url(live.portal.url + "/")
    expect(page.locator("body")).to_have_attribute("data-state", "ready")


def table_rows(page: Page, widget: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator(f"#{widget} tbody tr").all()
    ]


# ---------------------------------------------------------------------------------------------
# Reading


def test_sign_in_then_the_dashboard_shows_what_netsuite_holds(
    page: Page, live: PortalThread, watch: PageWatch
) -> None:
    user = user_for(live, 0)
    cid = user["customer_id"]
    open_dashboard(page, live, user)

    customer = customer_row(live, cid)
    expect(page.locator("#greeting")).to_have_text(f"Welcome, {customer['companyname']}")
    profile = page.locator("#profile")
    expect(profile.locator('[data-field="email"]')).to_have_text(customer["email"])
    expect(profile.locator('[data-field="phone"]')).to_have_text(customer["phone"])
    expect(profile.locator('[data-field="balance"]')).to_have_text(usd(customer["balancesearch"]))
    expect(profile.locator('[data-field="overdue"]')).to_have_text(usd(customer["overduebalancesearch"]))

    invoices = open_invoices(live, cid)
    assert invoices, "the chosen customer has open invoices to show"
    expect(page.locator("#invoices [data-count]")).to_have_text(str(len(invoices)))
    shown = table_rows(page, "invoices")
    assert [row[0] for row in shown] == [invoice["tranid"] for invoice in invoices[:10]]
    for row, invoice in zip(shown, invoices, strict=False):
        assert row[1].startswith(day(invoice["duedate"]))
        assert ("Overdue" in row[1]) == (invoice["duedate"] < date.today().isoformat())
        assert row[2:] == [usd(invoice["foreignamountunpaid"]), usd(invoice["foreigntotal"])]
    # The customer's balance is what its open invoices still owe.
    assert sum(Decimal(str(i["foreignamountunpaid"])) for i in invoices) == Decimal(
        str(customer["balancesearch"])
    ).quantize(Decimal("0.01"))

    orders = sales_orders(live, cid)
    expect(page.locator("#orders [data-count]")).to_have_text(str(len(orders)))
    labels = TRANSACTION_STATUSES["SalesOrd"]
    expected_orders = [
        [o["tranid"], day(o["trandate"]), words(labels[o["status"]]), usd(o["foreigntotal"])]
        for o in orders[:5]
    ]
    assert [[r[0], r[1], words(r[2]), r[3]] for r in table_rows(page, "orders")] == expected_orders

    cases = open_cases(live, cid)
    expect(page.locator("#cases [data-count]")).to_have_text(str(len(cases)))
    expected_cases = [
        [c["casenumber"], c["title"], words(c["statusname"]), words(c["priorityname"] or "")]
        for c in cases[:10]
    ]
    assert [[r[0], r[1], words(r[2]), words(r[3])] for r in table_rows(page, "cases")] == expected_cases

    expect(page.locator("#contact-email")).to_have_value(customer["email"])
    screenshot(page, "dashboard")
    watch.assert_clean()


def test_pages_are_served_under_their_content_security_policy(page: Page, live: PortalThread) -> None:
    portal = page.request.get(live.portal.url + "/")
    assert portal.headers["content-security-policy"] == PORTAL_CSP
    ide = page.request.get(live.portal.url + "/graphql", headers={"accept": "text/html"})
    assert ide.headers["content-security-policy"] == GRAPHIQL_CSP


def test_a_customer_with_nothing_open_sees_the_empty_states(
    page: Page, live: PortalThread, watch: PageWatch
) -> None:
    user = user_for(live, 1)
    cid = user["customer_id"]
    # Arrange the account: every invoice paid, no orders, every case closed.
    db = live.portal.db
    with locked(db):
        db.execute(
            "UPDATE \"transaction\" SET status = 'B', foreignamountpaid = foreigntotal, "
            "foreignamountunpaid = 0 WHERE entity = ? AND type = 'CustInvc'",
            (cid,),
        )
        db.execute(
            'DELETE FROM transactionline WHERE "transaction" IN '
            "(SELECT id FROM \"transaction\" WHERE entity = ? AND type = 'SalesOrd')",
            (cid,),
        )
        db.execute("DELETE FROM \"transaction\" WHERE entity = ? AND type = 'SalesOrd'", (cid,))
        db.execute("UPDATE supportcase SET status = 5 WHERE company = ?", (cid,))
        db.commit()
    assert open_invoices(live, cid) == [] and sales_orders(live, cid) == [] and open_cases(live, cid) == []

    open_dashboard(page, live, user)
    expect(page.locator("#invoices")).to_contain_text("No open invoices")
    expect(page.locator("#orders")).to_contain_text("No orders yet")
    expect(page.locator("#cases")).to_contain_text("No open cases")
    for widget in ("invoices", "orders", "cases"):
        expect(page.locator(f"#{widget} [data-count]")).to_have_text("0")
    watch.assert_clean()


def test_loading_state_shows_while_the_one_request_is_on_its_way(page: Page, live: PortalThread) -> None:
    user = user_for(live, 2)
    open_dashboard(page, live, user)
    held: list[str] = []

    def hold(route) -> None:
        # The page as the customer sees it while NetSuite is still answering.
        expect(page.locator("body")).to_have_attribute("data-state", "loading")
        expect(page.locator("#dashboard")).to_have_attribute("aria-busy", "true")
        expect(page.locator("#invoices .skeleton")).to_have_count(1)
        held.append(route.request.post_data_json["query"])
        route.continue_()

    page.route("**/graphql", hold)
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    assert len(held) == 1 and held[0].lstrip().startswith("query Dashboard")
    expect(page.locator("#dashboard")).to_have_attribute("aria-busy", "false")


def test_netsuite_failing_shows_the_error_state_and_try_again_recovers(
    page: Page, live: PortalThread, watch: PageWatch
) -> None:
    user = user_for(live, 3)
    open_dashboard(page, live, user)
    faults = httpx.Client(base_url=live.portal.sandbox_url, timeout=10)
    rule = {"path": "/services/rest/query", "kind": "status", "status": 400, "code": "INVALID_PARAMETER"}
    assert faults.put("/__sandbox/faults", json=[rule]).status_code == 200
    try:
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-state", "error")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("NetSuite did not answer as expected")
        expect(alert).not_to_contain_text("INVALID_PARAMETER")
    finally:
        assert faults.delete("/__sandbox/faults").status_code == 200
        faults.close()
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect(page.locator("#greeting")).to_have_text(
        f"Welcome, {customer_row(live, user['customer_id'])['companyname']}"
    )
    watch.assert_clean()


# ---------------------------------------------------------------------------------------------
# GraphiQL


def test_graphiql_one_click_sandbox_sign_in_then_runs_the_dashboard_query(
    page: Page, live: PortalThread, watch: PageWatch
) -> None:
    user = user_for(live, 4)
    customer = customer_row(live, user["customer_id"])
    page.goto(live.portal.url + "/graphql")
    expect(page.locator(".graphiql-query-editor")).to_contain_text("query Dashboard")
    expect(page.get_by_role("link", name="Sign in to the sandbox")).to_be_visible()

    sign_in_at_netsuite(page, live, user)
    expect(page).to_have_url(live.portal.url + "/graphql")
    expect(page.locator("#session")).to_contain_text(f"Signed in as {customer['companyname']}")

    page.locator(".graphiql-execute-button").click()
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text(f'"entityId": "{customer["entityid"]}"')
    balance = Decimal(str(customer["balancesearch"])).quantize(Decimal("0.01"))
    expect(response).to_contain_text(re.compile(rf'"amount": "?{re.escape(str(balance))}'))
    invoices = open_invoices(live, user["customer_id"])
    expect(response).to_contain_text(f'"totalCount": {len(invoices)}')
    expect(response).not_to_contain_text('"errors"')
    screenshot(page, "graphiql")
    watch.assert_clean()


# ---------------------------------------------------------------------------------------------
# Writing (through NetSuite's REST record service), then signing out


def test_open_a_support_case_with_the_form_and_see_it_appear(
    page: Page, live: PortalThread, watch: PageWatch
) -> None:
    user = user_for(live, 5)
    cid = user["customer_id"]
    open_dashboard(page, live, user)
    before = len(open_cases(live, cid))
    title, message = "Pallet 7 arrived damaged", "Two cartons on pallet 7 were crushed in transit."

    form = page.locator("#case-form")
    form.get_by_label("Subject").fill(title)
    form.get_by_label("How can we help?").fill(message)
    form.get_by_label("Priority").select_option("HIGH")
    form.get_by_role("button", name="Open case").click()
    expect(form.locator("[data-status]")).to_contain_text("opened")

    created = [case for case in open_cases(live, cid) if case["title"] == title]
    assert len(created) == 1, "exactly one case in NetSuite, for this customer"
    assert created[0]["incomingmessage"] == message and created[0]["priorityname"] == "High"
    expect(form.locator("[data-status]")).to_have_text(
        f"Case {created[0]['casenumber']} opened. We'll be in touch."
    )
    first = page.locator("#cases tbody tr").first
    expect(first).to_contain_text(title)
    expect(page.locator("#cases [data-count]")).to_have_text(str(before + 1))

    # After a reload the case comes from NetSuite, not from the page's memory.
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect(page.locator("#cases tbody tr").first).to_contain_text(created[0]["casenumber"])
    expect(page.locator("#cases [data-count]")).to_have_text(str(before + 1))
    watch.assert_clean()


def test_update_contact_details_then_sign_out(page: Page, live: PortalThread, watch: PageWatch) -> None:
    user = user_for(live, 6)
    cid = user["customer_id"]
    open_dashboard(page, live, user)
    email, phone = f"billing+{cid}@portal.example.com", "+1 555 0142"

    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill(phone)
    page.get_by_role("button", name="Save contact details").click()
    expect(page.locator("#contact [data-status]")).to_have_text("Contact details saved.")
    expect(page.locator('#profile [data-field="email"]')).to_have_text(email)
    stored = customer_row(live, cid)
    assert (stored["email"], stored["phone"]) == (email, phone)

    page.reload()
    expect(page.locator('#profile [data-field="phone"]')).to_have_text(phone)

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("body")).to_have_attribute("data-state", "signed-out")
    expect(page.get_by_role("link", name="Sign in with NetSuite")).to_be_visible()
    expect(page.locator("#dashboard")).to_be_hidden()
    # The browser holds no session any more, and the server answers it as a stranger.
    assert [c["name"] for c in page.context.cookies(live.portal.url)] == []
    answer = page.request.post(live.portal.url + "/graphql", data={"query": "{ viewer { customer { id } } }"})
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    watch.assert_clean()
