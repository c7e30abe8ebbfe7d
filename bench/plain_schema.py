"""The dashboard as a GraphQL schema with plain resolvers and no dataloaders: every record and every
list asks NetSuite on its own, through the same governed client SuiteGraph uses."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from strawberry.types import Info

from graph.netsuite import NetSuiteClient, render

OPEN_ORDER = ("A", "B", "D", "E", "F")
CLOSED_CASE = (5, 7)

PLAIN_DASHBOARD = """
query Dashboard {
  viewer {
    companyName balance
    invoices(first: 5) { tranId dueDate status amountRemaining lines { itemId quantity amount } }
    salesOrders(first: 5) { tranId status total }
    supportCases(first: 5) { caseNumber title status priority }
  }
}
"""


async def one(info: Info, query: str) -> dict[str, Any]:
    rows = await info.context["client"].suiteql(query)
    return rows[0] if rows else {}


async def many(info: Info, query: str) -> list[dict[str, Any]]:
    return await info.context["client"].suiteql(query)


class Record:
    """A record known by id; its row is read (once) when a field first asks for it."""

    id: int
    query = ""  # the record's row by ``:id``

    async def field(self, info: Info, name: str) -> str | None:
        row: asyncio.Future[dict[str, Any]] | None = getattr(self, "_row", None)
        if row is None:
            row = self._row = asyncio.ensure_future(one(info, render(self.query, id=self.id)))
        return (await row).get(name)


@strawberry.type
class Line:
    item_id: str | None
    quantity: str | None
    amount: str | None


@strawberry.type
class Invoice(Record):
    id: strawberry.Private[int]
    query = "SELECT tranid, duedate, status, foreignamountunpaid FROM transaction WHERE id = :id"

    @strawberry.field
    async def tran_id(self, info: Info) -> str | None:
        return await self.field(info, "tranid")

    @strawberry.field
    async def due_date(self, info: Info) -> str | None:
        return await self.field(info, "duedate")

    @strawberry.field
    async def status(self, info: Info) -> str | None:
        return await self.field(info, "status")

    @strawberry.field
    async def amount_remaining(self, info: Info) -> str | None:
        return await self.field(info, "foreignamountunpaid")

    @strawberry.field
    async def lines(self, info: Info) -> list[Line]:
        rows = await many(
            info,
            render(
                "SELECT i.itemid, tl.quantity, tl.foreignamount FROM transactionline tl "
                "LEFT JOIN item i ON i.id = tl.item WHERE tl.transaction = :id AND tl.mainline = 'F'",
                id=self.id,
            ),
        )
        return [
            Line(item_id=r.get("itemid"), quantity=r.get("quantity"), amount=r.get("foreignamount"))
            for r in rows
        ]


@strawberry.type
class SalesOrder(Record):
    id: strawberry.Private[int]
    query = "SELECT tranid, status, foreigntotal FROM transaction WHERE id = :id"

    @strawberry.field
    async def tran_id(self, info: Info) -> str | None:
        return await self.field(info, "tranid")

    @strawberry.field
    async def status(self, info: Info) -> str | None:
        return await self.field(info, "status")

    @strawberry.field
    async def total(self, info: Info) -> str | None:
        return await self.field(info, "foreigntotal")


@strawberry.type
class SupportCase(Record):
    id: strawberry.Private[int]
    query = "SELECT casenumber, title, status, priority FROM supportcase WHERE id = :id"

    @strawberry.field
    async def case_number(self, info: Info) -> str | None:
        return await self.field(info, "casenumber")

    @strawberry.field
    async def title(self, info: Info) -> str | None:
        return await self.field(info, "title")

    @strawberry.field
    async def status(self, info: Info) -> str | None:
        return await self.field(info, "status")

    @strawberry.field
    async def priority(self, info: Info) -> str | None:
        return await self.field(info, "priority")


async def ids(info: Info, query: str) -> list[int]:
    return [int(row["id"]) for row in await many(info, query)]


@strawberry.type
class Viewer:
    id: int

    @strawberry.field
    async def company_name(self, info: Info) -> str | None:
        return (await one(info, render("SELECT companyname FROM customer WHERE id = :id", id=self.id))).get(
            "companyname"
        )

    @strawberry.field
    async def balance(self, info: Info) -> str | None:
        return (await one(info, render("SELECT balancesearch FROM customer WHERE id = :id", id=self.id))).get(
            "balancesearch"
        )

    @strawberry.field
    async def invoices(self, info: Info, first: int) -> list[Invoice]:
        query = render(
            "SELECT id FROM transaction WHERE entity = :c AND type = 'CustInvc' "
            "ORDER BY trandate DESC, id DESC FETCH FIRST :n ROWS ONLY",
            c=self.id,
            n=first,
        )
        return [Invoice(id=record_id) for record_id in await ids(info, query)]

    @strawberry.field
    async def sales_orders(self, info: Info, first: int) -> list[SalesOrder]:
        query = render(
            "SELECT id FROM transaction WHERE entity = :c AND type = 'SalesOrd' AND status IN :open "
            "ORDER BY trandate DESC, id DESC FETCH FIRST :n ROWS ONLY",
            c=self.id,
            open=OPEN_ORDER,
            n=first,
        )
        return [SalesOrder(id=record_id) for record_id in await ids(info, query)]

    @strawberry.field
    async def support_cases(self, info: Info, first: int) -> list[SupportCase]:
        query = render(
            "SELECT id FROM supportcase WHERE company = :c AND status NOT IN :closed "
            "ORDER BY createddate DESC, id DESC FETCH FIRST :n ROWS ONLY",
            c=self.id,
            closed=CLOSED_CASE,
            n=first,
        )
        return [SupportCase(id=record_id) for record_id in await ids(info, query)]


@strawberry.type
class Query:
    @strawberry.field
    def viewer(self, info: Info) -> Viewer:
        return Viewer(id=info.context["customer_id"])


schema = strawberry.Schema(query=Query)


def context(client: NetSuiteClient, customer_id: int) -> dict[str, Any]:
    return {"client": client, "customer_id": customer_id}


__all__ = ["PLAIN_DASHBOARD", "context", "schema"]
