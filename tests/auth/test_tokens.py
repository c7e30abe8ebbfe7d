import asyncio
import base64
import json
import time
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from auth_kit import CLIENT_ID, CLIENT_SECRET, TOKEN_URL, Kit, token_set

from graph.auth import SessionEnded
from graph.netsuite.errors import AuthenticationFailed, UpstreamUnavailable


def slow_token_endpoint(
    gate: asyncio.Event, access: str = "access-new", *, entered: asyncio.Event | None = None, **extra: object
):
    async def respond(request: httpx.Request) -> httpx.Response:
        if entered is not None:
            entered.set()
        await gate.wait()
        return httpx.Response(
            200, json={"access_token": access, "expires_in": 3600, "token_type": "bearer", **extra}
        )

    return respond


@respx.mock
async def test_fifty_concurrent_calls_on_an_expired_token_refresh_once(kit: Kit) -> None:
    gate, entered = asyncio.Event(), asyncio.Event()
    route = respx.post(TOKEN_URL).mock(side_effect=slow_token_endpoint(gate, entered=entered))
    session = await kit.session(token_set(expires_in=-5))
    providers = [kit.manager.provider(session) for _ in range(50)]  # one per GraphQL request
    tasks = [asyncio.create_task(p.access_token()) for p in providers]
    await entered.wait()  # every other caller is already waiting for this one refresh
    gate.set()
    assert set(await asyncio.gather(*tasks)) == {"access-new"}
    assert route.call_count == 1

    request = route.calls.last.request
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    )
    form = parse_qs(request.content.decode())
    assert form == {"grant_type": ["refresh_token"], "refresh_token": ["refresh-1"]}

    # Persisted: a later request (a fresh provider, empty cache) needs no refresh.
    kit.manager.forget(session.id)
    assert await kit.manager.provider(session).access_token() == "access-new"
    record = await kit.sessions.load(session.id)
    assert record is not None
    assert record.tokens.access_token == "access-new"
    assert record.tokens.refresh_token == "refresh-1"  # not rotated: the consent's token is kept
    assert route.call_count == 1


@respx.mock
async def test_fresh_token_needs_no_call(kit: Kit) -> None:
    session = await kit.session(token_set(expires_in=3000))
    assert await kit.manager.provider(session).access_token() == "access-old"


@respx.mock
async def test_token_near_expiry_is_refreshed_proactively(kit: Kit) -> None:
    route = respx.post(TOKEN_URL).respond(json={"access_token": "access-new", "expires_in": "3600"})
    session = await kit.session(token_set(expires_in=30))  # inside the 60 s margin
    assert await kit.manager.provider(session).access_token() == "access-new"
    assert route.call_count == 1
    record = await kit.sessions.load(session.id)
    assert record is not None
    assert record.tokens.expires_at == pytest.approx(time.time() + 3600, abs=5)  # "3600" as a string


@respx.mock
async def test_concurrent_401s_cause_one_refresh(kit: Kit) -> None:
    gate, entered = asyncio.Event(), asyncio.Event()
    route = respx.post(TOKEN_URL).mock(side_effect=slow_token_endpoint(gate, entered=entered))
    session = await kit.session(token_set(expires_in=3000))  # looks valid, but NetSuite said 401
    tasks = [
        asyncio.create_task(kit.manager.provider(session).refreshed_token("access-old")) for _ in range(20)
    ]
    await entered.wait()  # every other caller is already waiting for this one refresh
    gate.set()
    assert set(await asyncio.gather(*tasks)) == {"access-new"}
    assert route.call_count == 1
    # A late 401 for the token already replaced reuses the replacement.
    assert await kit.manager.provider(session).refreshed_token("access-old") == "access-new"
    assert route.call_count == 1


@respx.mock
async def test_rotated_refresh_token_is_stored(kit: Kit) -> None:
    respx.post(TOKEN_URL).respond(
        json={"access_token": "access-new", "refresh_token": "refresh-2", "expires_in": 3600}
    )
    session = await kit.session(token_set(expires_in=-1))
    await kit.manager.provider(session).access_token()
    record = await kit.sessions.load(session.id)
    assert record is not None
    assert record.tokens.refresh_token == "refresh-2"


def unsigned_jwt(**claims: object) -> str:
    def part(data: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


@respx.mock
async def test_a_rotated_refresh_token_moves_the_end_of_the_session(kit: Kit) -> None:
    rotated_end = int(time.time()) + 48 * 3600
    rotated = unsigned_jwt(exp=rotated_end)
    respx.post(TOKEN_URL).respond(
        json={"access_token": "access-new", "refresh_token": rotated, "expires_in": 3600}
    )
    session = await kit.session(token_set(expires_in=-1))
    await kit.manager.provider(session).access_token()
    record = await kit.sessions.load(session.id)
    assert record is not None
    assert record.tokens.refresh_token == rotated
    assert record.session.consent_expires_at.timestamp() == rotated_end
    assert record.session.customer_id == session.customer_id


@respx.mock
async def test_invalid_grant_ends_the_session(kit: Kit) -> None:
    respx.post(TOKEN_URL).respond(400, json={"error": "invalid_grant"})
    session = await kit.session(token_set(expires_in=-1))
    with pytest.raises(SessionEnded) as raised:
        await kit.manager.provider(session).access_token()
    assert isinstance(raised.value, AuthenticationFailed)
    assert "refresh-1" not in str(raised.value)
    assert await kit.sessions.load(session.id) is None
    with pytest.raises(SessionEnded):
        await kit.manager.provider(session).access_token()


@respx.mock
async def test_invalid_client_is_not_blamed_on_the_user(kit: Kit) -> None:
    respx.post(TOKEN_URL).respond(401, json={"error": "invalid_client"})
    session = await kit.session(token_set(expires_in=-1))
    with pytest.raises(AuthenticationFailed) as raised:
        await kit.manager.provider(session).access_token()
    assert not isinstance(raised.value, SessionEnded)
    assert raised.value.code == "invalid_client"
    assert await kit.sessions.load(session.id) is not None


@respx.mock
async def test_unreachable_token_endpoint(kit: Kit) -> None:
    respx.post(TOKEN_URL).mock(side_effect=httpx.ConnectError("refused"))
    still_valid = await kit.session(token_set("still-valid", expires_in=20))
    assert await kit.manager.provider(still_valid).access_token() == "still-valid"
    expired = await kit.session(token_set(expires_in=-1))
    with pytest.raises(UpstreamUnavailable):
        await kit.manager.provider(expired).access_token()
    assert await kit.sessions.load(expired.id) is not None  # a network fault ends no session


@respx.mock
async def test_token_endpoint_5xx_is_unavailable(kit: Kit) -> None:
    respx.post(TOKEN_URL).respond(503, text="maintenance")
    session = await kit.session(token_set(expires_in=-1))
    with pytest.raises(UpstreamUnavailable):
        await kit.manager.provider(session).access_token()


@respx.mock
async def test_session_without_refresh_token_ends(kit: Kit) -> None:
    session = await kit.session(token_set(expires_in=-1, refresh=None))
    with pytest.raises(SessionEnded):
        await kit.manager.provider(session).access_token()


@respx.mock
async def test_two_instances_sharing_the_store_refresh_once(kit: Kit) -> None:
    gate, entered = asyncio.Event(), asyncio.Event()
    route = respx.post(TOKEN_URL).mock(side_effect=slow_token_endpoint(gate, entered=entered))
    session = await kit.session(token_set(expires_in=-1))
    other = kit.another_instance()
    tasks = [asyncio.create_task(m.provider(session).access_token()) for m in (kit.manager, other) * 10]
    await entered.wait()  # every other caller is already waiting for this one refresh
    gate.set()
    assert set(await asyncio.gather(*tasks)) == {"access-new"}
    assert route.call_count == 1
    # The lease is released afterwards.
    assert await kit.store.get("lease:refresh:" + kit.sessions.signer.digest(session.id)) is None
