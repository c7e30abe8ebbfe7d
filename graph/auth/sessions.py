"""Server-side sessions: the cookie holds a signed opaque id; everything else is encrypted in the store.

Store layout (keys are keyed digests, so reading the store gives no usable session id)::

    session:<digest(id)>  ->  Fernet({"sid": digest, "session": {...}, "tokens": {...}})

The digest is repeated inside the ciphertext, so a record copied under another key is refused.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.auth.crypto import InvalidCiphertext, Signer, TokenCipher
from graph.auth.oauth import TokenSet
from graph.store import Store

log = logging.getLogger(__name__)

# NetSuite ends a confidential client's refresh token 7 days after consent (no sliding window).
CONSENT_LIFETIME = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in portal user. Carries no tokens; ``consent_expires_at`` is when NetSuite's refresh
    token ends and the user must consent again (the GraphQL layer may warn before it)."""

    id: str = field(repr=False)
    account_id: str
    customer_id: int
    entity_id: int
    role_id: int
    created_at: datetime
    consent_expires_at: datetime

    def consent_remaining(self, now: datetime | None = None) -> timedelta:
        return self.consent_expires_at - (now or datetime.now(UTC))

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "customer_id": self.customer_id,
            "entity_id": self.entity_id,
            "role_id": self.role_id,
            "created_at": self.created_at.timestamp(),
            "consent_expires_at": self.consent_expires_at.timestamp(),
        }

    @classmethod
    def from_json(cls, session_id: str, data: dict[str, Any]) -> Session:
        return cls(
            id=session_id,
            account_id=str(data["account_id"]),
            customer_id=int(data["customer_id"]),
            entity_id=int(data["entity_id"]),
            role_id=int(data["role_id"]),
            created_at=datetime.fromtimestamp(float(data["created_at"]), UTC),
            consent_expires_at=datetime.fromtimestamp(float(data["consent_expires_at"]), UTC),
        )


@dataclass(frozen=True, slots=True)
class SessionRecord:
    session: Session
    tokens: TokenSet


class SessionStore:
    """Creates, reads, updates and deletes encrypted session records."""

    def __init__(self, store: Store, cipher: TokenCipher, signer: Signer) -> None:
        self.store = store
        self.cipher = cipher
        self.signer = signer

    def key(self, session_id: str) -> str:
        return "session:" + self.signer.digest(session_id)

    def cookie_value(self, session_id: str) -> str:
        return self.signer.sign(session_id)

    def session_id(self, cookie: str | None) -> str | None:
        """The session id a cookie names, or None when it is absent or its signature is wrong."""
        if not cookie or len(cookie) > 256:
            return None
        return self.signer.unsign(cookie)

    async def create(
        self,
        *,
        account_id: str,
        customer_id: int,
        entity_id: int,
        role_id: int,
        tokens: TokenSet,
        consent_expires_at: datetime | None = None,
    ) -> Session:
        now = datetime.now(UTC)
        if consent_expires_at is None:
            consent_expires_at = (
                datetime.fromtimestamp(tokens.refresh_expires_at, UTC)
                if tokens.refresh_expires_at
                else now + CONSENT_LIFETIME
            )
        session = Session(
            id=secrets.token_urlsafe(32),
            account_id=account_id,
            customer_id=customer_id,
            entity_id=entity_id,
            role_id=role_id,
            created_at=now,
            consent_expires_at=consent_expires_at,
        )
        await self.save(SessionRecord(session, tokens))
        return session

    async def save(self, record: SessionRecord) -> None:
        """Write the whole record in one store operation, so a rotated refresh token lands atomically."""
        session = record.session
        ttl = session.consent_expires_at.timestamp() - time.time()
        if ttl <= 0:
            await self.delete(session.id)
            return
        key = self.key(session.id)
        payload = {"sid": key, "session": session.to_json(), "tokens": record.tokens.to_json()}
        await self.store.set(key, self.cipher.encrypt(json.dumps(payload).encode()), ttl=ttl)

    async def load(self, session_id: str) -> SessionRecord | None:
        key = self.key(session_id)
        raw = await self.store.get(key)
        if raw is None:
            return None
        try:
            payload = json.loads(self.cipher.decrypt(raw))
            if payload.get("sid") != key:
                raise InvalidCiphertext("record stored under another key")
            return SessionRecord(
                Session.from_json(session_id, payload["session"]), TokenSet.from_json(payload["tokens"])
            )
        except (InvalidCiphertext, ValueError, KeyError, TypeError):
            # Written under another PORTAL_SECRET_KEY, or tampered with: unusable, so drop it.
            log.warning("discarded an undecryptable session record")
            await self.store.delete(key)
            return None

    async def delete(self, session_id: str) -> None:
        await self.store.delete(self.key(session_id))


__all__ = ["CONSENT_LIFETIME", "Session", "SessionRecord", "SessionStore"]
