"""NetSuite's OAuth 2.0 authorization-code grant, behind a small typed interface over authlib.

One ``NetSuiteOAuth`` per account, built over the account's governed transport so that token
calls count against the concurrency limit like every other upstream call. authlib's client keeps
a "current token" on the instance; this wrapper never relies on it (each call passes and returns
its own token set), so one instance serves every session.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError

from graph.netsuite import NetSuiteError
from graph.netsuite.errors import challenge_error, parse_error_body

with warnings.catch_warnings():
    # authlib 1.9 steers users to its httpx2 fork; plain httpx is what the account's transport is.
    warnings.filterwarnings("ignore", "The httpx module is deprecated", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = logging.getLogger(__name__)

DEFAULT_ACCESS_LIFETIME = 3600.0
PROMPTS = frozenset({"none", "login", "consent", "login consent", "consent login"})


class OAuthFailure(Exception):
    """NetSuite refused an OAuth request; ``error`` is the RFC 6749 code (never a token)."""

    def __init__(self, error: str) -> None:
        self.error = error
        super().__init__(f"NetSuite refused the OAuth request: {error}")


class InvalidGrant(OAuthFailure):
    """The code or refresh token is invalid, expired, revoked or already used."""


class OAuthUnavailable(Exception):
    """The token or revoke endpoint could not be reached or failed (network, 5xx, governor)."""


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float
    lifetime: float
    # From the refresh token's own ``exp`` claim when it is a readable JWT; None otherwise.
    refresh_expires_at: float | None = None

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        return self.expires_at - seconds <= (time.time() if now is None else now)

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "lifetime": self.lifetime,
            "refresh_expires_at": self.refresh_expires_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenSet:
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=float(data["expires_at"]),
            lifetime=float(data["lifetime"]),
            refresh_expires_at=data.get("refresh_expires_at"),
        )

    @classmethod
    def from_response(cls, token: dict[str, Any], *, previous_refresh: str | None = None) -> TokenSet:
        access = token.get("access_token")
        if not isinstance(access, str) or not access:
            raise OAuthFailure("invalid_response")
        lifetime = _seconds(token.get("expires_in"))
        refresh = token.get("refresh_token") or previous_refresh
        return cls(
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) else None,
            expires_at=time.time() + lifetime,
            lifetime=lifetime,
            refresh_expires_at=jwt_expiry(refresh) if isinstance(refresh, str) else None,
        )


def _seconds(raw: Any) -> float:
    # NetSuite documents a JSON number; tolerate "3600" and a missing value.
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return DEFAULT_ACCESS_LIFETIME
    return value if value > 0 else DEFAULT_ACCESS_LIFETIME


def jwt_expiry(token: str) -> float | None:
    """The unverified ``exp`` of a JWT, used only to plan re-consent; None when not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        exp = payload.get("exp") if isinstance(payload, dict) else None
        return float(exp) if isinstance(exp, int | float) else None
    except (ValueError, TypeError):
        return None


def company_matches(company: str | None, account_id: str) -> bool:
    """Whether the callback's ``company`` names the account ``account_id`` (``1234567_SB1`` form).

    NetSuite documents the account-ID form (``1234567``); what a sandbox account sends is not
    documented (presumably ``1234567_SB1``), so the hostname form and the bare production id are
    accepted too. That is safe: the code is redeemed at this account's own token endpoint, which
    refuses a code issued by another account.
    """
    normal = (company or "").strip().upper().replace("-", "_")
    base, suffix, _ = account_id.partition("_")
    return bool(normal) and (normal == account_id or (bool(suffix) and normal == base))


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    url: str
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)


class NetSuiteOAuth:
    """The client side of the dance: authorization URL, code exchange, refresh, revocation."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        authorize_url: str,
        token_url: str,
        revoke_url: str,
        redirect_uri: str,
        scopes: tuple[str, ...],
        transport: httpx.AsyncBaseTransport,
        timeout: float = 10.0,
    ) -> None:
        self.authorize_url = authorize_url
        self.token_url = token_url
        self.revoke_url = revoke_url
        self.redirect_uri = redirect_uri
        self.scopes = scopes
        # No ``scope`` on the client: authlib would resend it on every refresh, which NetSuite
        # does not ask for; it goes on the authorization URL only.
        self._client = AsyncOAuth2Client(
            client_id=client_id,
            client_secret=client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
            revocation_endpoint_auth_method="client_secret_basic",
            code_challenge_method="S256",
            redirect_uri=redirect_uri,
            token_endpoint=token_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
        )
        for hook in ("access_token_response", "refresh_token_response"):
            self._client.register_compliance_hook(hook, _checked_token_response)

    def authorization_request(self, *, prompt: str | None = None) -> AuthorizationRequest:
        if prompt is not None and prompt not in PROMPTS:
            raise ValueError(f"unsupported prompt {prompt!r}")
        state = generate_token(43)  # NetSuite wants 22-1024 printable characters
        verifier = generate_token(64)  # RFC 7636: 43-128 unreserved characters
        url, _ = self._client.create_authorization_url(
            self.authorize_url,
            state=state,
            code_verifier=verifier,
            scope=" ".join(self.scopes),
            prompt=prompt,
        )
        return AuthorizationRequest(url=url, state=state, code_verifier=verifier)

    async def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        token = await self._call(
            self._client.fetch_token(
                self.token_url,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=self.redirect_uri,
            )
        )
        return TokenSet.from_response(token)

    async def refresh(self, refresh_token: str) -> TokenSet:
        token = await self._call(self._client.refresh_token(self.token_url, refresh_token=refresh_token))
        # Confidential clients get no new refresh token: the one from consent stays valid.
        return TokenSet.from_response(token, previous_refresh=refresh_token)

    async def revoke(self, refresh_token: str) -> None:
        # Success is undocumented: 200 with or without a body and 204 all count.
        response = await self._call(self._client.revoke_token(self.revoke_url, token=refresh_token))
        failure = _endpoint_failure(response)
        if failure is not None:
            raise failure

    async def _call(self, operation: Any) -> Any:
        try:
            return await operation
        except OAuthError as error:
            raise _failure(str(error.error or "oauth_error")) from None
        except httpx.HTTPStatusError as error:
            raise OAuthUnavailable(f"token endpoint answered HTTP {error.response.status_code}") from None
        except httpx.HTTPError as error:
            raise OAuthUnavailable(f"token endpoint unreachable: {type(error).__name__}") from None
        except ValueError:
            # A non-JSON body from a gateway, or a malformed expires_in authlib could not parse.
            raise OAuthFailure("invalid_response") from None
        except NetSuiteError as error:
            # The governor's own errors (busy, unavailable) surface here as well.
            raise OAuthUnavailable(f"token endpoint unavailable: {type(error).__name__}") from None
        finally:
            # authlib remembers the last token on the instance; keep no session's token there.
            self._client.token = None


def _endpoint_failure(response: httpx.Response) -> Exception | None:
    """What a failed token or revoke response means; None for a success.

    NetSuite documents ``{"error": "..."}`` (no description) and a 401 ``invalid_client`` with a
    ``WWW-Authenticate`` challenge. A gateway may answer instead: a 429 or 5xx, HTML or a REST-style
    error body. Busy and broken endpoints are unavailable, never the user's fault.
    """
    status = response.status_code
    if status < 300:
        return None
    if status == 429 or status >= 500 or status < 400:
        return OAuthUnavailable(f"token endpoint answered HTTP {status}")
    code, _ = parse_error_body(response.content)
    code = code or challenge_error(response.headers.get("WWW-Authenticate"))
    if code is None and status == 401:
        code = "invalid_client"  # the token endpoint's 401 is always the client's credentials
    if code is None:
        return OAuthUnavailable(f"token endpoint answered HTTP {status} without an OAuth error")
    return _failure(code)


def _checked_token_response(response: httpx.Response) -> httpx.Response:
    """Classify failures before authlib reads the body, and give it an ``expires_in`` it can read."""
    failure = _endpoint_failure(response)
    if failure is not None:
        raise failure
    try:
        token = response.json()
    except ValueError:
        return response  # authlib reports the undecodable body
    raw = token.get("expires_in") if isinstance(token, dict) else None
    if raw is None or isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
        return response
    # "3600.0", "", or junk: authlib would crash on int(); the lifetime is ours to default.
    token = {**token, "expires_in": int(_seconds(raw))}
    return httpx.Response(response.status_code, json=token, request=response.request)


def _failure(error: str) -> OAuthFailure:
    # Only a short, known-shaped code travels on: it is shown on pages and logged.
    code = error if error.replace("_", "").isalnum() and len(error) <= 64 else "oauth_error"
    return InvalidGrant(code) if code == "invalid_grant" else OAuthFailure(code)


__all__ = [
    "PROMPTS",
    "AuthorizationRequest",
    "InvalidGrant",
    "NetSuiteOAuth",
    "OAuthFailure",
    "OAuthUnavailable",
    "TokenSet",
    "company_matches",
    "jwt_expiry",
]
