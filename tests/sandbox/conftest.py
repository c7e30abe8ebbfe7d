"""A seeded sandbox served over real HTTP, with access tokens won through the OAuth dance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from support.oauth import access_token, sandbox_config

from graph.sandbox import create_sandbox, list_users
from graph.sandbox.config import SandboxConfig
from graph.sandbox.state import SandboxState
from graph.serving import serve


@dataclass
class Seeded:
    app: Starlette
    config: SandboxConfig
    http: httpx.AsyncClient
    customer: dict[str, Any]  # a seeded portal user: email, password, customer_id ...
    other: dict[str, Any]  # another customer
    sub_customer_id: int  # a customer whose parent is ``customer``
    tokens: dict[str, str]  # "customer", "other", "admin" -> access token

    @property
    def state(self) -> SandboxState:
        return self.app.state.sandbox

    def auth(self, who: str = "customer", **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **headers}

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.state.db.execute(query, params).fetchall()

    async def suiteql(self, q: str, who: str = "customer", params: list[Any] | None = None, **query: Any):
        body: dict[str, Any] = {"q": q}
        if params is not None:
            body["params"] = params
        return await self.http.post(
            "/services/rest/query/v1/suiteql",
            params=query,
            json=body,
            headers=self.auth(who, Prefer="transient"),
        )


@pytest.fixture
async def seeded():
    config = sandbox_config(customers=12, concurrency=20)
    app = create_sandbox(config)
    users = list_users(config)
    customer, other = users[0], users[1]
    admin = next(user for user in users if user["role"] == "administrator")
    db = app.state.sandbox.db
    # A sub-customer of the first customer, without a sign-in of its own.
    sub = db.execute(
        "SELECT id FROM customer WHERE id NOT IN (SELECT entity_id FROM _portaluser) ORDER BY id"
    ).fetchone()[0]
    db.execute("UPDATE customer SET parent = ? WHERE id = ?", (customer["customer_id"], sub))
    db.commit()
    async with serve(app) as url:
        config.base_url = url
        tokens = {
            "customer": await access_token(url, config, customer),
            "other": await access_token(url, config, other),
            "admin": await access_token(url, config, admin),
        }
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            yield Seeded(app, config, http, customer, other, sub, tokens)
