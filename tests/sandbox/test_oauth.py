"""The sandbox's OAuth 2.0 authorization server, driven over real HTTP like a browser and a portal."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from support.oauth import (
    ADMIN,
    CUSTOMER,
    OTHER_CUSTOMER,
    REDIRECT_URI,
    authorize_params,
    basic,
    callback_params,
    exchange,
    page_text,
    parse_form,
    pkce_pair,
    refresh,
    sandbox_config,
    sign_in,
    stub_database,
    submit,
)

from graph.sandbox import create_sandbox
from graph.sandbox.errors import invalid_login_response
from graph.sandbox.oauth import LOGIN_COOKIE, authenticate, issue_access_token, redirect_uri_allowed, server
from graph.sandbox.state import ADMINISTRATOR_ROLE, CUSTOMER_CENTER_ROLE, Principal, SandboxState
from graph.serving import serve

AUTHORIZE = "/app/login/oauth2/authorize.nl"
TOKEN = "/services/rest/auth/oauth2/v1/token"
REVOKE = "/services/rest/auth/oauth2/v1/revoke"
WHOAMI = "/services/rest/record/v1/sandboxwhoami"
PING = "/app/site/hosting/restlet.nl?script=customscript_sg_ping&deploy=customdeploy_sg_ping"


async def whoami(request: Request) -> Response:
    # Stands for a REST route: authenticate, then NetSuite's 401 when the token is not valid.
    state: SandboxState = request.app.state.sandbox
    principal = authenticate(state, request.headers.get("authorization"))
    if principal is None:
        return invalid_login_response(state.config.account_id)
    return JSONResponse(
        {"role": principal.role_id, "entity": principal.entity_id, "scopes": principal.scopes}
    )


@pytest.fixture
async def sandbox():
    config = sandbox_config()
    app = create_sandbox(config, db=stub_database())
    app.router.routes.insert(0, Route(WHOAMI, whoami))
    async with serve(app) as base_url:
        yield app, config, base_url


@pytest.fixture
async def browser(sandbox):
    _, _, base_url = sandbox
    async with httpx.AsyncClient(base_url=base_url) as client:
        yield client


@pytest.fixture
async def portal(sandbox):
    _, _, base_url = sandbox
    async with httpx.AsyncClient(base_url=base_url) as client:
        yield client


def decode(segment: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def tokens_for(browser, portal, config, user=CUSTOMER, **params: str) -> dict[str, Any]:
    result, verifier = await sign_in(browser, config, user, **params)
    response = await exchange(portal, config, result["code"], verifier)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_whole_dance_from_sign_in_to_revocation(sandbox, browser, portal):
    _, config, _ = sandbox
    verifier, challenge = pkce_pair()
    query = authorize_params(config, challenge)

    page = await browser.get(AUTHORIZE, params=query)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "127.0.0.1, localhost, ::1" in page_text(page.text)
    form = parse_form(page.text)
    assert form.action == AUTHORIZE and {"request", "email", "password"} <= set(form.fields)

    consent = await submit(browser, page, email=CUSTOMER["email"], password=CUSTOMER["password"])
    assert consent.status_code == 200
    assert LOGIN_COOKIE in browser.cookies
    assert ("action", "allow") in parse_form(consent.text).buttons

    result = callback_params(await submit(browser, consent, action="allow"))
    assert result["state"] == query["state"]
    assert result["role"] == str(CUSTOMER_CENTER_ROLE)
    assert result["entity"] == str(CUSTOMER["entity_id"])
    assert result["company"] == config.account_id
    assert re.fullmatch(r"[0-9a-f]{64}", result["code"])

    response = await exchange(portal, config, result["code"], verifier)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert set(tokens) == {"access_token", "refresh_token", "expires_in", "token_type"}
    assert tokens["expires_in"] == 3600 and tokens["token_type"] == "bearer"

    me = await portal.get(WHOAMI, headers=bearer(tokens["access_token"]))
    assert me.json() == {
        "role": CUSTOMER_CENTER_ROLE,
        "entity": CUSTOMER["entity_id"],
        "scopes": ["rest_webservices", "restlets"],
    }
    ping = await portal.get(PING, headers=bearer(tokens["access_token"]))
    assert ping.status_code == 200 and ping.json()["entity"] == CUSTOMER["entity_id"]

    renewed = await refresh(portal, config, tokens["refresh_token"])
    assert renewed.status_code == 200
    body = renewed.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}  # no new refresh token
    assert body["access_token"] != tokens["access_token"]
    assert (await portal.get(WHOAMI, headers=bearer(body["access_token"]))).status_code == 200

    revoked = await portal.post(REVOKE, data={"token": tokens["refresh_token"]}, auth=basic(config))
    assert revoked.status_code == 200 and revoked.content == b""
    assert (await refresh(portal, config, tokens["refresh_token"])).json() == {"error": "invalid_grant"}
    for token in (tokens["access_token"], body["access_token"]):
        assert (await portal.get(WHOAMI, headers=bearer(token))).status_code == 401


async def test_tokens_are_signed_jwts_with_netsuite_claims(sandbox, browser, portal):
    _, config, _ = sandbox
    tokens = await tokens_for(browser, portal, config)
    header, payload, _ = tokens["access_token"].split(".")
    assert decode(header)["alg"] == "RS256"
    claims = decode(payload)
    assert claims["sub"] == f"{CUSTOMER_CENTER_ROLE};{CUSTOMER['entity_id']}"
    assert claims["scope"] == ["rest_webservices", "restlets"]
    assert claims["iss"] == "https://system.netsuite.com"
    assert claims["aud"][1] == config.client_id and claims["aud"][0].endswith(";" + config.account_id)
    assert claims["exp"] - claims["iat"] == 3600 and claims["oit"] == claims["iat"]
    assert re.fullmatch(re.escape(config.account_id) + r"\.a\.[0-9a-f-]{36}_\d{13}\.\d{13}", claims["jti"])
    refresh_claims = decode(tokens["refresh_token"].split(".")[1])
    assert refresh_claims["jti"].startswith(f"{config.account_id}.r.")
    assert refresh_claims["exp"] - refresh_claims["iat"] == 7 * 24 * 3600

    renewed = (await refresh(portal, config, tokens["refresh_token"])).json()
    renewed_claims = decode(renewed["access_token"].split(".")[1])
    assert renewed_claims["oit"] == claims["oit"]
    assert renewed_claims["jti"].rsplit(".", 1)[0] == claims["jti"].rsplit(".", 1)[0]  # same stem

    jwks = (await portal.get("/services/rest/auth/oauth2/v1/keys")).json()
    (key,) = jwks["keys"]
    assert key["kid"] == decode(header)["kid"]
    n, e = (int.from_bytes(base64.urlsafe_b64decode(key[k] + "=="), "big") for k in ("n", "e"))
    public = rsa.RSAPublicNumbers(e, n).public_key()
    signing_input, signature = tokens["access_token"].rsplit(".", 1)
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    public.verify(raw, signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())


async def test_a_second_authorize_in_the_same_browser_skips_sign_in_and_consent(sandbox, browser, portal):
    _, config, _ = sandbox
    await tokens_for(browser, portal, config)

    silent = await browser.get(AUTHORIZE, params=authorize_params(config, pkce_pair()[1]))
    assert "code" in callback_params(silent)
    quiet = await browser.get(AUTHORIZE, params=authorize_params(config, None, prompt="none"))
    assert "code" in callback_params(quiet)

    asked = await browser.get(AUTHORIZE, params=authorize_params(config, None, prompt="consent"))
    assert asked.status_code == 200 and ("action", "deny") in parse_form(asked.text).buttons
    relogin = await browser.get(AUTHORIZE, params=authorize_params(config, None, prompt="login"))
    assert relogin.status_code == 200 and "password" in parse_form(relogin.text).fields


async def test_prompt_none_without_a_session_is_denied(sandbox, browser):
    _, config, _ = sandbox
    query = authorize_params(config, None, prompt="none")
    result = callback_params(await browser.get(AUTHORIZE, params=query))
    assert result == {"state": query["state"], "company": config.account_id, "error": "access_denied"}


async def test_consent_is_remembered_per_user(sandbox, browser, portal):
    _, config, _ = sandbox
    await tokens_for(browser, portal, config)
    page = await browser.get(AUTHORIZE, params=authorize_params(config, None, prompt="login"))
    consent = await submit(browser, page, email=OTHER_CUSTOMER["email"], password=OTHER_CUSTOMER["password"])
    assert consent.status_code == 200 and ("action", "allow") in parse_form(consent.text).buttons


async def test_wrong_password_shows_the_form_again(sandbox, browser):
    _, config, _ = sandbox
    page = await browser.get(AUTHORIZE, params=authorize_params(config, None))
    again = await submit(browser, page, email=CUSTOMER["email"], password="not-the-password")
    assert again.status_code == 200
    assert "invalid email address or password" in page_text(again.text)
    assert parse_form(again.text).fields["email"] == CUSTOMER["email"]
    assert LOGIN_COOKIE not in browser.cookies


async def test_deny_redirects_with_access_denied(sandbox, browser):
    _, config, _ = sandbox
    result, _ = await sign_in(browser, config, CUSTOMER, allow=False)
    assert result["error"] == "access_denied" and "code" not in result
    assert result["role"] == str(CUSTOMER_CENTER_ROLE) and result["entity"] == str(CUSTOMER["entity_id"])
    assert result["company"] == config.account_id


async def test_the_administrator_signs_in_with_role_3(sandbox, browser, portal):
    _, config, _ = sandbox
    result, verifier = await sign_in(browser, config, ADMIN)
    assert result["role"] == str(ADMINISTRATOR_ROLE) and result["entity"] == str(ADMIN["entity_id"])
    tokens = (await exchange(portal, config, result["code"], verifier)).json()
    assert (await portal.get(WHOAMI, headers=bearer(tokens["access_token"]))).json()[
        "role"
    ] == ADMINISTRATOR_ROLE


@pytest.mark.parametrize(
    ("change", "title"),
    [
        ({"client_id": "0" * 64}, "client_id"),
        ({"client_id": ""}, "client_id"),
        ({"redirect_uri": "http://127.0.0.1:8000/auth/callback/"}, "redirect_uri"),
        ({"redirect_uri": "https://evil.example.com/cb"}, "redirect_uri"),
    ],
)
async def test_bad_client_or_redirect_uri_shows_an_error_page_without_redirecting(
    sandbox, browser, change, title
):
    _, config, _ = sandbox
    response = await browser.get(AUTHORIZE, params=authorize_params(config, None, **change))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert title in page_text(response.text)


async def test_a_registered_plain_http_redirect_uri_off_loopback_is_refused():
    config = sandbox_config(redirect_uris=["http://portal.example.com/cb"])
    async with serve(create_sandbox(config, db=stub_database())) as base_url, httpx.AsyncClient() as client:
        params = authorize_params(config, None, redirect_uri="http://portal.example.com/cb")
        response = await client.get(base_url + AUTHORIZE, params=params)
    assert response.status_code == 400 and "location" not in response.headers


def test_redirect_uri_rules():
    assert redirect_uri_allowed("https://portal.example.com/auth/callback")
    assert redirect_uri_allowed("myapp://callback")
    for host in ("127.0.0.1:8000", "localhost", "[::1]:9000"):
        assert redirect_uri_allowed(f"http://{host}/cb")
    assert not redirect_uri_allowed("http://portal.example.com/cb")
    assert not redirect_uri_allowed("https://portal.example.com/cb#fragment")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"state": "s" * 21}, "invalid_request"),
        ({"state": "s" * 1025}, "invalid_request"),
        ({"state": "s" * 21 + "\u00e9"}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"prompt": "none consent"}, "invalid_request"),
        ({"prompt": "sometimes"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "rest_webservices suite_analytics"}, "invalid_scope"),
        ({"scope": "mcp restlets"}, "invalid_scope"),
        ({"scope": ""}, "invalid_scope"),
    ],
)
async def test_malformed_authorize_requests_redirect_with_an_error(sandbox, browser, change, error):
    _, config, _ = sandbox
    query = authorize_params(config, pkce_pair()[1], **change)
    result = callback_params(await browser.get(AUTHORIZE, params=query))
    assert result["error"] == error and "code" not in result
    assert result["company"] == config.account_id


async def test_state_of_22_and_1024_characters_is_accepted(sandbox, browser):
    _, config, _ = sandbox
    for length in (22, 1024):
        response = await browser.get(AUTHORIZE, params=authorize_params(config, None, state="~" * length))
        assert response.status_code == 200 and "email" in parse_form(response.text).fields


async def test_a_reused_code_is_invalid_grant_and_revokes_its_tokens(sandbox, browser, portal):
    _, config, _ = sandbox
    result, verifier = await sign_in(browser, config, CUSTOMER)
    first = (await exchange(portal, config, result["code"], verifier)).json()
    again = await exchange(portal, config, result["code"], verifier)
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}
    assert (await portal.get(WHOAMI, headers=bearer(first["access_token"]))).status_code == 401
    assert (await refresh(portal, config, first["refresh_token"])).json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    "mistake",
    [
        {"verifier": "x" * 43},
        {"verifier": None},
        {"verifier": "too-short"},
        {"redirect_uri": "http://127.0.0.1:8000/other"},
        {"code": "0" * 64},
    ],
)
async def test_token_exchange_mistakes_are_invalid_grant(sandbox, browser, portal, mistake):
    _, config, _ = sandbox
    result, verifier = await sign_in(browser, config, CUSTOMER)
    data = {"grant_type": "authorization_code", "code": mistake.get("code", result["code"])}
    data["redirect_uri"] = mistake.get("redirect_uri", REDIRECT_URI)
    sent_verifier = mistake.get("verifier", verifier)
    if sent_verifier is not None:
        data["code_verifier"] = sent_verifier
    response = await portal.post(TOKEN, data=data, auth=basic(config))
    assert response.status_code == 400 and response.json() == {"error": "invalid_grant"}
    retry = (await exchange(portal, config, result["code"], verifier)).json()
    if "code" in mistake:
        # A code nobody was issued spends nothing: the real one still works.
        assert retry["token_type"] == "bearer"
    else:
        # A failed attempt with the real code spent it: even the right request now fails.
        assert retry == {"error": "invalid_grant"}


async def test_an_expired_code_is_invalid_grant(browser, portal, sandbox):
    _, config, _ = sandbox
    config.code_ttl = 0
    result, verifier = await sign_in(browser, config, CUSTOMER)
    assert (await exchange(portal, config, result["code"], verifier)).json() == {"error": "invalid_grant"}


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
async def test_a_bad_client_secret_is_invalid_client_with_basic_challenge(sandbox, portal, secret):
    _, config, _ = sandbox
    data = {"grant_type": "refresh_token", "refresh_token": "x"}
    response = await portal.post(TOKEN, data=data, auth=basic(config, secret))
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}
    assert response.headers["www-authenticate"] == f'Basic realm="{config.account_id}"'
    unauthenticated = await portal.post(TOKEN, data=data)
    assert unauthenticated.status_code == 401 and unauthenticated.json() == {"error": "invalid_client"}
    revoke = await portal.post(REVOKE, data={"token": "x"}, auth=basic(config, secret))
    assert revoke.status_code == 401


async def test_token_endpoint_request_errors(sandbox, portal):
    _, config, _ = sandbox
    auth = basic(config)
    unsupported = await portal.post(TOKEN, data={"grant_type": "password"}, auth=auth)
    assert (unsupported.status_code, unsupported.json()) == (400, {"error": "unsupported_grant_type"})
    missing = await portal.post(TOKEN, data={}, auth=auth)
    assert (missing.status_code, missing.json()) == (400, {"error": "invalid_request"})
    as_json = await portal.post(TOKEN, json={"grant_type": "refresh_token"}, auth=auth)
    assert (as_json.status_code, as_json.json()) == (400, {"error": "invalid_request"})
    no_code = await portal.post(TOKEN, data={"grant_type": "authorization_code"}, auth=auth)
    assert no_code.json() == {"error": "invalid_request"}
    unknown = await refresh(portal, config, "not.a.token")
    assert (unknown.status_code, unknown.json()) == (400, {"error": "invalid_grant"})


async def test_refresh_may_narrow_but_not_widen_scope(sandbox, browser, portal):
    _, config, _ = sandbox
    tokens = await tokens_for(browser, portal, config, scope="rest_webservices")
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "scope": "restlets"}
    widened = await portal.post(TOKEN, data=data, auth=basic(config))
    assert (widened.status_code, widened.json()) == (400, {"error": "invalid_scope"})
    # A token without the restlets scope cannot call a RESTlet.
    assert (await portal.get(PING, headers=bearer(tokens["access_token"]))).status_code == 401


async def test_an_expired_access_token_gets_netsuites_401(sandbox, browser, portal):
    _, config, _ = sandbox
    tokens = await tokens_for(browser, portal, config)
    assert (await portal.post("/__sandbox/tokens/expire")).status_code == 200
    response = await portal.get(WHOAMI, headers=bearer(tokens["access_token"]))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        f'Bearer realm="{config.account_id}", error="invalid_token", '
        'error_description="Invalid login attempt."'
    )
    detail = response.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INVALID_LOGIN" and detail["detail"].startswith("Invalid login attempt.")
    # The refresh token still works and gives a working access token.
    renewed = (await refresh(portal, config, tokens["refresh_token"])).json()
    assert (await portal.get(WHOAMI, headers=bearer(renewed["access_token"]))).status_code == 200


async def test_an_expired_refresh_token_is_invalid_grant(sandbox, browser, portal):
    _, config, _ = sandbox
    tokens = await tokens_for(browser, portal, config)
    await portal.post("/__sandbox/tokens/expire", json={"tokens": "refresh"})
    assert (await refresh(portal, config, tokens["refresh_token"])).json() == {"error": "invalid_grant"}


async def test_refresh_lifetime_is_absolute_from_consent(sandbox, browser, portal):
    app, config, _ = sandbox
    patched = await portal.patch("/__sandbox/config", json={"refresh_token_ttl": 1, "access_token_ttl": 60})
    assert patched.json()["refresh_token_ttl"] == 1
    tokens = await tokens_for(browser, portal, config)
    assert tokens["expires_in"] == 60
    assert (await refresh(portal, config, tokens["refresh_token"])).status_code == 200
    # Raising the lifetime afterwards does not stretch a refresh token already issued.
    await portal.patch("/__sandbox/config", json={"refresh_token_ttl": 3600})
    auth = server(app.state.sandbox)
    auth.clock = lambda: time.time() + 1.5
    assert (await refresh(portal, config, tokens["refresh_token"])).json() == {"error": "invalid_grant"}


async def test_control_api_revokes_every_refresh_token(sandbox, browser, portal):
    _, config, _ = sandbox
    tokens = await tokens_for(browser, portal, config)
    counts = (await portal.post("/__sandbox/tokens/revoke")).json()
    assert counts["refresh_tokens"] == 0 and counts["access_tokens"] == 0
    assert (await refresh(portal, config, tokens["refresh_token"])).json() == {"error": "invalid_grant"}
    assert (await portal.get(WHOAMI, headers=bearer(tokens["access_token"]))).status_code == 401


async def test_forgetting_sessions_asks_for_sign_in_again(sandbox, browser, portal):
    _, config, _ = sandbox
    await tokens_for(browser, portal, config)
    assert (await portal.delete("/__sandbox/sessions")).status_code == 200
    page = await browser.get(AUTHORIZE, params=authorize_params(config, None))
    assert page.status_code == 200 and "email" in parse_form(page.text).fields


def test_issue_access_token_and_authenticate_without_http():
    state = SandboxState(config=sandbox_config(), db=stub_database())
    principal = Principal(CUSTOMER_CENTER_ROLE, 101, ("rest_webservices",))
    tokens = issue_access_token(state, principal)
    assert tokens["expires_in"] == 3600 and tokens["token_type"] == "bearer"
    header = f"Bearer {tokens['access_token']}"
    assert authenticate(state, header) == principal
    assert authenticate(state, f"BEARER {tokens['access_token']}") == principal
    assert authenticate(state, f"Bearer {tokens['access_token'].upper()}") is None
    assert authenticate(state, header, required_scope="restlets") is None
    assert authenticate(state, f"Basic {tokens['access_token']}") is None
    assert authenticate(state, None) is None and authenticate(state, "Bearer ") is None
    defaulted = issue_access_token(state, Principal(ADMINISTRATOR_ROLE, 7, ()))
    assert authenticate(state, f"bearer {defaulted['access_token']}").scopes == state.config.scopes
