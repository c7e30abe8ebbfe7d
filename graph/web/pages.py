"""The demo portal page at ``/``, the offline GraphiQL page, and the static files both load.

Everything the browser loads comes from this package (``graph/web/static``): no CDN, no inline
script, so the pages work on a machine without internet and under ``script-src 'self'``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from html import escape
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from graph.config import Settings

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_PREFIX = "/static"

_COMMON_POLICY = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The portal's own stylesheet needs nothing inline.
PORTAL_CSP = f"{_COMMON_POLICY}; style-src 'self'; font-src 'self'"
# GraphiQL positions panes and tooltips with inline style attributes and ships its fonts as data URLs.
GRAPHIQL_CSP = f"{_COMMON_POLICY}; style-src 'self' 'unsafe-inline'; font-src 'self' data:"

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _headers(policy: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        # The HTML is tiny and names versioned assets; always revalidate it.
        "Cache-Control": "no-cache",
    }


@cache
def asset_url(name: str) -> str:
    """``/static/<name>?v=<content hash>``: a changed file gets a new URL, so no stale cache."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{name}?v={digest}"


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


def _render(name: str, **values: str) -> str:
    return _template(name).substitute({key: escape(value, quote=True) for key, value in values.items()})


def _talks_to_sandbox(settings: Settings) -> bool:
    """The embedded (or a local) sandbox answers on loopback; a real account never does."""
    if settings.uses_sandbox:
        return True
    host = urlsplit(settings.app_url or "").hostname or ""
    return host in LOOPBACK_HOSTS


def portal_html(settings: Settings) -> str:
    """The portal page: a shell that ``portal.js`` fills from one GraphQL request."""
    return _render(
        "portal.html",
        favicon=asset_url("favicon.svg"),
        portal_css=asset_url("portal.css"),
        portal_js=asset_url("portal.js"),
        environment=settings.env,
    )


def graphiql_html(settings: Settings) -> str:
    """The offline GraphiQL page for ``GET /graphql``; its editor opens on the dashboard query."""
    label = "Sign in to the sandbox" if _talks_to_sandbox(settings) else "Sign in with NetSuite"
    return _render(
        "graphiql.html",
        favicon=asset_url("favicon.svg"),
        graphiql_css=asset_url("vendor/graphiql.min.css"),
        ide_css=asset_url("graphiql.css"),
        react_js=asset_url("vendor/react.production.min.js"),
        react_dom_js=asset_url("vendor/react-dom.production.min.js"),
        graphiql_js=asset_url("vendor/graphiql.min.js"),
        ide_js=asset_url("ide.js"),
        development="false" if settings.production else "true",
        sign_in_label=label,
    )


def graphiql_response(settings: Settings) -> HTMLResponse:
    """``graphiql_html`` with the headers it needs (its CSP allows GraphiQL's inline styles)."""
    return HTMLResponse(graphiql_html(settings), headers=_headers(GRAPHIQL_CSP))


def web_routes(settings: Settings) -> list[BaseRoute]:
    """``GET /`` (the portal page) and ``/static/...`` (the files under ``graph/web/static``)."""
    page = portal_html(settings)

    async def portal(request: Request) -> HTMLResponse:
        return HTMLResponse(page, headers=_headers(PORTAL_CSP))

    return [
        Route("/", portal, methods=["GET", "HEAD"], name="portal"),
        Mount(STATIC_PREFIX, app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


__all__ = [
    "GRAPHIQL_CSP",
    "PORTAL_CSP",
    "STATIC_DIR",
    "asset_url",
    "graphiql_html",
    "graphiql_response",
    "portal_html",
    "web_routes",
]
