"""The sandbox's OAuth 2.0 authorization server (placeholder: tokens are opaque and issued directly)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from graph.sandbox.state import Principal, SandboxState


def issue_access_token(state: SandboxState, principal: Principal) -> dict[str, Any]:
    """Issue a token set for ``principal`` without the browser dance (tests and tools)."""
    token = secrets.token_urlsafe(32)
    tokens = state.oauth.setdefault("access_tokens", {})
    tokens[token] = (principal, time.time() + state.config.access_token_ttl)
    return {"access_token": token, "expires_in": state.config.access_token_ttl, "token_type": "bearer"}


def authenticate(state: SandboxState, authorization: str | None) -> Principal | None:
    """The principal a ``Authorization: Bearer`` header speaks for, or None when it is not valid."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    entry = state.oauth.get("access_tokens", {}).get(authorization[7:].strip())
    if entry is None or entry[1] < time.time():
        return None
    return entry[0]


__all__ = ["authenticate", "issue_access_token"]
