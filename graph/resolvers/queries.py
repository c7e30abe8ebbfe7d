"""The SuiteQL the portal sends, one ``Table`` a NetSuite table.

Every statement carries the viewer's scope (the signed-in customer and its sub-customers) in its
WHERE clause, on top of the role restriction NetSuite applies to the viewer's token, so that a bug
elsewhere can never widen what a query returns. Values reach SuiteQL only through
``graph.netsuite.suiteql.render``/``in_list``, which quote and type them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph.netsuite.suiteql import in_list, render
from graph.resolvers.records import ADDRESS_COLUMNS

# The customers a viewer may see: itself and its direct sub-customers.
VIEWER_CUSTOMERS = "(SELECT sgv.id FROM customer sgv WHERE sgv.id = :viewer OR sgv.parent = :viewer)"


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    source: str  # FROM clause, aliases included
    columns: str
    order: str
    scope: str  # a predicate template with a :viewer placeholder
    id_column: str

    def where(self, viewer: int, *conditions: str) -> str:
        return " AND ".join((render(self.scope, viewer=viewer), *conditions))

    def select(self, viewer: int, *conditions: str) -> str:
        return f"SELECT {self.columns} FROM {self.source} WHERE {self.where(viewer, *conditions)}"

    def by_ids(self, viewer: int, ids: Iterable[int]) -> str:
        return self.select(viewer, in_list(self.id_column, ids))


def _address_columns(alias: str) -> str:
    """The default addresses come with the customer: one round trip for a profile, not two."""
    return ", ".join(f"{alias}.{name} AS {alias}_{name}" for name in ADDRESS_COLUMNS)


CUSTOMERS = Table(
    name="customer",
    source=(
        "customer c LEFT JOIN currency cur ON cur.id = c.currency "
        "LEFT JOIN entityaddress bill ON bill.nkey = c.defaultbillingaddress "
        "LEFT JOIN entityaddress ship ON ship.nkey = c.defaultshippingaddress"
    ),
    columns=(
        "c.id, c.entityid, c.companyname, c.email, c.phone, c.balancesearch, c.overduebalancesearch, "
        "c.parent, c.defaultbillingaddress, c.defaultshippingaddress, cur.symbol AS currencysymbol, "
        f"{_address_columns('bill')}, {_address_columns('ship')}"
    ),
    order="c.companyname ASC, c.id ASC",
    scope=f"c.id IN {VIEWER_CUSTOMERS}",
    id_column="c.id",
)

TRANSACTIONS = Table(
    name="transaction",
    source="transaction t LEFT JOIN currency cur ON cur.id = t.currency",
    columns=(
        "t.id, t.tranid, t.type, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, "
        "TO_CHAR(t.duedate, 'YYYY-MM-DD') AS duedate, TO_CHAR(t.shipdate, 'YYYY-MM-DD') AS shipdate, "
        "t.status, t.foreigntotal, t.foreignamountunpaid, t.memo, t.entity, cur.symbol AS currencysymbol"
    ),
    order="t.trandate DESC, t.id DESC",
    scope=f"t.entity IN {VIEWER_CUSTOMERS}",
    id_column="t.id",
)

SUPPORT_CASES = Table(
    name="supportcase",
    source=(
        "supportcase sc LEFT JOIN supportcasestatus scs ON scs.id = sc.status "
        "LEFT JOIN supportcasepriority scp ON scp.id = sc.priority"
    ),
    columns=(
        "sc.id, sc.casenumber, sc.title, sc.status, scs.name AS statusname, scs.stage AS statusstage, "
        "sc.priority, scp.name AS priorityname, sc.company, "
        "TO_CHAR(sc.createddate, 'YYYY-MM-DD HH24:MI:SS') AS createddate, "
        "TO_CHAR(sc.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate"
    ),
    order="sc.createddate DESC, sc.id DESC",
    scope=f"sc.company IN {VIEWER_CUSTOMERS}",
    id_column="sc.id",
)

CONTACTS = Table(
    name="contact",
    source="contact ct",
    columns="ct.id, ct.entityid, ct.firstname, ct.lastname, ct.email, ct.phone, ct.title, ct.company",
    order="ct.lastname ASC, ct.firstname ASC, ct.id ASC",
    scope=f"ct.company IN {VIEWER_CUSTOMERS}",
    id_column="ct.id",
)

TABLES = {table.name: table for table in (CUSTOMERS, TRANSACTIONS, SUPPORT_CASES, CONTACTS)}


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One connection page: rows of ``table`` matching ``condition``, ``first`` + 1 from ``offset``."""

    table: str
    condition: str  # rendered SuiteQL, built by the filters below
    offset: int
    first: int
    with_total: bool


def page_query(viewer: int, requests: list[PageRequest]) -> str:
    """One statement answering every page request on one table, each tagged by ``sg_branch``.

    The extra row per page tells whether a next page exists; the count subquery runs only when a
    client asked for ``totalCount``.
    """
    want_total = any(request.with_total for request in requests)
    branches = []
    for index, request in enumerate(requests):
        table = TABLES[request.table]
        where = table.where(viewer, request.condition)
        total = f"(SELECT COUNT(*) FROM {table.source} WHERE {where})" if request.with_total else "NULL"
        fetch = f"FETCH FIRST {request.first + 1} ROWS ONLY"
        if request.offset:
            fetch = f"OFFSET {request.offset} ROWS FETCH NEXT {request.first + 1} ROWS ONLY"
        total_column = f", {total} AS sg_total" if want_total else ""
        branches.append(
            f"SELECT * FROM (SELECT {index} AS sg_branch, {table.columns}{total_column} "
            f"FROM {table.source} WHERE {where} ORDER BY {table.order} {fetch})"
        )
    return " UNION ALL ".join(branches)


def count_query(viewer: int, request: PageRequest) -> str:
    table = TABLES[request.table]
    return f"SELECT COUNT(*) AS total FROM {table.source} WHERE {table.where(viewer, request.condition)}"


def lines_query(viewer: int, transaction_ids: Iterable[int]) -> str:
    return (
        "SELECT tl.transaction, tl.id, tl.linesequencenumber, tl.mainline, tl.item, tl.quantity, tl.rate, "
        "tl.foreignamount, tl.memo, i.itemid, i.displayname, cur.symbol AS currencysymbol "
        "FROM transactionline tl JOIN transaction t ON t.id = tl.transaction "
        "LEFT JOIN item i ON i.id = tl.item LEFT JOIN currency cur ON cur.id = t.currency "
        f"WHERE {TRANSACTIONS.where(viewer, in_list('tl.transaction', transaction_ids))} "
        "AND NVL(tl.taxline, 'F') = 'F'"
    )


def created_from_query(viewer: int, invoice_ids: Iterable[int]) -> str:
    """The sales order each invoice was created from (its main line's ``createdfrom``)."""
    return (
        "SELECT DISTINCT tl.transaction AS sg_source, tl.createdfrom AS sg_target "
        "FROM transactionline tl JOIN transaction t ON t.id = tl.transaction "
        f"WHERE {TRANSACTIONS.where(viewer, in_list('tl.transaction', invoice_ids))} "
        "AND tl.mainline = 'T' AND tl.createdfrom IS NOT NULL"
    )


def invoices_of_orders_query(viewer: int, order_ids: Iterable[int]) -> str:
    """Invoices created from the given sales orders, with their fields (one round trip)."""
    return (
        f"SELECT DISTINCT tl.createdfrom AS sg_source, {TRANSACTIONS.columns} "
        f"FROM {TRANSACTIONS.source} JOIN transactionline tl ON tl.transaction = t.id "
        f"WHERE {TRANSACTIONS.where(viewer, in_list('tl.createdfrom', order_ids))} "
        "AND tl.mainline = 'T' AND t.type = 'CustInvc'"
    )


def case_by_external_id(viewer: int, external_id: str) -> str:
    return SUPPORT_CASES.select(viewer, render("sc.externalid = :external_id", external_id=external_id))


__all__ = [
    "CONTACTS",
    "CUSTOMERS",
    "SUPPORT_CASES",
    "TABLES",
    "TRANSACTIONS",
    "PageRequest",
    "Table",
    "case_by_external_id",
    "count_query",
    "created_from_query",
    "invoices_of_orders_query",
    "lines_query",
    "page_query",
]
