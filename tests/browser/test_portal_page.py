"""The portal page and GraphiQL in a real browser against a scripted GraphQL endpoint.

The endpoint answers what each test sets up (data, partial errors, UNAUTHENTICATED, outages), so
every state of the page is reached deterministically; the sandbox-backed flow is in
test_sandbox_flow.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from browser_support import PageWatch, serve
from graphql import build_schema, graphql_sync
from playwright.sync_api import Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.config import Settings
from graph.web import graphiql_response, web_routes

Answer = Callable[[dict[str, Any]], Response]
SCHEMA = build_schema((Path(__file__).resolve().parents[2] / "schema.graphql").read_text(encoding="utf-8"))


def introspection(body: dict[str, Any]) -> Response:
    """GraphiQL's schema fetch, answered from the exported SDL (so its docs and linting are real)."""
    result = graphql_sync(SCHEMA, body["query"], variable_values=body.get("variables"))
    return JSONResponse({"data": result.data})


def money(amount: str, currency: str = "USD") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def connection(nodes: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    return {"totalCount": len(nodes) if total is None else total, "nodes": nodes}


def invoice(n: int, remaining: str, total: str, due: str = "2099-01-31") -> dict[str, Any]:
    return {
        "id": f"inv-{n}",
        "tranId": f"INV{n:05d}",
        "tranDate": "2026-01-05",
        "dueDate": due,
        "status": "OPEN",
        "isOverdue": due < date.today().isoformat(),
        "total": money(total),
        "amountRemaining": money(remaining),
    }


def order(n: int, status: str, total: str) -> dict[str, Any]:
    return {
        "id": f"so-{n}",
        "tranId": f"SO{n:05d}",
        "tranDate": "2026-02-10",
        "status": status,
        "total": money(total),
    }


def case(n: int, title: str, status: str = "NOT_STARTED") -> dict[str, Any]:
    return {
        "id": f"case-{n}",
        "caseNumber": str(1000 + n),
        "title": title,
        "status": status,
        "priority": "MEDIUM",
        "createdDate": "2026-03-01T10:00:00Z",
    }


def customer(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "cust-7",
        "entityId": "CUST-0007",
        "companyName": "Acme Rockets <b>Ltd</b>",
        "email": "ap@acme.example",
        "phone": "+1 555 0100",
        "currency": "USD",
        "balance": money("1234.50"),
        "overdueBalance": money("200.00"),
        "defaultBillingAddress": {"addr1": "1 Launch Way", "city": "Mojave", "state": "CA", "zip": "93501"},
        "invoices": connection(
            [invoice(1, "1034.50", "1500.00"), invoice(2, "200.00", "200.00", "2020-01-01")], 14
        ),
        "salesOrders": connection([order(1, "PENDING_FULFILLMENT", "99.90"), order(2, "BILLED", "10.00")]),
        "supportCases": connection([case(1, "Broken fin")]),
    }
    base.update(overrides)
    return base


def dashboard(data_customer: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"viewer": {"customer": data_customer}}}


def usd(amount: str) -> str:
    return f"${Decimal(amount):,.2f}"


UNAUTHENTICATED = {
    "data": None,
    "errors": [
        {
            "message": "Sign in first",
            "extensions": {"code": "UNAUTHENTICATED", "loginUrl": "/auth/login?next=%2F"},
        }
    ],
}


@dataclass
class ScriptedGraphQL:
    """A /graphql endpoint whose answers the test scripts, recording every request it gets."""

    answers: dict[str, Answer] = field(default_factory=lambda: {"IntrospectionQuery": introspection})
    requests: list[dict[str, Any]] = field(default_factory=list)
    logouts: int = 0

    def answer(self, operation: str, body: dict[str, Any] | Answer, status: int = 200) -> None:
        self.answers[operation] = (
            body if callable(body) else (lambda _: JSONResponse(body, status_code=status))
        )

    def operations(self, name: str) -> list[dict[str, Any]]:
        return [request for request in self.requests if request["operation"] == name]

    async def graphql(self, request: Request) -> Response:
        body = await request.json()
        match = re.match(r"\s*(?:query|mutation)\s+(\w+)", body["query"])
        operation = match.group(1) if match else ""
        self.requests.append(
            {
                "operation": operation,
                "variables": body.get("variables"),
                "content_type": request.headers.get("content-type"),
                "cookie": request.cookies.get("session"),
            }
        )
        handler = self.answers.get(operation)
        if handler is None:
            return JSONResponse({"data": None, "errors": [{"message": f"unscripted {operation}"}]})
        return handler(body)

    async def logout(self, request: Request) -> Response:
        self.logouts += 1
        self.answer("Dashboard", UNAUTHENTICATED)
        return Response(
            status_code=303, headers={"location": "/", "set-cookie": "session=; Max-Age=0; Path=/"}
        )


def build_app(stub: ScriptedGraphQL, settings: Settings) -> Starlette:
    async def ide(request: Request) -> Response:
        return graphiql_response(settings)

    routes = [
        Route("/graphql", stub.graphql, methods=["POST"]),
        Route("/graphql", ide, methods=["GET"]),
        Route("/auth/logout", stub.logout, methods=["POST"]),
        *web_routes(settings),
    ]
    return Starlette(routes=routes)


@pytest.fixture
def stub() -> ScriptedGraphQL:
    return ScriptedGraphQL()


@pytest.fixture
def site(stub: ScriptedGraphQL) -> Iterator[str]:
    with serve(build_app(stub, Settings())) as url:
        yield url


def open_portal(page: Page, site: str, state: str) -> None:
    page.context.add_cookies([{"name": "session", "value": "opaque-session-id", "url": site}])
    page.goto(site + "/")
    expect(page.locator("body")).to_have_attribute("data-state", state)


def test_dashboard_renders_every_widget_from_one_request(
    page: Page, site: str, stub, watch: PageWatch
) -> None:
    data = customer()
    stub.answer("Dashboard", dashboard(data))
    open_portal(page, site, "ready")

    assert len(stub.operations("Dashboard")) == 1
    assert stub.requests[0]["content_type"] == "application/json"
    assert stub.requests[0]["cookie"] == "opaque-session-id"

    profile = page.locator("#profile")
    # Server text is shown as text, never parsed as markup.
    expect(profile.locator('[data-field="companyName"]')).to_have_text(data["companyName"])
    expect(page.locator("#greeting")).to_have_text(f"Welcome, {data['companyName']}")
    expect(profile.locator('[data-field="email"]')).to_have_text(data["email"])
    expect(profile.locator('[data-field="balance"]')).to_have_text(usd(data["balance"]["amount"]))
    expect(profile.locator('[data-field="overdue"]')).to_have_text(usd(data["overdueBalance"]["amount"]))

    invoices = page.locator("#invoices")
    expect(invoices.locator("[data-count]")).to_have_text(str(data["invoices"]["totalCount"]))
    rows = invoices.locator("tbody tr")
    expect(rows).to_have_count(len(data["invoices"]["nodes"]))
    for row, node in zip(rows.all(), data["invoices"]["nodes"], strict=True):
        expect(row.locator("td").first).to_have_text(node["tranId"])
        expect(row.locator("td").nth(2)).to_have_text(usd(node["amountRemaining"]["amount"]))
    expect(rows.nth(1)).to_contain_text("Overdue")
    expect(rows.nth(0)).not_to_contain_text("Overdue")
    expect(invoices.locator(".more")).to_have_text(
        f"Showing {len(data['invoices']['nodes'])} of {data['invoices']['totalCount']}"
    )

    orders = page.locator("#orders tbody tr")
    expect(orders).to_have_count(len(data["salesOrders"]["nodes"]))
    expect(orders.first).to_contain_text("Pending fulfillment")
    expect(page.locator("#cases tbody tr")).to_have_count(1)
    expect(page.locator("#contact-email")).to_have_value(data["email"])
    expect(page.locator("#sign-out")).to_be_visible()
    watch.assert_clean()


def test_empty_lists_show_empty_states(page: Page, site: str, stub) -> None:
    empty = connection([])
    stub.answer("Dashboard", dashboard(customer(invoices=empty, salesOrders=empty, supportCases=empty)))
    open_portal(page, site, "ready")
    expect(page.locator("#invoices")).to_contain_text("No open invoices")
    expect(page.locator("#orders")).to_contain_text("No orders yet")
    expect(page.locator("#cases")).to_contain_text("No open cases")
    expect(page.locator("#invoices [data-count]")).to_have_text("0")


def test_loading_indicator_shows_until_the_answer_arrives(page: Page, site: str, stub) -> None:
    stub.answer("Dashboard", dashboard(customer()))
    released: list[bool] = []

    def hold(route) -> None:
        # Look at the page while the one request is held, then let it through.
        expect(page.locator("body")).to_have_attribute("data-state", "loading")
        expect(page.locator("#dashboard")).to_have_attribute("aria-busy", "true")
        expect(page.locator("#invoices .skeleton")).to_have_count(1)
        released.append(True)
        route.continue_()

    page.route("**/graphql", hold)
    open_portal(page, site, "ready")
    assert released == [True]
    expect(page.locator("#dashboard")).to_have_attribute("aria-busy", "false")


def test_unauthenticated_shows_sign_in_with_the_servers_login_url(page: Page, site: str, stub) -> None:
    stub.answer("Dashboard", UNAUTHENTICATED)
    open_portal(page, site, "signed-out")
    button = page.get_by_role("link", name="Sign in with NetSuite")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("href", UNAUTHENTICATED["errors"][0]["extensions"]["loginUrl"])
    expect(page.locator("#dashboard")).to_be_hidden()
    expect(page.locator("#sign-out")).to_be_hidden()


def test_foreign_login_url_is_not_followed(page: Page, site: str, stub) -> None:
    hostile = json.loads(json.dumps(UNAUTHENTICATED))
    hostile["errors"][0]["extensions"]["loginUrl"] = "https://evil.example/phish"
    stub.answer("Dashboard", hostile)
    open_portal(page, site, "signed-out")
    expect(page.locator("#sign-in")).to_have_attribute("href", "/auth/login?next=%2F")


def test_outage_shows_error_state_and_retry_recovers(page: Page, site: str, stub) -> None:
    busy = {"data": None, "errors": [{"message": "busy", "extensions": {"code": "UPSTREAM_BUSY"}}]}
    stub.answer("Dashboard", busy)
    open_portal(page, site, "error")
    expect(page.get_by_role("alert")).to_contain_text("NetSuite is busy")

    stub.answer("Dashboard", dashboard(customer()))
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    assert len(stub.operations("Dashboard")) == 2


def test_server_error_without_json_is_an_error_state(page: Page, site: str, stub, watch: PageWatch) -> None:
    stub.answer("Dashboard", lambda _: Response("upstream exploded", status_code=502))
    open_portal(page, site, "error")
    expect(page.locator("#failure-message")).to_have_text(re.compile("went wrong"))
    expect(page.locator("#failure-message")).not_to_contain_text("exploded")
    watch.assert_clean(allow=("502",))


def test_partial_error_marks_only_the_failed_widget(page: Page, site: str, stub) -> None:
    answer = dashboard(customer(supportCases=None))
    answer["errors"] = [
        {
            "message": "busy",
            "path": ["viewer", "customer", "supportCases"],
            "extensions": {"code": "UPSTREAM_BUSY"},
        }
    ]
    stub.answer("Dashboard", answer)
    open_portal(page, site, "ready")
    expect(page.locator("#cases .widget-error")).to_contain_text("NetSuite is busy")
    expect(page.locator("#invoices tbody tr")).to_have_count(2)


def test_update_contact_info_sends_the_mutation_and_shows_the_result(page: Page, site: str, stub) -> None:
    stub.answer("Dashboard", dashboard(customer()))

    def updated(body: dict[str, Any]) -> Response:
        given = body["variables"]["input"]
        result = {"id": "cust-7", "email": given["email"], "phone": given["phone"]}
        return JSONResponse({"data": {"updateContactInfo": {"customer": result}}})

    stub.answer("UpdateContactInfo", updated)
    open_portal(page, site, "ready")
    page.get_by_label("Email").fill("billing@acme.example")
    page.get_by_label("Phone").fill("+1 555 0199")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.locator("#contact [data-status]")).to_have_text("Contact details saved.")
    assert stub.operations("UpdateContactInfo")[0]["variables"] == {
        "input": {"email": "billing@acme.example", "phone": "+1 555 0199"}
    }
    expect(page.locator('#profile [data-field="email"]')).to_have_text("billing@acme.example")


def test_rejected_contact_info_shows_the_servers_reason(page: Page, site: str, stub) -> None:
    stub.answer("Dashboard", dashboard(customer()))
    reason = "That phone number is not valid."
    stub.answer(
        "UpdateContactInfo",
        {"data": None, "errors": [{"message": reason, "extensions": {"code": "BAD_USER_INPUT"}}]},
    )
    open_portal(page, site, "ready")
    page.get_by_label("Phone").fill("x")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.locator("#contact [data-status]")).to_have_text(reason)
    expect(page.locator('#profile [data-field="phone"]')).to_have_text(customer()["phone"])


def test_open_case_retries_with_the_same_idempotency_key(page: Page, site: str, stub, watch) -> None:
    stub.answer("Dashboard", dashboard(customer()))
    attempts: list[dict[str, Any]] = []

    def flaky(body: dict[str, Any]) -> Response:
        attempts.append(body["variables"]["input"])
        if len(attempts) == 1:  # the first answer is lost
            return JSONResponse({"errors": [{"message": "x", "extensions": {"code": "UPSTREAM_ERROR"}}]}, 502)
        created = case(len(attempts) + 10, body["variables"]["input"]["title"])
        return JSONResponse({"data": {"createSupportCase": {"supportCase": created}}})

    stub.answer("CreateSupportCase", flaky)
    open_portal(page, site, "ready")
    before = len(customer()["supportCases"]["nodes"])

    form = page.locator("#case-form")
    form.get_by_label("Subject").fill("Invoice INV00001 looks wrong")
    form.get_by_label("How can we help?").fill("The freight line is charged twice.")
    form.get_by_label("Priority").select_option("HIGH")
    form.get_by_role("button", name="Open case").click()
    expect(form.locator("[data-status]")).to_have_attribute("data-kind", "error")
    form.get_by_role("button", name="Open case").click()
    expect(form.locator("[data-status]")).to_contain_text("opened")

    assert len(attempts) == 2
    assert attempts[0]["idempotencyKey"] == attempts[1]["idempotencyKey"]
    assert re.fullmatch(r"[0-9a-f-]{36}", attempts[0]["idempotencyKey"])
    assert attempts[0]["priority"] == "HIGH" and attempts[0]["title"] == "Invoice INV00001 looks wrong"
    expect(page.locator("#cases tbody tr")).to_have_count(before + 1)
    expect(page.locator("#cases tbody tr").first).to_contain_text("Invoice INV00001 looks wrong")
    expect(page.locator("#cases [data-count]")).to_have_text(str(before + 1))
    expect(form.get_by_label("Subject")).to_have_value("")

    # A new case is a new intent: a new key.
    form.get_by_label("Subject").fill("Second question")
    form.get_by_label("How can we help?").fill("Another one.")
    form.get_by_role("button", name="Open case").click()
    expect(page.locator("#cases tbody tr")).to_have_count(before + 2)
    assert attempts[2]["idempotencyKey"] != attempts[0]["idempotencyKey"]
    watch.assert_clean(allow=("502",))


def test_sign_out_posts_and_returns_to_sign_in(page: Page, site: str, stub) -> None:
    stub.answer("Dashboard", dashboard(customer()))
    open_portal(page, site, "ready")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("body")).to_have_attribute("data-state", "signed-out")
    assert stub.logouts == 1


def test_portal_page_forbids_inline_script(site: str, page: Page) -> None:
    response = page.request.get(site + "/")
    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "<script>" not in response.text()


def test_graphiql_runs_offline_with_the_dashboard_query(
    page: Page, site: str, stub, watch: PageWatch
) -> None:
    stub.answer("WhoAmI", UNAUTHENTICATED)
    stub.answer("Dashboard", dashboard(customer()))
    page.context.add_cookies([{"name": "session", "value": "opaque-session-id", "url": site}])
    page.goto(site + "/graphql")

    editor = page.locator(".graphiql-query-editor")
    expect(editor).to_contain_text("query Dashboard")
    sign_in = page.get_by_role("link", name="Sign in to the sandbox")
    expect(sign_in).to_have_attribute("href", "/auth/login?next=/graphql")

    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text(customer()["entityId"])
    sent = stub.operations("Dashboard")
    assert len(sent) == 1
    assert sent[0]["content_type"] == "application/json" and sent[0]["cookie"] == "opaque-session-id"
    watch.assert_clean()


def test_graphiql_shows_who_is_signed_in(page: Page, site: str, stub) -> None:
    stub.answer("WhoAmI", {"data": {"viewer": {"customer": {"companyName": "Acme", "entityId": "C7"}}}})
    page.goto(site + "/graphql")
    expect(page.locator("#session")).to_contain_text("Signed in as Acme")
    expect(page.get_by_role("link", name="Sign in to the sandbox")).to_have_count(0)


def test_graphiql_in_production_offers_no_sandbox_sign_in(page: Page, stub) -> None:
    settings = Settings.from_mapping(
        {
            "PORTAL_ENV": "production",
            "PORTAL_SECRET_KEY": "x" * 32,
            "NETSUITE_ACCOUNT_ID": "1234567",
            "NETSUITE_CLIENT_ID": "id",
            "NETSUITE_CLIENT_SECRET": "secret",
        }
    )
    with serve(build_app(stub, settings)) as url:
        page.goto(url + "/graphql")
        expect(page.locator(".graphiql-query-editor")).to_contain_text("query Dashboard")
        expect(page.locator("#session a, #session button")).to_have_count(0)
        assert stub.operations("WhoAmI") == []
