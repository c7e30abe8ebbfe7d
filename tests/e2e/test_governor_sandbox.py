"""The governed async NetSuite client against the sandbox over real HTTP.

Viewers sign in through the sandbox's OAuth dance; their clients share one account whose gate has
as many slots as the sandbox's concurrency limit. The sandbox counts what really arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from support.oauth import access_token, sandbox_config

from graph.netsuite import (
    AccountHosts,
    ConcurrencyLimited,
    FixedToken,
    NetSuiteAccount,
    NetSuiteClient,
    RetryPolicy,
    UpstreamUnavailable,
    render,
)
from graph.sandbox import create_sandbox, list_users
from graph.sandbox.app import PING_SCRIPT
from graph.serving import serve

LIMIT = 3
VIEWERS = 20
CALLS_PER_VIEWER = 10
SUITEQL = "/services/rest/query/v1/suiteql"
# Short backoff keeps the retry tests quick; the attempts are what the tests are about.
POLICY = RetryPolicy(attempts=4, base_delay=0.005, max_delay=0.02)


@dataclass
class Sandbox:
    app: Starlette
    url: str
    control: httpx.AsyncClient
    account: NetSuiteAccount
    viewers: list[tuple[int, FixedToken]]

    def client(self, index: int = 0) -> NetSuiteClient:
        customer_id, tokens = self.viewers[index]
        return NetSuiteClient(self.account, tokens, lane=f"customer:{customer_id}")

    async def stats(self) -> dict[str, Any]:
        response = await self.control.get("/__sandbox/stats")
        response.raise_for_status()
        return response.json()

    async def install_faults(self, *rules: dict[str, Any]) -> None:
        (await self.control.put("/__sandbox/faults", json=list(rules))).raise_for_status()
        (await self.control.post("/__sandbox/stats/reset")).raise_for_status()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    config = sandbox_config(concurrency=LIMIT, latency_ms=20, customers=40)
    app = create_sandbox(config)
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as control:
        config.base_url = url
        users = [user for user in list_users(config) if user["role"] == "customer"][:VIEWERS]
        assert len(users) == VIEWERS
        tokens = await asyncio.gather(*(access_token(url, config, user) for user in users))
        hosts = AccountHosts.for_account(config.account_id, rest_url=url, app_url=url, restlet_url=url)
        async with NetSuiteAccount.open(hosts, concurrency=LIMIT, policy=POLICY) as account:
            pairs = zip(users, tokens, strict=True)
            viewers = [(user["customer_id"], FixedToken(token)) for user, token in pairs]
            yield Sandbox(app, url, control, account, viewers)


def own_transactions(customer_id: int, call: int) -> str:
    # A distinct statement per call, so that no two reads are coalesced into one upstream call.
    return render(
        "SELECT id, entity FROM transaction WHERE entity = :customer AND id > :floor ORDER BY id",
        customer=customer_id,
        floor=-call,
    )


async def test_many_viewers_never_exceed_the_account_limit(sandbox: Sandbox):
    (await sandbox.control.post("/__sandbox/stats/reset")).raise_for_status()

    async def viewer_calls(index: int) -> list[list[dict[str, Any]]]:
        client = sandbox.client(index)
        customer_id = sandbox.viewers[index][0]
        calls = [client.suiteql(own_transactions(customer_id, n)) for n in range(CALLS_PER_VIEWER)]
        return await asyncio.gather(*calls)

    results = await asyncio.gather(*(viewer_calls(index) for index in range(VIEWERS)))

    for index, answers in enumerate(results):
        customer_id = sandbox.viewers[index][0]
        assert len(answers) == CALLS_PER_VIEWER
        assert all(int(row["entity"]) == customer_id for rows in answers for row in rows)
    assert any(rows for answers in results for rows in answers)
    stats = await sandbox.stats()
    assert stats["calls"] == VIEWERS * CALLS_PER_VIEWER
    assert stats["rejected"] == 0  # no 429 was even sent, so none could reach a caller
    assert stats["peak_in_flight"] <= LIMIT
    assert sandbox.account.governor.gate.peak <= LIMIT


async def test_a_sandbox_limit_below_the_gate_is_absorbed_by_retries(sandbox: Sandbox):
    # Another integration holds part of the account's pool: the sandbox admits fewer than the gate.
    (await sandbox.control.patch("/__sandbox/config", json={"concurrency": LIMIT - 1})).raise_for_status()
    await sandbox.install_faults()
    customer_id, tokens = sandbox.viewers[0]
    # Enough backoff for the calls the sandbox admitted to finish, however quick they are.
    patient = RetryPolicy(attempts=8, base_delay=0.02, max_delay=0.5)
    async with NetSuiteAccount.open(sandbox.account.hosts, concurrency=LIMIT, policy=patient) as account:
        client = NetSuiteClient(account, tokens, lane=f"customer:{customer_id}")
        calls = (client.suiteql(own_transactions(customer_id, n)) for n in range(LIMIT))
        answers = await asyncio.gather(*calls)
    assert len(answers) == LIMIT
    stats = await sandbox.stats()
    assert stats["peak_in_flight"] <= LIMIT - 1
    assert stats["calls"] == LIMIT + stats["rejected"]


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 503, "code": "UNEXPECTED_ERROR"},
        {"kind": "throttle"},
        {"kind": "drop"},
    ],
    ids=["500", "503", "429", "dropped-connection"],
)
async def test_a_read_succeeds_through_retries(sandbox: Sandbox, rule: dict[str, Any]):
    failures = POLICY.attempts - 1
    await sandbox.install_faults({"path": SUITEQL, "count": failures, **rule})
    customer_id = sandbox.viewers[0][0]

    rows = await sandbox.client().suiteql(own_transactions(customer_id, 0))

    assert all(int(row["entity"]) == customer_id for row in rows)
    stats = await sandbox.stats()
    assert stats["faults"] == failures
    assert stats["calls"] == failures + 1


async def test_concurrent_reads_succeed_while_faults_keep_coming(sandbox: Sandbox):
    await sandbox.install_faults(
        {"path": SUITEQL, "kind": "status", "status": 503, "every": 7},
        {"path": SUITEQL, "kind": "throttle", "every": 11},
        {"path": SUITEQL, "kind": "drop", "every": 13},
    )

    async def read(index: int) -> list[dict[str, Any]]:
        customer_id = sandbox.viewers[index % VIEWERS][0]
        return await sandbox.client(index % VIEWERS).suiteql(own_transactions(customer_id, index))

    answers = await asyncio.gather(*(read(index) for index in range(60)))

    assert len(answers) == 60
    stats = await sandbox.stats()
    assert stats["faults"] > 0
    assert stats["calls"] == 60 + stats["faults"]
    assert stats["peak_in_flight"] <= LIMIT


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ({"kind": "status", "status": 503}, UpstreamUnavailable),
        ({"kind": "throttle"}, ConcurrencyLimited),
        ({"kind": "drop"}, UpstreamUnavailable),
    ],
    ids=["503", "request-limit", "dropped-connection"],
)
async def test_a_post_without_idempotency_key_is_never_retried(
    sandbox: Sandbox, rule: dict[str, Any], error: type[Exception]
):
    await sandbox.install_faults({"path": "/app/site/hosting/restlet.nl", "method": "POST", **rule})

    with pytest.raises(error) as failure:
        await sandbox.client().restlet(*PING_SCRIPT, method="POST", body={"order": 1})

    assert "Bearer" not in str(failure.value)
    stats = await sandbox.stats()
    assert stats["calls"] == 1
    assert stats["by_route"] == {"POST /app/site/hosting/restlet.nl": 1}


async def test_the_same_post_goes_through_when_nothing_fails(sandbox: Sandbox):
    await sandbox.install_faults()
    answer = await sandbox.client().restlet(*PING_SCRIPT, method="POST", body={"order": 1})
    assert answer["echo"] == {"order": 1}
    assert answer["entity"] == sandbox.viewers[0][0]
    assert (await sandbox.stats())["calls"] == 1
