"""Per-request, per-viewer dataloaders: every resolver asks one of these, never NetSuite directly.

Loads issued in the same tick are coalesced into one SuiteQL statement per table: all connection
pages of the level (invoices and sales orders alike live in ``transaction``), all lines of every
transaction in the response, related records by id. So the round trips of a GraphQL query follow
its depth, not the number of records or widgets in it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiodataloader import DataLoader

from graph.netsuite import NetSuiteClient
from graph.resolvers import queries
from graph.resolvers.cache import Rows, ViewerCache
from graph.resolvers.queries import PageRequest
from graph.resolvers.records import (
    ContactRecord,
    CustomerRecord,
    LineRecord,
    SupportCaseRecord,
    TransactionRecord,
    lines_from_rows,
)

# NetSuite caps IN lists at 1000 values; bigger batches are split by the query builder.
MAX_BATCH = 1000

RECORD_TYPES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "customer": CustomerRecord.from_row,
    "transaction": TransactionRecord.from_row,
    "supportcase": SupportCaseRecord.from_row,
    "contact": ContactRecord.from_row,
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in customer a request speaks for; ``key`` names its cache partition."""

    account_id: str
    customer_id: int
    key: str


@dataclass(frozen=True, slots=True)
class Page:
    records: list[Any]
    offset: int
    has_next: bool
    total: int | None


class Loaders:
    def __init__(self, client: NetSuiteClient, viewer: Viewer, cache: ViewerCache) -> None:
        self.client = client
        self.viewer = viewer
        self.cache = cache
        self.upstream_queries = 0
        self.pages: DataLoader[PageRequest, Page] = DataLoader(self._load_pages)
        self.records: DataLoader[tuple[str, int], Any] = DataLoader(
            self._load_records, max_batch_size=MAX_BATCH
        )
        self.lines: DataLoader[int, list[LineRecord]] = DataLoader(self._load_lines, max_batch_size=MAX_BATCH)
        self.sales_order_of: DataLoader[int, int | None] = DataLoader(
            self._load_created_from, max_batch_size=MAX_BATCH
        )
        self.invoices_of: DataLoader[int, list[TransactionRecord]] = DataLoader(
            self._load_invoices_of, max_batch_size=MAX_BATCH
        )

    async def run(self, query: str) -> Rows:
        """Rows of ``query``, from this viewer's short-lived cache when it holds them."""
        cached = self.cache.get(self.viewer.key, query)
        if cached is not None:
            return cached
        self.upstream_queries += 1
        rows = await self.client.suiteql(query)
        self.cache.put(self.viewer.key, query, rows)
        return rows

    def forget(self) -> None:
        """Drop what this viewer has cached (after a write)."""
        self.cache.evict(self.viewer.key)
        for loader in (
            self.pages,
            self.records,
            self.lines,
            self.sales_order_of,
            self.invoices_of,
        ):
            loader.clear_all()

    async def _load_pages(self, requests: list[PageRequest]) -> list[Page]:
        by_table: dict[str, list[PageRequest]] = defaultdict(list)
        for request in dict.fromkeys(requests):
            by_table[request.table].append(request)
        results = await asyncio.gather(*(self._load_table_pages(batch) for batch in by_table.values()))
        pages = {request: page for result in results for request, page in result.items()}
        return [pages[request] for request in requests]

    async def _load_table_pages(self, requests: list[PageRequest]) -> dict[PageRequest, Page]:
        rows = await self.run(queries.page_query(self.viewer.customer_id, requests))
        make = RECORD_TYPES[requests[0].table]
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            grouped[int(row["sg_branch"])].append(row)
        pages = {}
        for index, request in enumerate(requests):
            branch = grouped.get(index, [])
            records = [make(row) for row in branch]
            # UNION ALL keeps no order across its branches; each record type knows its own.
            records.sort(
                key=_sort_key(request.table), reverse=request.table in ("transaction", "supportcase")
            )
            total = next((row.get("sg_total") for row in branch if row.get("sg_total") is not None), None)
            for record in records:
                self.records.prime((request.table, record.id), record)
            if total is None and request.with_total:
                # An empty page carries no count row: past the end, count separately.
                total = await self._count(request) if request.offset else 0
            pages[request] = Page(
                records=records[: request.first],
                offset=request.offset,
                has_next=len(records) > request.first,
                total=int(total) if total is not None else None,
            )
        return pages

    async def _count(self, request: PageRequest) -> int:
        rows = await self.run(queries.count_query(self.viewer.customer_id, request))
        return int(rows[0]["total"]) if rows else 0

    async def _load_records(self, keys: list[tuple[str, int]]) -> list[Any]:
        by_table: dict[str, set[int]] = defaultdict(set)
        for table, record_id in keys:
            by_table[table].add(record_id)

        async def fetch(table: str, ids: set[int]) -> dict[tuple[str, int], Any]:
            rows = await self.run(queries.TABLES[table].by_ids(self.viewer.customer_id, sorted(ids)))
            make = RECORD_TYPES[table]
            return {(table, record.id): record for record in map(make, rows)}

        found: dict[tuple[str, int], Any] = {}
        for part in await asyncio.gather(*(fetch(table, ids) for table, ids in by_table.items())):
            found.update(part)
        return [found.get(key) for key in keys]

    async def _load_lines(self, transaction_ids: list[int]) -> list[list[LineRecord]]:
        rows = await self.run(queries.lines_query(self.viewer.customer_id, sorted(set(transaction_ids))))
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            grouped[int(row["transaction"])].append(row)
        return [lines_from_rows(grouped.get(transaction_id, [])) for transaction_id in transaction_ids]

    async def _load_created_from(self, invoice_ids: list[int]) -> list[int | None]:
        rows = await self.run(queries.created_from_query(self.viewer.customer_id, sorted(set(invoice_ids))))
        found = {int(row["sg_source"]): int(row["sg_target"]) for row in rows}
        return [found.get(invoice_id) for invoice_id in invoice_ids]

    async def _load_invoices_of(self, order_ids: list[int]) -> list[list[TransactionRecord]]:
        rows = await self.run(
            queries.invoices_of_orders_query(self.viewer.customer_id, sorted(set(order_ids)))
        )
        grouped: dict[int, list[TransactionRecord]] = defaultdict(list)
        for row in rows:
            record = TransactionRecord.from_row(row)
            self.records.prime(("transaction", record.id), record)
            grouped[int(row["sg_source"])].append(record)
        return [sorted(grouped.get(order_id, []), key=lambda r: r.sort_key) for order_id in order_ids]


def _sort_key(table: str) -> Callable[[Any], Any]:
    if table in ("transaction", "supportcase"):
        return lambda record: record.sort_key
    if table == "customer":
        return lambda record: ((record.company_name or "").lower(), record.id)
    return lambda record: ((record.last_name or "").lower(), (record.first_name or "").lower(), record.id)


__all__ = ["Loaders", "Page", "Viewer"]
