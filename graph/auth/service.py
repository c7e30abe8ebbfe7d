"""``AuthService``: the one object the app and the GraphQL layer use for sign-in and tokens."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from starlette.requests import HTTPConnection
from starlette.routing import Route

from graph.auth.crypto import Signer, TokenCipher
from graph.auth.oauth import InvalidGrant, NetSuiteOAuth, OAuthFailure, OAuthUnavailable, TokenSet
from graph.auth.pending import PendingLogins
from graph.auth.redirects import UnsafeRedirect, safe_next
from graph.auth.sessions import Session, SessionRecord, SessionStore
from graph.auth.tokens import SessionTokens, TokenManager
from graph.auth.views import AuthViews
from graph.config import ConfigError, Settings
from graph.netsuite import NetSuiteAccount, NetSuiteClient
from graph.netsuite.errors import NetSuiteError
from graph.netsuite.transport import lane_scope
from graph.store import Store

log = logging.getLogger(__name__)

_SCOPE_KEY = "suitegraph.session"
# When the browser comes back this close to (or after) the weekly end of consent, /auth/login
# first tries a silent prompt=none re-authorization.
RECONSENT_WINDOW = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    """Names and flags of the two cookies: the session id, and the sign-in-in-progress nonce."""

    secure: bool

    @property
    def session_name(self) -> str:
        # __Host-: Secure, Path=/, no Domain, so no sibling subdomain can plant or read it.
        return "__Host-sg_session" if self.secure else "sg_session"

    @property
    def login_name(self) -> str:
        return "__Secure-sg_login" if self.secure else "sg_login"

    login_path = "/auth/"


class AuthService:
    """Sign-in (OAuth 2.0 authorization code + PKCE), server-side sessions and their tokens.

    Usage::

        auth = AuthService(settings, store, account)
        routes = auth.routes()                      # /auth/login, /auth/callback, /auth/logout
        session = await auth.session_for(request)   # None: not signed in
        client = auth.client_for(session)           # NetSuiteClient acting for that customer
    """

    def __init__(self, settings: Settings, store: Store, account: NetSuiteAccount) -> None:
        if settings.account_id is None or not settings.client_id or not settings.client_secret:
            raise ConfigError(
                "sign-in needs NETSUITE_ACCOUNT_ID, NETSUITE_CLIENT_ID and NETSUITE_CLIENT_SECRET"
            )
        self.settings = settings
        self.store = store
        self.account = account
        self.account_id = account.hosts.account_id
        cipher, signer = TokenCipher(settings.secret_key), Signer(settings.secret_key)
        self.sessions = SessionStore(store, cipher, signer)
        self.pending = PendingLogins(store, cipher, signer)
        self.cookies = CookiePolicy(secure=settings.production or settings.public_url.startswith("https:"))
        self.oauth = NetSuiteOAuth(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            authorize_url=account.hosts.authorize_url,
            token_url=account.hosts.token_url,
            revoke_url=account.hosts.revoke_url,
            redirect_uri=settings.redirect_uri,
            scopes=settings.scopes,
            transport=account.transport,
        )
        self.tokens = TokenManager(self.sessions, store, self.oauth, lane_for=self.lane)

    # -- what the GraphQL layer calls ----------------------------------------------------------

    def routes(self) -> list[Route]:
        return AuthViews(self).routes()

    async def session_for(self, request: HTTPConnection) -> Session | None:
        """The signed-in session of ``request``; None when there is none, or it was tampered with,
        ended or expired. Reads the store only (once per request), never NetSuite."""
        if _SCOPE_KEY in request.scope:
            return request.scope[_SCOPE_KEY]
        record = await self._record(request)
        session = record.session if record is not None else None
        request.scope[_SCOPE_KEY] = session
        return session

    def tokens_for(self, session: Session) -> SessionTokens:
        return self.tokens.provider(session)

    def client_for(self, session: Session) -> NetSuiteClient:
        return NetSuiteClient(self.account, self.tokens_for(session), lane=self.lane(session))

    def login_url(self, next: str | None = None) -> str:
        """Absolute URL of /auth/login returning to ``next`` (dropped unless a same-origin path)."""
        base = self.settings.public_url.rstrip("/") + "/auth/login"
        try:
            path = safe_next(next, default="")
        except UnsafeRedirect:
            path = ""
        return f"{base}?{urlencode({'next': path})}" if path else base

    def lane(self, session: Session) -> str:
        # The governor's fairness unit and the cache/single-flight partition: account + customer.
        return f"{session.account_id}:{session.customer_id}"

    # -- shared by the views -------------------------------------------------------------------

    def session_id(self, request: HTTPConnection) -> str | None:
        return self.sessions.session_id(request.cookies.get(self.cookies.session_name))

    async def _record(self, request: HTTPConnection) -> SessionRecord | None:
        session_id = self.session_id(request)
        if session_id is None:
            return None
        record = await self.sessions.load(session_id)
        if record is None:
            return None
        session = record.session
        if session.account_id != self.account_id or session.consent_remaining() <= timedelta(0):
            await self.tokens.end(session_id)
            return None
        self.tokens.remember(session_id, record.tokens)
        return record

    async def returning_near_reconsent(self, request: HTTPConnection) -> bool:
        """A browser with a genuine session cookie whose session ended or is about to."""
        session_id = self.session_id(request)
        if session_id is None:
            return False
        record = await self.sessions.load(session_id)
        return record is None or record.session.consent_remaining() <= RECONSENT_WINDOW

    async def revoke_quietly(self, tokens: TokenSet, *, lane: str) -> bool:
        """Revoke at NetSuite, retrying once; a failure is logged (never the token), not raised."""
        if not tokens.refresh_token:
            return True
        for attempt in (1, 2):
            try:
                with lane_scope(lane):
                    await self.oauth.revoke(tokens.refresh_token)
                return True
            except OAuthUnavailable as error:
                log.warning("revocation attempt %d failed: %s", attempt, error)
                if attempt == 1:
                    await asyncio.sleep(0.2)
            except InvalidGrant:
                return True  # the token was already dead: expired, or revoked before
            except (OAuthFailure, NetSuiteError) as error:
                log.warning("NetSuite refused the revocation: %s", error)
                return False
        log.warning("refresh token not revoked; it ends by itself with the consent period")
        return False


__all__ = ["RECONSENT_WINDOW", "AuthService", "CookiePolicy"]
