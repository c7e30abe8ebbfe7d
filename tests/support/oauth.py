"""Helpers for tests that drive the sandbox over real HTTP: a server on a free port, a stub
database of portal users, and the browser side of the OAuth 2.0 dance (forms parsed from HTML)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from graph.sandbox.config import SandboxConfig

CUSTOMER = {"email": "ada@example.com", "password": "Portal-Ada-1", "entity_id": 101, "name": "Ada Ltd"}
OTHER_CUSTOMER = {"email": "bob@example.com", "password": "Portal-Bob-2", "entity_id": 102, "name": "Bob Inc"}
ADMIN = {"email": "admin@example.com", "password": "Sandbox-Admin", "entity_id": 7, "name": "Admin"}
REDIRECT_URI = "http://127.0.0.1:8000/auth/callback"


def stub_database(users: Iterable[dict[str, Any]] = (CUSTOMER, OTHER_CUSTOMER, ADMIN)) -> sqlite3.Connection:
    """A database holding only the sandbox-private portal users table."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute(
        "CREATE TABLE _portaluser (email TEXT PRIMARY KEY COLLATE NOCASE, password TEXT NOT NULL, "
        "entity_id INTEGER NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL)"
    )
    for user in users:
        role = "administrator" if user is ADMIN else "customer"
        db.execute(
            "INSERT INTO _portaluser VALUES (?, ?, ?, ?, ?)",
            (user["email"], user["password"], user["entity_id"], user["name"], role),
        )
    return db


def sandbox_config(**changes: Any) -> SandboxConfig:
    return SandboxConfig(**{"redirect_uris": [REDIRECT_URI], **changes})


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get").lower()))
        elif tag == "input" and self.forms and "name" in values:
            self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif tag == "button" and self.forms and "name" in values:
            self.forms[-1].buttons.append((values["name"], values.get("value", "")))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_form(html: str) -> Form:
    parser = _FormParser()
    parser.feed(html)
    assert len(parser.forms) == 1, f"expected one form, found {len(parser.forms)}"
    return parser.forms[0]


def page_text(html: str) -> str:
    parser = _FormParser()
    parser.feed(html)
    return " ".join(parser.text)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def callback_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def authorize_params(config: SandboxConfig, challenge: str | None, **changes: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "rest_webservices restlets",
        "state": secrets.token_urlsafe(24),
    }
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(changes)
    return params


async def submit(browser: httpx.AsyncClient, response: httpx.Response, **values: str) -> httpx.Response:
    """Fill in and submit the one form of an HTML page, as a browser does."""
    form = parse_form(response.text)
    assert form.method == "post"
    data = {**form.fields, **values}
    return await browser.post(form.action, data=data)


async def sign_in(
    browser: httpx.AsyncClient,
    config: SandboxConfig,
    user: dict[str, Any],
    *,
    allow: bool = True,
    **params: str,
) -> tuple[dict[str, str], str]:
    """The whole browser leg: authorize, sign in, consent. Returns (callback params, verifier)."""
    verifier, challenge = pkce_pair()
    query = authorize_params(config, challenge, **params)
    page = await browser.get("/app/login/oauth2/authorize.nl", params=query)
    if page.status_code == 200 and "email" in parse_form(page.text).fields:
        page = await submit(browser, page, email=user["email"], password=user["password"], action="login")
    if page.status_code == 200:  # the consent page
        page = await submit(browser, page, action="allow" if allow else "deny")
    result = callback_params(page)
    assert result["state"] == query["state"]
    return result, verifier


def basic(config: SandboxConfig, secret: str | None = None) -> httpx.BasicAuth:
    return httpx.BasicAuth(config.client_id, config.client_secret if secret is None else secret)


async def exchange(
    client: httpx.AsyncClient, config: SandboxConfig, code: str, verifier: str | None, **extra: str
) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **extra}
    if verifier is not None:
        data["code_verifier"] = verifier
    return await client.post("/services/rest/auth/oauth2/v1/token", data=data, auth=basic(config))


async def access_token(base_url: str, config: SandboxConfig, user: dict[str, Any]) -> str:
    """A user's access token won the whole way: sign-in and consent in a browser, then the exchange."""
    async with httpx.AsyncClient(base_url=base_url) as browser:
        params, verifier = await sign_in(browser, config, user)
        response = await exchange(browser, config, params["code"], verifier)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def refresh(client: httpx.AsyncClient, config: SandboxConfig, refresh_token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await client.post("/services/rest/auth/oauth2/v1/token", data=data, auth=basic(config))


__all__ = [
    "ADMIN",
    "CUSTOMER",
    "OTHER_CUSTOMER",
    "REDIRECT_URI",
    "Form",
    "access_token",
    "authorize_params",
    "basic",
    "callback_params",
    "exchange",
    "page_text",
    "parse_form",
    "pkce_pair",
    "refresh",
    "sandbox_config",
    "sign_in",
    "stub_database",
    "submit",
]
