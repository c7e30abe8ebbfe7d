"""A sign-in in progress: the single-use record behind an OAuth ``state``.

It holds the PKCE verifier and where to return, encrypted in the store for a few minutes, and is
bound to the browser that started it by a random nonce kept in a short-lived cookie: a callback
carrying a state minted for another browser is refused.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field

from graph.auth.crypto import InvalidCiphertext, Signer, TokenCipher
from graph.store import Store

# Long enough to type a password and read a consent page; short enough to limit replay.
PENDING_TTL = 600.0


@dataclass(frozen=True, slots=True)
class PendingLogin:
    code_verifier: str = field(repr=False)
    next_path: str
    binding: str = field(repr=False)  # digest of the browser's nonce
    prompt: str | None = None


class PendingLogins:
    def __init__(self, store: Store, cipher: TokenCipher, signer: Signer) -> None:
        self.store = store
        self.cipher = cipher
        self.signer = signer

    def _key(self, state: str) -> str:
        return "oauth-state:" + self.signer.digest(state)

    def binding_for(self, nonce: str) -> str:
        return self.signer.digest("browser:" + nonce)

    async def put(self, state: str, pending: PendingLogin) -> None:
        payload = {
            "verifier": pending.code_verifier,
            "next": pending.next_path,
            "binding": pending.binding,
            "prompt": pending.prompt,
        }
        await self.store.set(
            self._key(state), self.cipher.encrypt(json.dumps(payload).encode()), ttl=PENDING_TTL
        )

    async def take(self, state: str) -> PendingLogin | None:
        """The pending sign-in for ``state``, removed so that it can be used only once."""
        if not state or len(state) > 1024:
            return None
        raw = await self.store.pop(self._key(state))
        if raw is None:
            return None
        try:
            data = json.loads(self.cipher.decrypt(raw))
            return PendingLogin(
                code_verifier=data["verifier"],
                next_path=data["next"],
                binding=data["binding"],
                prompt=data["prompt"],
            )
        except (InvalidCiphertext, ValueError, KeyError, TypeError):
            return None

    def same_browser(self, pending: PendingLogin, nonce: str | None) -> bool:
        return bool(nonce) and hmac.compare_digest(pending.binding, self.binding_for(nonce or ""))


__all__ = ["PENDING_TTL", "PendingLogin", "PendingLogins"]
