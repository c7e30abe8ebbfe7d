"""The token lifecycle of a session: proactive refresh, refresh on a 401, single flight.

Within a process, one ``asyncio.Lock`` per session makes every concurrent caller wait for the one
refresh in flight and then read its result. Across processes sharing the store, a short lease
(``Store.add`` with a TTL) keeps two instances from redeeming the same refresh token, which matters
for public clients whose refresh tokens are single-use.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime

from cachetools import TTLCache

from graph.audit import audit, viewer_label
from graph.auth.oauth import InvalidGrant, NetSuiteOAuth, OAuthFailure, OAuthUnavailable, TokenSet
from graph.auth.sessions import Session, SessionRecord, SessionStore
from graph.netsuite.errors import AuthenticationFailed, UpstreamUnavailable
from graph.netsuite.transport import lane_scope
from graph.store import Store

log = logging.getLogger(__name__)


class SessionEnded(AuthenticationFailed):
    """The session can no longer obtain a token (refresh token expired or revoked, or signed out):
    the user must sign in again."""

    message = "The session has ended; sign in again."


class TokenManager:
    """Owns refresh for every session of one account; ``provider(session)`` is the per-request view."""

    def __init__(
        self,
        sessions: SessionStore,
        store: Store,
        oauth: NetSuiteOAuth,
        *,
        lane_for: Callable[[Session], str],
        margin: float = 60.0,
        lease: float = 15.0,
        poll_interval: float = 0.05,
    ) -> None:
        self.sessions = sessions
        self.store = store
        self.oauth = oauth
        self.lane_for = lane_for
        self.margin = margin
        self.lease = lease
        self.poll_interval = poll_interval
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Decrypted token sets of recently seen sessions: spares the store a read per request. Short,
        # so that a sign-out on another instance is honoured quickly.
        self._cache: TTLCache[str, TokenSet] = TTLCache(maxsize=10_000, ttl=5.0)

    def provider(self, session: Session) -> SessionTokens:
        return SessionTokens(self, session)

    def remember(self, session_id: str, tokens: TokenSet) -> None:
        self._cache[session_id] = tokens

    def forget(self, session_id: str) -> None:
        self._cache.pop(session_id, None)

    def stale(self, tokens: TokenSet) -> bool:
        # A short-lived token (as a test sandbox issues) must not count as "near expiry" at birth.
        return tokens.expires_within(min(self.margin, tokens.lifetime / 4))

    async def current(self, session: Session) -> TokenSet:
        tokens = self._cache.get(session.id)
        if tokens is None:
            record = await self.sessions.load(session.id)
            if record is None:
                raise SessionEnded()
            tokens = record.tokens
            self.remember(session.id, tokens)
        return tokens

    async def access_token(self, session: Session) -> str:
        tokens = await self.current(session)
        if not self.stale(tokens):
            return tokens.access_token
        return await self.refresh(session, rejected=tokens.access_token)

    async def refresh(self, session: Session, *, rejected: str) -> str:
        """A fresh access token for ``session``, replacing ``rejected`` unless someone already did."""
        lock = self._locks.get(session.id)
        if lock is None:
            lock = self._locks[session.id] = asyncio.Lock()
        async with lock:
            record = await self._load(session)
            if record.tokens.access_token != rejected and not self.stale(record.tokens):
                return record.tokens.access_token  # refreshed while we waited
            lease_key = "lease:refresh:" + self.sessions.signer.digest(session.id)
            record = await self._acquire(lease_key, session, record, rejected)
            if isinstance(record, str):
                return record
            try:
                return await self._redeem(session, record)
            finally:
                await self.store.delete(lease_key)

    async def _load(self, session: Session) -> SessionRecord:
        record = await self.sessions.load(session.id)
        if record is None:
            self.forget(session.id)
            raise SessionEnded()
        return record

    async def _acquire(
        self, lease_key: str, session: Session, record: SessionRecord, rejected: str
    ) -> SessionRecord | str:
        """Hold the cross-process lease; or, when another instance refreshed meanwhile, its token."""
        deadline = time.monotonic() + self.lease
        while not await self.store.add(lease_key, b"1", ttl=self.lease):
            if time.monotonic() > deadline:
                raise UpstreamUnavailable(detail="token refresh lease not released")
            await asyncio.sleep(self.poll_interval)
            record = await self._load(session)
            if record.tokens.access_token != rejected and not self.stale(record.tokens):
                self.remember(session.id, record.tokens)
                return record.tokens.access_token
        return record

    async def _redeem(self, session: Session, record: SessionRecord) -> str:
        old = record.tokens
        if not old.refresh_token:
            await self.end(session.id)
            raise SessionEnded()
        try:
            with lane_scope(self.lane_for(session)):
                new = await self.oauth.refresh(old.refresh_token)
        except InvalidGrant:
            log.info("refresh token refused (expired or revoked); ending the session")
            _audit_refresh(session, "refused")
            await self.end(session.id)
            raise SessionEnded() from None
        except OAuthUnavailable:
            if not old.expires_within(0):
                log.warning("token endpoint unavailable; using the access token until it expires")
                return old.access_token
            raise UpstreamUnavailable(detail="token endpoint unavailable") from None
        except OAuthFailure as error:
            # invalid_client and the like: a configuration fault, not the user's doing.
            log.error("token refresh refused by NetSuite: %s", error.error)
            raise AuthenticationFailed(code=error.error) from None
        await self.sessions.save(SessionRecord(_follow_rotation(record.session, old, new), new))
        self.remember(session.id, new)
        _audit_refresh(session, "ok")
        return new.access_token

    async def end(self, session_id: str) -> None:
        self.forget(session_id)
        await self.sessions.delete(session_id)


def _follow_rotation(session: Session, old: TokenSet, new: TokenSet) -> Session:
    """A rotated refresh token (public clients) carries its own end: the session ends with it."""
    if new.refresh_token == old.refresh_token or new.refresh_expires_at is None:
        return session
    return dataclasses.replace(
        session, consent_expires_at=datetime.fromtimestamp(new.refresh_expires_at, UTC)
    )


def _audit_refresh(session: Session, outcome: str) -> None:
    audit("token_refresh", account=session.account_id, viewer=viewer_label(session), outcome=outcome)


class SessionTokens:
    """``graph.netsuite.TokenProvider`` for one session."""

    def __init__(self, manager: TokenManager, session: Session) -> None:
        self._manager = manager
        self.session = session

    async def access_token(self) -> str:
        return await self._manager.access_token(self.session)

    async def refreshed_token(self, rejected: str) -> str:
        return await self._manager.refresh(self.session, rejected=rejected)


__all__ = ["SessionEnded", "SessionTokens", "TokenManager"]
