"""The OAuth client against every token/revoke answer NetSuite documents or may plausibly send."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from auth_kit import REVOKE_URL, TOKEN_URL, Kit, make_oauth, token_set

from graph.auth.oauth import InvalidGrant, OAuthFailure, OAuthUnavailable
from graph.netsuite.errors import UpstreamUnavailable

ACCESS = {"access_token": "access-new", "token_type": "bearer"}


# ---- token responses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        (3600, 3600.0),  # Oracle's example: a JSON number
        ("3600", 3600.0),  # what some IdP clients defensively accept
        (1800.0, 1800.0),
        ("1800.0", 1800.0),
        (None, 3600.0),  # documented as "always 3600"
        ("", 3600.0),
        ("soon", 3600.0),
        ([3600], 3600.0),
    ],
)
@respx.mock
async def test_expires_in_as_number_string_or_missing(expires_in: object, lifetime: float) -> None:
    body: dict[str, object] = {**ACCESS, "refresh_token": "refresh-1"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    respx.post(TOKEN_URL).respond(json=body)
    before = time.time()
    tokens = await make_oauth().exchange_code("code-1", "verifier-" + "v" * 40)
    assert tokens.access_token == "access-new" and tokens.refresh_token == "refresh-1"
    assert tokens.lifetime == lifetime
    assert before + lifetime <= tokens.expires_at <= time.time() + lifetime


@pytest.mark.parametrize("token_type", ["bearer", "Bearer", "BEARER", None])
@respx.mock
async def test_token_type_in_any_case_and_extra_fields(token_type: str | None) -> None:
    body: dict[str, object] = {"access_token": "a-1", "refresh_token": "r-1", "expires_in": 3600}
    if token_type is not None:
        body["token_type"] = token_type
    body.update(scope="rest_webservices", id_token="x.y.z", something_new={"nested": True})
    respx.post(TOKEN_URL).respond(json=body)
    tokens = await make_oauth().exchange_code("code-1", "v" * 43)
    assert (tokens.access_token, tokens.refresh_token, tokens.lifetime) == ("a-1", "r-1", 3600.0)


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ({"expires_in": 3600}, "refresh-1"),  # confidential client: no new refresh token
        ({"expires_in": 3600, "refresh_token": None}, "refresh-1"),
        ({"expires_in": 3600, "refresh_token": ""}, "refresh-1"),
        ({"expires_in": "3600", "refresh_token": "refresh-2"}, "refresh-2"),  # public client: rotated
    ],
)
@respx.mock
async def test_refresh_with_or_without_a_new_refresh_token(answer: dict[str, object], kept: str) -> None:
    route = respx.post(TOKEN_URL).respond(json={**ACCESS, **answer})
    tokens = await make_oauth().refresh("refresh-1")
    assert tokens.access_token == "access-new" and tokens.refresh_token == kept
    assert parse_qs(route.calls.last.request.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["refresh-1"],
    }


@respx.mock
async def test_a_token_response_without_an_access_token_is_refused() -> None:
    respx.post(TOKEN_URL).respond(json={"expires_in": 3600, "token_type": "bearer"})
    with pytest.raises(OAuthFailure) as raised:
        await make_oauth().refresh("refresh-1")
    assert raised.value.error == "invalid_response"
    respx.post(TOKEN_URL).respond(200, text="<html>ok</html>")
    with pytest.raises(OAuthFailure):
        await make_oauth().refresh("refresh-1")


# ---- token endpoint errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "kind", "code"),
    [
        (httpx.Response(400, json={"error": "invalid_grant"}), InvalidGrant, "invalid_grant"),
        (
            httpx.Response(400, json={"error": "invalid_grant", "error_description": "Token expired."}),
            InvalidGrant,
            "invalid_grant",
        ),
        (
            httpx.Response(
                401, headers={"WWW-Authenticate": 'Basic realm="1234567"'}, json={"error": "invalid_client"}
            ),
            OAuthFailure,
            "invalid_client",
        ),
        # The same 401 with the challenge only: the token endpoint's 401 is the client's credentials.
        (
            httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="1234567"'}),
            OAuthFailure,
            "invalid_client",
        ),
        (httpx.Response(401, text="<html>Unauthorized</html>"), OAuthFailure, "invalid_client"),
        (
            httpx.Response(400, json={"error": "unsupported_grant_type"}),
            OAuthFailure,
            "unsupported_grant_type",
        ),
        (httpx.Response(400, json={"error": "unauthorized_client"}), OAuthFailure, "unauthorized_client"),
        (
            httpx.Response(400, json={"o:errorDetails": [{"o:errorCode": "INVALID_REQUEST", "detail": "x"}]}),
            OAuthFailure,
            "INVALID_REQUEST",
        ),
        (httpx.Response(400, json={"error": "invalid grant; see <script>"}), OAuthFailure, "oauth_error"),
    ],
)
@respx.mock
async def test_token_errors_in_every_shape(response: httpx.Response, kind: type, code: str) -> None:
    respx.post(TOKEN_URL).mock(return_value=response)
    with pytest.raises(OAuthFailure) as raised:
        await make_oauth().refresh("refresh-1")
    assert type(raised.value) is kind and raised.value.error == code
    assert "refresh-1" not in str(raised.value)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(429, json={"o:errorDetails": [{"o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"}]}),
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(503, json={"error": "temporarily_unavailable"}),
        httpx.Response(400, text="<html>Request Rejected</html>"),
        httpx.Response(302, headers={"Location": "https://elsewhere.netsuite.com/"}),
    ],
    ids=["429-rest-body", "429-retry-after", "502-html", "503-json", "400-html", "302"],
)
@respx.mock
async def test_busy_or_broken_token_endpoints_are_unavailable(response: httpx.Response) -> None:
    respx.post(TOKEN_URL).mock(return_value=response)
    with pytest.raises(OAuthUnavailable):
        await make_oauth().refresh("refresh-1")
    with pytest.raises(OAuthUnavailable):
        await make_oauth().exchange_code("code-1", "v" * 43)


@respx.mock
async def test_a_busy_token_endpoint_ends_no_session(kit: Kit) -> None:
    respx.post(TOKEN_URL).respond(
        429, json={"o:errorDetails": [{"o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"}]}
    )
    still_valid = await kit.session(token_set("still-valid", expires_in=20))
    assert await kit.manager.provider(still_valid).access_token() == "still-valid"
    expired = await kit.session(token_set(expires_in=-1))
    with pytest.raises(UpstreamUnavailable):  # busy, not "sign in again"
        await kit.manager.provider(expired).access_token()
    assert await kit.sessions.load(expired.id) is not None


# ---- revocation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200),
        httpx.Response(200, json={}),
        httpx.Response(200, json={"revoked": True}),
        httpx.Response(204),
        httpx.Response(200, text="OK"),
    ],
    ids=["200-empty", "200-empty-json", "200-json", "204", "200-text"],
)
@respx.mock
async def test_every_success_of_revoke_is_accepted(response: httpx.Response) -> None:
    route = respx.post(REVOKE_URL).mock(return_value=response)
    await make_oauth().revoke("refresh-1")
    assert parse_qs(route.calls.last.request.content.decode())["token"] == ["refresh-1"]
    assert route.calls.last.request.headers["authorization"].startswith("Basic ")


@pytest.mark.parametrize(
    ("response", "kind", "code"),
    [
        (httpx.Response(400, json={"error": "invalid_grant"}), InvalidGrant, "invalid_grant"),
        (
            httpx.Response(400, json={"error": "invalid_request", "error_description": "token is missing"}),
            OAuthFailure,
            "invalid_request",
        ),
        (
            httpx.Response(
                401, headers={"WWW-Authenticate": 'Basic realm="1234567"'}, json={"error": "invalid_client"}
            ),
            OAuthFailure,
            "invalid_client",
        ),
        (
            httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="1234567"'}),
            OAuthFailure,
            "invalid_client",
        ),
        (httpx.Response(429), OAuthUnavailable, None),
        (httpx.Response(500, json={"error": "server_error"}), OAuthUnavailable, None),
        (httpx.Response(400, text="<html>blocked</html>"), OAuthUnavailable, None),
    ],
)
@respx.mock
async def test_revoke_failures_are_typed(response: httpx.Response, kind: type, code: str | None) -> None:
    respx.post(REVOKE_URL).mock(return_value=response)
    with pytest.raises(kind) as raised:
        await make_oauth().revoke("refresh-1")
    if code is not None:
        assert raised.value.error == code
    assert "refresh-1" not in str(raised.value)
