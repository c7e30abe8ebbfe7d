"""One NetSuite account: its hosts, its governor and the one shared HTTP client that uses it."""

from __future__ import annotations

from types import TracebackType

import httpx

from graph.netsuite.governor import Gate, Governor, LocalGate, RetryPolicy
from graph.netsuite.hosts import AccountHosts
from graph.netsuite.singleflight import SingleFlight
from graph.netsuite.transport import GovernedTransport

# Reads must finish well inside the 15 minute server limit and a portal user's patience; connect
# fails fast so that a dead host frees its slot quickly.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)


class NetSuiteAccount:
    """Everything shared by all viewers of one account; open once at start-up, close on shutdown.

    Usage::

        async with NetSuiteAccount.open(AccountHosts.from_settings(settings),
                                        concurrency=settings.concurrency) as account:
            client = NetSuiteClient(account, tokens, lane=viewer_id)
    """

    def __init__(
        self, hosts: AccountHosts, governor: Governor, transport: GovernedTransport, http: httpx.AsyncClient
    ):
        self.hosts = hosts
        self.governor = governor
        self.transport = transport
        self.http = http
        # Identical reads in flight, shared by every client handle of this account (keys include the lane).
        self.reads: SingleFlight[httpx.Response] = SingleFlight()

    @classmethod
    def open(
        cls,
        hosts: AccountHosts,
        *,
        concurrency: int,
        gate: Gate | None = None,
        policy: RetryPolicy | None = None,
        inner_transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> NetSuiteAccount:
        governor = Governor(gate or LocalGate(concurrency), policy)
        if inner_transport is None:
            # The gate bounds concurrency; the pool only needs room for it (plus spare keep-alives).
            inner_transport = httpx.AsyncHTTPTransport(
                limits=httpx.Limits(
                    max_connections=concurrency * 2 + 2,
                    max_keepalive_connections=concurrency + 1,
                    keepalive_expiry=30.0,
                )
            )
        transport = GovernedTransport(inner_transport, governor)
        http = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,
        )
        return cls(hosts, governor, transport, http)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> NetSuiteAccount:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


__all__ = ["DEFAULT_TIMEOUT", "NetSuiteAccount"]
