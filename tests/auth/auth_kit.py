import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from graph.auth.crypto import Signer, TokenCipher
from graph.auth.oauth import NetSuiteOAuth, TokenSet
from graph.auth.sessions import Session, SessionStore
from graph.auth.tokens import TokenManager
from graph.store import MemoryStore

SECRET = "unit-test-portal-secret"
REST = "https://1234567.suitetalk.api.netsuite.com"
TOKEN_URL = f"{REST}/services/rest/auth/oauth2/v1/token"
REVOKE_URL = f"{REST}/services/rest/auth/oauth2/v1/revoke"
AUTHORIZE_URL = "https://1234567.app.netsuite.com/app/login/oauth2/authorize.nl"
CLIENT_ID = "client-id-abc"
CLIENT_SECRET = "client-secret-xyz"
REDIRECT_URI = "https://portal.example.com/auth/callback"


def make_oauth() -> NetSuiteOAuth:
    # A plain transport: respx intercepts it, as it would the account's governed one.
    return NetSuiteOAuth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authorize_url=AUTHORIZE_URL,
        token_url=TOKEN_URL,
        revoke_url=REVOKE_URL,
        redirect_uri=REDIRECT_URI,
        scopes=("rest_webservices",),
        transport=httpx.AsyncHTTPTransport(),
    )


def token_set(
    access: str = "access-old", *, expires_in: float = 3600, refresh: str | None = "refresh-1"
) -> TokenSet:
    return TokenSet(
        access_token=access,
        refresh_token=refresh,
        expires_at=time.time() + expires_in,
        lifetime=3600,
    )


@dataclass
class Kit:
    store: MemoryStore
    sessions: SessionStore
    manager: TokenManager

    async def session(self, tokens: TokenSet) -> Session:
        return await self.sessions.create(
            account_id="1234567", customer_id=42, entity_id=42, role_id=14, tokens=tokens
        )

    def another_instance(self) -> TokenManager:
        """A second service process sharing the store."""
        return TokenManager(
            self.sessions, self.store, make_oauth(), lane_for=lambda s: "lane", poll_interval=0.01
        )


@pytest.fixture
async def kit() -> AsyncIterator[Kit]:
    store = MemoryStore()
    sessions = SessionStore(store, TokenCipher(SECRET), Signer(SECRET))
    manager = TokenManager(sessions, store, make_oauth(), lane_for=lambda s: f"1234567:{s.customer_id}")
    yield Kit(store, sessions, manager)
    await store.aclose()
