"""The shipped pages and scripts, read as files and over HTTP: no CDN, no inline script, valid queries."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from graphql import build_schema, parse, validate
from starlette.applications import Starlette

from graph.config import Settings
from graph.web import graphiql_html, web_routes
from graph.web.pages import GRAPHIQL_CSP, STATIC_DIR, portal_html

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = re.compile(r"export const (\w+) = `(.*?)`;", re.S)


def shipped_documents() -> dict[str, str]:
    return dict(DOCUMENT.findall((STATIC_DIR / "queries.js").read_text(encoding="utf-8")))


def test_shipped_operations_are_valid_against_the_exported_schema() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    documents = shipped_documents()
    assert {"DASHBOARD_QUERY", "UPDATE_CONTACT_MUTATION", "CREATE_CASE_MUTATION"} <= documents.keys()
    for name, text in documents.items():
        assert validate(schema, parse(text)) == [], name


def test_dashboard_is_one_operation_covering_every_widget() -> None:
    document = parse(shipped_documents()["DASHBOARD_QUERY"])
    assert len(document.definitions) == 1
    text = shipped_documents()["DASHBOARD_QUERY"]
    for field in ("companyName", "balance", "invoices", "amountRemaining", "salesOrders", "supportCases"):
        assert re.search(rf"\b{field}\b", text), field


@pytest.mark.parametrize(
    "name", sorted(p.name for p in STATIC_DIR.rglob("*") if p.suffix in {".js", ".css", ".html"})
)
def test_no_asset_reaches_for_another_host(name: str) -> None:
    path = next(STATIC_DIR.rglob(name))
    text = path.read_text(encoding="utf-8")
    if "vendor" in path.parts:
        # Vendored builds mention URLs in comments and docs; what matters is that they load nothing.
        assert not re.search(r"""(?:import|importScripts)\(\s*["']https?://""", text)
        assert not re.search(r"@import\s+url\(\s*[\"']?https?://", text)
    else:
        assert not re.search(r"https?://", text), f"{name} names an external URL"


def pages() -> dict[str, str]:
    development, production = (
        Settings(),
        Settings(env="production", secret_key="k" * 32, account_id="1234567"),
    )
    return {
        "portal": portal_html(development),
        "graphiql": graphiql_html(development),
        "graphiql-production": graphiql_html(production),
    }


@pytest.mark.parametrize("page", ["portal", "graphiql", "graphiql-production"])
def test_pages_load_only_local_scripts_and_nothing_inline(page: str) -> None:
    html = pages()[page]
    assert "http://" not in html and "https://" not in html
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, body in scripts:
        assert body.strip() == ""
        source = re.search(r'src="([^"]+)"', attributes)
        assert source and source.group(1).startswith("/static/")


def test_graphiql_page_is_told_whether_to_offer_sandbox_sign_in() -> None:
    assert 'data-development="true"' in pages()["graphiql"]
    assert "Sign in to the sandbox" in pages()["graphiql"]
    assert 'data-development="false"' in pages()["graphiql-production"]
    real = Settings(account_id="1234567", app_url="https://1234567.app.netsuite.com")
    assert "Sign in with NetSuite" in graphiql_html(real)


async def test_every_asset_a_page_names_is_served() -> None:
    app = Starlette(routes=web_routes(Settings()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as client:
        home = await client.get("/")
        assert home.status_code == 200
        assert "script-src 'self'" in home.headers["content-security-policy"]
        names = set()
        for html in (home.text, graphiql_html(Settings())):
            names |= set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
        assert len(names) >= 8
        for url in sorted(names):
            response = await client.get(url)
            assert response.status_code == 200, url
            assert int(response.headers["content-length"]) > 0
        missing = await client.get("/static/nope.js")
        assert missing.status_code == 404
        escape = await client.get("/static/../pages.py")
        assert escape.status_code == 404


def test_graphiql_policy_allows_its_inline_styles_but_not_scripts() -> None:
    directives = dict(part.strip().split(" ", 1) for part in GRAPHIQL_CSP.split(";"))
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" in directives["style-src"]
