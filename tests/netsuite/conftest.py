from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from graph.netsuite import AccountHosts, AuthenticationFailed, NetSuiteAccount, NetSuiteClient, RetryPolicy

BASE = "https://1234567-sb1.suitetalk.api.netsuite.com"
RESTLETS = "https://1234567-sb1.restlets.api.netsuite.com"
SUITEQL = f"{BASE}/services/rest/query/v1/suiteql"
HOSTS = AccountHosts.for_account("1234567_SB1")
# Tiny delays keep retry tests fast while still exercising the backoff path.
FAST = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.005)


class Tokens:
    """A token provider that records what the client asked of it."""

    def __init__(self, token: str = "token-1", fresh: str | None = "token-2") -> None:
        self.token = token
        self.fresh = fresh
        self.rejected: list[str] = []

    async def access_token(self) -> str:
        return self.token

    async def refreshed_token(self, rejected: str) -> str:
        self.rejected.append(rejected)
        if self.fresh is None:
            raise AuthenticationFailed(status=401, code="invalid_grant")
        self.token = self.fresh
        return self.fresh


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(assert_all_mocked=True, assert_all_called=False)


@pytest.fixture
async def account(router: respx.MockRouter) -> AsyncIterator[NetSuiteAccount]:
    async with NetSuiteAccount.open(
        HOSTS, concurrency=4, policy=FAST, inner_transport=httpx.MockTransport(router.async_handler)
    ) as opened:
        yield opened


@pytest.fixture
def tokens() -> Tokens:
    return Tokens()


@pytest.fixture
def client(account: NetSuiteAccount, tokens: Tokens) -> NetSuiteClient:
    return NetSuiteClient(account, tokens, lane="customer:7")
