import httpx
import pytest
import respx

from graph.auth import AuthService
from graph.auth.oauth import TokenSet
from graph.config import Settings
from graph.netsuite import AccountHosts, NetSuiteAccount
from graph.store import MemoryStore

HOSTS = AccountHosts.for_account("1234567")
TOKENS = TokenSet(access_token="access-1", refresh_token="refresh-1", expires_at=0.0, lifetime=3600)


@pytest.fixture
async def service():
    settings = Settings.from_mapping(
        {
            "NETSUITE_ACCOUNT_ID": "1234567",
            "NETSUITE_CLIENT_ID": "client",
            "NETSUITE_CLIENT_SECRET": "secret",
            "PORTAL_SECRET_KEY": "unit-test-portal-secret",
        }
    )
    async with NetSuiteAccount.open(HOSTS, concurrency=1) as account:
        yield AuthService(settings, MemoryStore(), account)


@pytest.mark.parametrize(
    ("answers", "revoked"),
    [
        ([httpx.Response(200)], True),
        # NetSuite refuses a token that is already dead: nothing is left to revoke.
        ([httpx.Response(400, json={"error": "invalid_grant"})], True),
        ([httpx.Response(503), httpx.Response(200)], True),
        ([httpx.Response(503), httpx.Response(503)], False),
        ([httpx.Response(401, json={"error": "invalid_client"})], False),
    ],
)
@respx.mock
async def test_revocation_reports_whether_the_token_is_dead(service, answers, revoked):
    route = respx.post(HOSTS.revoke_url).mock(side_effect=answers)
    assert await service.revoke_quietly(TOKENS, lane="customer:1") is revoked
    assert route.call_count == len(answers)
