"""The sandbox's OAuth 2.0 authorization server (NETSUITE.md §2): authorize.nl, token, revoke, keys.

Tokens are JWT-shaped and RS256-signed with a key generated when the process starts (published as
JWKS at ``/services/rest/auth/oauth2/v1/keys``), but the in-memory registry is authoritative:
a token is valid only while the registry holds it unexpired and unrevoked, so that expiry and
revocation (including through the control API) take effect at once.

One consent is a *grant*: it owns one refresh token, whose lifetime is absolute from the consent
(NetSuite does not rotate refresh tokens of confidential clients), and every access token issued
from it. Revoking the refresh token, or redeeming its authorization code twice, revokes them all.

Where NetSuite differs from what a laptop needs, the sandbox is more permissive and says so on
its pages: it also accepts ``http`` redirect URIs on loopback hosts.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
import secrets
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from graph.sandbox import pages
from graph.sandbox.config import SandboxConfig
from graph.sandbox.db import find_user as find_portal_user
from graph.sandbox.state import ADMINISTRATOR_ROLE, CUSTOMER_CENTER_ROLE, Principal, SandboxState

AUTHORIZE_PATH = "/app/login/oauth2/authorize.nl"
TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 (a path, not a secret)
REVOKE_PATH = "/services/rest/auth/oauth2/v1/revoke"
KEYS_PATH = "/services/rest/auth/oauth2/v1/keys"
# The sign-in cookie is scoped to the authorize path: cookies ignore ports, and a portal on the same
# loopback host must never receive it.
LOGIN_COOKIE = "ns_sandbox_login"
LOGIN_COOKIE_PATH = "/app/login"
ISSUER = "https://system.netsuite.com"
KNOWN_SCOPES = ("restlets", "rest_webservices", "suite_analytics", "mcp")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# A signed authorize request (carried by the sign-in and consent forms) is good for this long.
FORM_MAX_AGE = 900
_STATE = re.compile(r"^[\x20-\x7e]{22,1024}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_TOKEN_PARAMS = ("grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope", "token")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

# Called with (kind, value) for every secret a sandbox of this process makes or holds: client
# secrets, authorization codes, access and refresh tokens, sign-in session ids. Empty unless a test
# suite registers an observer, e.g. to check that no log line of a whole run carries one of them.
SECRET_OBSERVERS: list[Callable[[str, str], None]] = []


def _minted(kind: str, value: str) -> str:
    for observer in SECRET_OBSERVERS:
        observer(kind, value)
    return value


# ---------------------------------------------------------------------------------------------
# Registry


@dataclass(slots=True)
class Grant:
    """One consent: a refresh token and every access token issued from it."""

    id: str
    principal: Principal
    client_id: str
    oit_ms: int
    refresh_token: str = ""
    refresh_expires_at: float = 0.0
    revoked: bool = False
    last_iat_ms: int = 0
    access_tokens: set[str] = field(default_factory=set)


@dataclass(slots=True)
class AccessToken:
    grant: Grant
    scopes: tuple[str, ...]
    expires_at: float


@dataclass(slots=True)
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    principal: Principal
    challenge: str | None
    expires_at: float
    used: bool = False
    grant: Grant | None = None


@dataclass(frozen=True, slots=True)
class PortalUser:
    email: str
    name: str
    role_id: int
    entity_id: int


@dataclass(slots=True)
class LoginSession:
    id: str
    user: PortalUser


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    """A validated authorize.nl request, carried (signed) through the sign-in and consent forms."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    challenge: str | None
    prompt: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scopes": list(self.scopes),
            "state": self.state,
            "challenge": self.challenge,
            "prompt": sorted(self.prompt),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuthorizeRequest:
        return cls(
            client_id=data["client_id"],
            redirect_uri=data["redirect_uri"],
            scopes=tuple(data["scopes"]),
            state=data["state"],
            challenge=data["challenge"],
            prompt=frozenset(data["prompt"]),
        )


@functools.cache
def _signing_key() -> rsa.RSAPrivateKey:
    # One key per process ("generated at start"); generating one per sandbox would slow tests.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class AuthorizationServer:
    """Codes, grants, tokens, sign-in sessions and remembered consents of one sandbox."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        _minted("client_secret", config.client_secret)
        # The clock every expiry is measured by; tests may move it.
        self.clock: Callable[[], float] = time.time
        self.key = _signing_key()
        self.kid = f"c.{config.account_id}.{time.strftime('%Y-%m-%d_%H-%M-%S', time.gmtime())}"
        self.forms = URLSafeTimedSerializer(secrets.token_bytes(32), salt="authorize.nl")
        self.codes: dict[str, AuthorizationCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, Grant] = {}
        self.sessions: dict[str, LoginSession] = {}
        self.consents: dict[tuple[str, str], frozenset[str]] = {}
        # Client-authenticated token and revoke requests by kind ("authorization_code",
        # "refresh_token", "revoke", "other"): these endpoints are outside the governed counters.
        self.requests: Counter[str] = Counter()
        # NetSuite's AppID GUID is per integration record; derive a stable one from the client id.
        self.app_id = str(uuid.uuid5(uuid.NAMESPACE_URL, config.client_id)).upper()

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # -- tokens ---------------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
        return {
            "keys": [
                {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256", "n": _b64(n), "e": _b64(e)}
            ]
        }

    def _jwt(self, claims: dict[str, Any]) -> str:
        header = {"kid": self.kid, "typ": "JWT", "alg": "RS256"}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def _claims(
        self, grant: Grant, scopes: tuple[str, ...], kind: str, iat_ms: int, ttl: int
    ) -> dict[str, Any]:
        principal, account = grant.principal, self.config.account_id
        iat = iat_ms // 1000
        return {
            "sub": f"{principal.role_id};{principal.entity_id}",
            "aud": [f"{self.app_id};{account}", grant.client_id],
            "scope": list(scopes),
            "iss": ISSUER,
            "oit": grant.oit_ms // 1000,
            "exp": iat + ttl,
            "iat": iat,
            "jti": f"{account}.{kind}.{grant.id}_{grant.oit_ms}.{iat_ms}",
        }

    def start_grant(self, principal: Principal, client_id: str) -> Grant:
        now_ms = self.now_ms()
        grant = Grant(id=str(uuid.uuid4()), principal=principal, client_id=client_id, oit_ms=now_ms)
        ttl = self.config.refresh_token_ttl
        grant.refresh_token = _minted(
            "refresh_token", self._jwt(self._claims(grant, principal.scopes, "r", now_ms, ttl))
        )
        grant.refresh_expires_at = now_ms / 1000 + ttl
        self.refresh[grant.refresh_token] = grant
        return grant

    def issue_access(self, grant: Grant, scopes: tuple[str, ...]) -> str:
        # Strictly increasing issue times keep every jti (and so every token) of a grant distinct.
        iat_ms = max(self.now_ms(), grant.last_iat_ms + 1)
        grant.last_iat_ms = iat_ms
        ttl = self.config.access_token_ttl
        token = _minted("access_token", self._jwt(self._claims(grant, scopes, "a", iat_ms, ttl)))
        self.access[token] = AccessToken(grant=grant, scopes=scopes, expires_at=iat_ms / 1000 + ttl)
        grant.access_tokens.add(token)
        if len(self.access) > 4096:
            self.sweep()
        return token

    def token_set(self, grant: Grant) -> dict[str, Any]:
        return {
            "access_token": self.issue_access(grant, grant.principal.scopes),
            "refresh_token": grant.refresh_token,
            "expires_in": self.config.access_token_ttl,
            "token_type": "bearer",
        }

    def revoke_grant(self, grant: Grant) -> None:
        grant.revoked = True
        for token in grant.access_tokens:
            self.access.pop(token, None)
        grant.access_tokens.clear()

    def live_access(self, token: str) -> AccessToken | None:
        record = self.access.get(token)
        if record is None or record.grant.revoked or record.expires_at <= self.clock():
            return None
        return record

    def live_grant(self, refresh_token: str) -> Grant | None:
        grant = self.refresh.get(refresh_token)
        if grant is None or grant.revoked or grant.refresh_expires_at <= self.clock():
            return None
        return grant

    def expire(self, *, access: bool = True, refresh: bool = False) -> None:
        """Make tokens expired now (tests: the next call sees what an expired token looks like)."""
        now = self.clock()
        if access:
            for record in self.access.values():
                record.expires_at = min(record.expires_at, now)
        if refresh:
            for grant in self.refresh.values():
                grant.refresh_expires_at = min(grant.refresh_expires_at, now)

    def revoke_all(self) -> None:
        for grant in self.refresh.values():
            self.revoke_grant(grant)

    def forget_sessions(self) -> None:
        """Sign every browser out and forget remembered consents."""
        self.sessions.clear()
        self.consents.clear()

    def sweep(self) -> None:
        now = self.clock()
        self.access = {token: rec for token, rec in self.access.items() if rec.expires_at > now}
        for grant in self.refresh.values():
            grant.access_tokens &= self.access.keys()
        self.codes = {code: rec for code, rec in self.codes.items() if rec.expires_at > now or rec.grant}

    def counts(self) -> dict[str, int]:
        now = self.clock()
        return {
            "access_tokens": sum(1 for token in self.access if self.live_access(token)),
            "refresh_tokens": sum(
                1 for g in self.refresh.values() if not g.revoked and g.refresh_expires_at > now
            ),
            "sessions": len(self.sessions),
        }

    # -- users ----------------------------------------------------------------------------------

    def new_session(self, user: PortalUser) -> LoginSession:
        session = LoginSession(id=_minted("sign_in_session", secrets.token_urlsafe(32)), user=user)
        self.sessions[session.id] = session
        return session


def portal_user(record: Mapping[str, Any]) -> PortalUser:
    """A ``_portaluser`` row (as ``db.find_user`` returns it) as the principal it signs in as."""
    admin = record["role"] == "administrator"
    return PortalUser(
        email=str(record["email"]),
        name=str(record["name"]),
        role_id=ADMINISTRATOR_ROLE if admin else CUSTOMER_CENTER_ROLE,
        entity_id=int(record["entity_id"]),
    )


def find_user(db: sqlite3.Connection, email: str, password: str) -> PortalUser | None:
    record = find_portal_user(db, email, password)
    return None if record is None else portal_user(record)


def server(state: SandboxState) -> AuthorizationServer:
    """The authorization server of ``state`` (created on first use)."""
    current = state.oauth.get("server")
    if current is None:
        current = state.oauth["server"] = AuthorizationServer(state.config)
    return current


# ---------------------------------------------------------------------------------------------
# The two calls the API routes use


def issue_access_token(state: SandboxState, principal: Principal) -> dict[str, Any]:
    """Issue a token set for ``principal`` without the browser dance (tests and tools).

    The principal's scopes are granted (the integration record's when it has none). Returns the
    token endpoint's answer: ``access_token``, ``refresh_token``, ``expires_in``, ``token_type``.
    """
    if not principal.scopes:
        principal = Principal(principal.role_id, principal.entity_id, tuple(state.config.scopes))
    auth = server(state)
    return auth.token_set(auth.start_grant(principal, state.config.client_id))


def authenticate(
    state: SandboxState, authorization: str | None, required_scope: str | None = "rest_webservices"
) -> Principal | None:
    """The principal an ``Authorization: Bearer`` header speaks for, or None when it is not valid.

    Not valid: missing, malformed, unknown, expired or revoked, or lacking ``required_scope``
    (REST and SuiteQL need ``rest_webservices``, RESTlets ``restlets``; None checks no scope).
    """
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    record = server(state).live_access(token.strip())
    if record is None or (required_scope is not None and required_scope not in record.scopes):
        return None
    principal = record.grant.principal
    return Principal(principal.role_id, principal.entity_id, record.scopes)


# ---------------------------------------------------------------------------------------------
# authorize.nl


class _Rejected(Exception):
    """An authorize request that must be answered by redirecting with ``error``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def redirect_uri_allowed(uri: str) -> bool:
    """https, a custom scheme, or (sandbox only) http on a loopback host."""
    parts = urlsplit(uri)
    if parts.scheme == "http":
        return parts.hostname in LOOPBACK_HOSTS
    return bool(parts.scheme) and (parts.scheme != "https" or bool(parts.netloc)) and not parts.fragment


def _parse_authorize(config: SandboxConfig, query: Any) -> AuthorizeRequest:
    """Validate everything after client_id and redirect_uri; raises _Rejected."""

    def one(name: str) -> str | None:
        values = query.getlist(name)
        if len(values) > 1:  # a repeated parameter is malformed
            raise _Rejected("invalid_request")
        return values[0] if values else None

    response_type = one("response_type")
    if response_type is None:
        raise _Rejected("invalid_request")
    if response_type != "code":
        raise _Rejected("unsupported_response_type")
    state = one("state")
    if state is None or not _STATE.match(state):
        raise _Rejected("invalid_request")
    scopes = tuple(dict.fromkeys((one("scope") or "").split()))
    if not scopes or any(scope not in config.scopes or scope not in KNOWN_SCOPES for scope in scopes):
        raise _Rejected("invalid_scope")
    if "mcp" in scopes and len(scopes) > 1:
        raise _Rejected("invalid_scope")
    challenge, method = one("code_challenge"), one("code_challenge_method")
    # NetSuite supports S256 only ("As of 2020.2, NetSuite doesn't support a value of plain").
    pkce = challenge is not None or method is not None
    if pkce and (method != "S256" or challenge is None or not _CHALLENGE.match(challenge)):
        raise _Rejected("invalid_request")
    prompt = frozenset((one("prompt") or "").split())
    if not prompt <= {"none", "login", "consent"} or ("none" in prompt and len(prompt) > 1):
        raise _Rejected("invalid_request")
    if "mcp" in scopes and (challenge is None or "none" in prompt):
        raise _Rejected("invalid_request")
    return AuthorizeRequest(query["client_id"], query["redirect_uri"], scopes, state, challenge, prompt)


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _callback(
    config: SandboxConfig, redirect_uri: str, state: str | None, user: PortalUser | None, **result: str
) -> Response:
    params: dict[str, str] = {} if state is None else {"state": state}
    if user is not None:
        params.update(role=str(user.role_id), entity=str(user.entity_id))
    params["company"] = config.account_id
    params.update(result)
    return RedirectResponse(_with_query(redirect_uri, params), status_code=302, headers=_NO_STORE)


def _unrecoverable(config: SandboxConfig, query: Any) -> Response | None:
    """The error page NetSuite shows, without redirecting, for a bad client or redirect URI."""
    client_ids, redirect_uris = query.getlist("client_id"), query.getlist("redirect_uri")
    if len(client_ids) != 1 or not secrets.compare_digest(client_ids[0].encode(), config.client_id.encode()):
        return pages.error_page(
            "Invalid login attempt", "The client_id is not valid (unauthorized_client).", status=400
        )
    if len(redirect_uris) != 1 or redirect_uris[0] not in config.redirect_uris:
        return pages.error_page(
            "Invalid login attempt",
            "The redirect_uri does not match a redirect URI of the integration record.",
            status=400,
        )
    if not redirect_uri_allowed(redirect_uris[0]):
        return pages.error_page(
            "Invalid login attempt",
            "The redirect_uri must use https or a custom scheme (the sandbox also allows http on loopback).",
            status=400,
        )
    return None


async def authorize(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    config = state.config
    if request.method == "POST":
        return await _authorize_form(request, state)
    query = request.query_params
    failure = _unrecoverable(config, query)
    if failure is not None:
        return failure
    try:
        auth = _parse_authorize(config, query)
    except _Rejected as rejected:
        states = query.getlist("state")
        state_value = states[0] if len(states) == 1 else None
        return _callback(config, query["redirect_uri"], state_value, None, error=rejected.error)
    session = server(state).sessions.get(request.cookies.get(LOGIN_COOKIE, ""))
    if session is None or "login" in auth.prompt:
        if "none" in auth.prompt:
            # NetSuite documents no login_required; prompt=none without a session is access_denied.
            return _callback(config, auth.redirect_uri, auth.state, None, error="access_denied")
        return _sign_in(state, auth)
    return _after_sign_in(state, auth, session)


def _form_token(state: SandboxState, auth: AuthorizeRequest, step: str, session: str | None = None) -> str:
    payload = {"auth": auth.to_dict(), "step": step, "session": session}
    return str(server(state).forms.dumps(payload))


def _sign_in(state: SandboxState, auth: AuthorizeRequest, *, email: str = "", error: str = "") -> Response:
    token = _form_token(state, auth, "login")
    return pages.sign_in_page(
        AUTHORIZE_PATH, token, account_id=state.config.account_id, email=email, error=error
    )


def _after_sign_in(state: SandboxState, auth: AuthorizeRequest, session: LoginSession) -> Response:
    auth_server, user = server(state), session.user
    remembered = auth_server.consents.get((user.email.lower(), auth.client_id), frozenset())
    if "consent" not in auth.prompt and set(auth.scopes) <= remembered:
        return _grant_code(state, auth, user)
    if "none" in auth.prompt:
        return _callback(state.config, auth.redirect_uri, auth.state, user, error="access_denied")
    token = _form_token(state, auth, "consent", session.id)
    return pages.consent_page(
        AUTHORIZE_PATH,
        token,
        user_name=user.name,
        client_id=auth.client_id,
        scopes=auth.scopes,
        account_id=state.config.account_id,
    )


def _grant_code(state: SandboxState, auth: AuthorizeRequest, user: PortalUser) -> Response:
    code = _minted("authorization_code", secrets.token_hex(32))
    principal = Principal(user.role_id, user.entity_id, auth.scopes)
    server(state).codes[code] = AuthorizationCode(
        client_id=auth.client_id,
        redirect_uri=auth.redirect_uri,
        principal=principal,
        challenge=auth.challenge,
        expires_at=server(state).clock() + state.config.code_ttl,
    )
    return _callback(state.config, auth.redirect_uri, auth.state, user, code=code)


async def _authorize_form(request: Request, state: SandboxState) -> Response:
    auth_server = server(state)
    form = await request.form()
    try:
        payload = auth_server.forms.loads(str(form.get("request", "")), max_age=FORM_MAX_AGE)
        auth = AuthorizeRequest.from_dict(payload["auth"])
    except (BadSignature, KeyError, TypeError):
        return pages.error_page("Invalid login attempt", "This sign-in request is invalid or has expired.")
    if payload["step"] == "login":
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        user = find_user(state.db, email, password)
        if user is None:
            return _sign_in(
                state, auth, email=email, error="You have entered an invalid email address or password."
            )
        session = auth_server.new_session(user)
        response = _after_sign_in(state, auth, session)
        response.set_cookie(
            LOGIN_COOKIE,
            session.id,
            path=LOGIN_COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=state.config.base_url.startswith("https:"),
        )
        return response
    session = auth_server.sessions.get(request.cookies.get(LOGIN_COOKIE, ""))
    if session is None or session.id != payload.get("session"):
        return _sign_in(state, auth, error="Your session has ended. Please log in again.")
    if form.get("action") != "allow":
        return _callback(state.config, auth.redirect_uri, auth.state, session.user, error="access_denied")
    key = (session.user.email.lower(), auth.client_id)
    auth_server.consents[key] = auth_server.consents.get(key, frozenset()) | set(auth.scopes)
    return _grant_code(state, auth, session.user)


# ---------------------------------------------------------------------------------------------
# token, revoke, keys


def _oauth_error(error: str, status: int = 400, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status, headers={**_NO_STORE, **(headers or {})})


def _invalid_client(config: SandboxConfig) -> JSONResponse:
    return _oauth_error("invalid_client", 401, {"WWW-Authenticate": f'Basic realm="{config.account_id}"'})


def _basic_client(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    # RFC 6749 §2.3.1: both halves are form-encoded before they are joined.
    return (unquote_plus(client_id), unquote_plus(secret)) if sep else None


async def _client_form(request: Request, config: SandboxConfig) -> dict[str, str] | Response:
    """The form of an authenticated token/revoke request, or the error response to send."""
    if (
        request.headers.get("content-type", "").split(";")[0].strip().lower()
        != "application/x-www-form-urlencoded"
    ):
        return _oauth_error("invalid_request")
    form = await request.form()
    if any(len(form.getlist(name)) > 1 for name in _TOKEN_PARAMS):
        return _oauth_error("invalid_request")
    credentials = _basic_client(request.headers.get("authorization"))
    if credentials is not None and ("client_secret" in form or "client_assertion" in form):
        return _oauth_error("invalid_request")  # more than one client authentication method
    if credentials is None:
        return _invalid_client(config)
    client_id, secret = credentials
    valid_id = secrets.compare_digest(client_id.encode(), config.client_id.encode())
    valid_secret = secrets.compare_digest(secret.encode(), config.client_secret.encode())
    if not (valid_id and valid_secret):
        return _invalid_client(config)
    return {name: str(value) for name, value in form.items()}


def _verifier_matches(verifier: str | None, challenge: str | None) -> bool:
    if challenge is None:
        return verifier is None
    if verifier is None or not _VERIFIER.match(verifier):
        return False
    digest = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
    return secrets.compare_digest(digest, challenge)


def _exchange_code(state: SandboxState, form: dict[str, str]) -> Response:
    auth_server, config = server(state), state.config
    code, redirect_uri = form.get("code"), form.get("redirect_uri")
    if not code or not redirect_uri:
        return _oauth_error("invalid_request")
    record = auth_server.codes.get(code)
    if record is None or record.client_id != config.client_id:
        return _oauth_error("invalid_grant")
    if record.used:
        # RFC 6749 §4.1.2: a code redeemed twice revokes what it was exchanged for.
        if record.grant is not None:
            auth_server.revoke_grant(record.grant)
        return _oauth_error("invalid_grant")
    record.used = True  # any attempt spends the code, so a verifier cannot be guessed
    if record.expires_at <= auth_server.clock() or record.redirect_uri != redirect_uri:
        return _oauth_error("invalid_grant")
    if not _verifier_matches(form.get("code_verifier"), record.challenge):
        return _oauth_error("invalid_grant")
    record.grant = auth_server.start_grant(record.principal, record.client_id)
    return JSONResponse(auth_server.token_set(record.grant), headers=_NO_STORE)


def _refresh(state: SandboxState, form: dict[str, str]) -> Response:
    auth_server = server(state)
    refresh_token = form.get("refresh_token")
    if not refresh_token:
        return _oauth_error("invalid_request")
    grant = auth_server.live_grant(refresh_token)
    if grant is None or grant.client_id != state.config.client_id:
        return _oauth_error("invalid_grant")
    scopes = grant.principal.scopes
    if form.get("scope"):
        requested = tuple(dict.fromkeys(form["scope"].split()))
        if not set(requested) <= set(scopes):
            return _oauth_error("invalid_scope")
        scopes = requested
    # Confidential clients keep their refresh token: NetSuite returns no new one.
    body = {
        "access_token": auth_server.issue_access(grant, scopes),
        "expires_in": state.config.access_token_ttl,
        "token_type": "bearer",
    }
    return JSONResponse(body, headers=_NO_STORE)


async def token(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    form = await _client_form(request, state.config)
    if isinstance(form, Response):
        return form
    grant_type = form.get("grant_type")
    known = grant_type in ("authorization_code", "refresh_token")
    server(state).requests[grant_type if known else "other"] += 1
    if not grant_type:
        return _oauth_error("invalid_request")
    if grant_type == "authorization_code":
        return _exchange_code(state, form)
    if grant_type == "refresh_token":
        return _refresh(state, form)
    return _oauth_error("unsupported_grant_type")


async def revoke(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    form = await _client_form(request, state.config)
    if isinstance(form, Response):
        return form
    auth_server = server(state)
    auth_server.requests["revoke"] += 1
    value = form.get("token")
    if not value:
        return _oauth_error("invalid_request")
    grant = auth_server.refresh.get(value)
    if grant is not None:
        auth_server.revoke_grant(grant)
    elif (record := auth_server.access.pop(value, None)) is not None:
        record.grant.access_tokens.discard(value)
    # RFC 7009: an unknown token is not an error.
    return Response(status_code=200, headers=_NO_STORE)


async def keys(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    return JSONResponse(server(state).jwks())


def routes() -> list[Route]:
    return [
        Route(AUTHORIZE_PATH, authorize, methods=["GET", "POST"]),
        Route(TOKEN_PATH, token, methods=["POST"]),
        Route(REVOKE_PATH, revoke, methods=["POST"]),
        Route(KEYS_PATH, keys, methods=["GET"]),
    ]


__all__ = [
    "AUTHORIZE_PATH",
    "KEYS_PATH",
    "LOGIN_COOKIE",
    "REVOKE_PATH",
    "SECRET_OBSERVERS",
    "TOKEN_PATH",
    "AuthorizationServer",
    "AuthorizeRequest",
    "PortalUser",
    "authenticate",
    "find_user",
    "issue_access_token",
    "portal_user",
    "redirect_uri_allowed",
    "routes",
    "server",
]
