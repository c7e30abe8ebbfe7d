"""Shared pieces of the fault tests: the dashboard query, fault rules, and what a client reads back."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from support.portal import Portal

SUITEQL = "/services/rest/query/v1/suiteql"
RECORDS = "/services/rest/record/v1/"
# Every request reaches NetSuite: a cached answer would hide the fault under test.
NO_CACHE = {"PORTAL_CACHE_TTL": "0"}

DASHBOARD = """
query Dashboard {
  viewer { customer {
    id companyName balance { amount currency }
    invoices(first: 5) { totalCount nodes { id tranId total { amount } lines { quantity } } }
    salesOrders(first: 5) { totalCount nodes { id tranId } }
    supportCases(first: 5) { totalCount nodes { id title } }
  } }
}
"""


async def set_faults(portal: Portal, *rules: Mapping[str, Any]) -> None:
    """Replace the sandbox's fault rules (none: NetSuite behaves again)."""
    async with portal.control() as control:
        answer = await control.put("/__sandbox/faults", json=[dict(rule) for rule in rules])
        assert answer.status_code == 200, answer.text


def error_codes(result: Mapping[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in result.get("errors") or []]


@asynccontextmanager
async def signed_in(portal: Portal, user: Mapping[str, Any] | None = None) -> AsyncIterator[Any]:
    async with portal.browser() as browser:
        await portal.sign_in(browser, user or portal.users[0])
        yield browser


async def timed(portal: Portal, browser: Any, query: str, variables: Any = None) -> tuple[dict, float]:
    """The response and the seconds it took."""
    started = time.monotonic()
    result = await portal.post_graphql(browser, query, variables)
    return result, time.monotonic() - started


__all__ = ["DASHBOARD", "NO_CACHE", "RECORDS", "SUITEQL", "error_codes", "set_faults", "signed_in", "timed"]
