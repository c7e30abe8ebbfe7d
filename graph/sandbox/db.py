"""The sandbox's data store: an in-memory SQLite database laid out like NetSuite's SuiteQL tables.

Table and column names are SuiteQL's (lowercase). Storage conventions, relied on by the SuiteQL
engine and the REST record service:

- dates are ISO text ``YYYY-MM-DD``; datetimes are ISO text ``YYYY-MM-DD HH:MM:SS`` in UTC, so
  text comparison and ordering are chronological;
- booleans are the strings ``'T'``/``'F'``, as SuiteQL shows them;
- money is REAL rounded to cents.

Tables whose names start with an underscore are private to the sandbox (portal sign-ins, async
jobs): SuiteQL cannot see them and no REST record type maps onto them.
"""

from __future__ import annotations

import functools
import hmac
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from graph.sandbox.config import SandboxConfig

# Column kinds: how a value is stored and how it is rendered on the wire.
INT, NUM, TEXT, BOOL, DATE, DATETIME = "int", "num", "text", "bool", "date", "datetime"
_SQL_TYPES = {INT: "INTEGER", NUM: "REAL", TEXT: "TEXT", BOOL: "TEXT", DATE: "TEXT", DATETIME: "TEXT"}


def _columns(spec: str) -> dict[str, str]:
    """``"id:int name"`` -> ``{"id": "int", "name": "text"}`` (text is the default kind)."""
    pairs = (item.split(":") if ":" in item else (item, TEXT) for item in spec.split())
    return {name: kind for name, kind in pairs}


# The SuiteQL-visible schema, in NetSuite's names.
TABLES: dict[str, dict[str, str]] = {
    "currency": _columns("id:int name symbol isbasecurrency:bool exchangerate:num"),
    "subsidiary": _columns("id:int name currency:int country"),
    "term": _columns("id:int name daysuntilnetdue:int"),
    "employee": _columns("id:int entityid firstname lastname email isinactive:bool"),
    "entityaddress": _columns("nkey:int addressee addr1 addr2 city state zip country addrphone"),
    "customer": _columns(
        "id:int entityid companyname email phone isinactive:bool isperson:bool firstname lastname "
        "datecreated:datetime lastmodifieddate:datetime creditlimit:num terms:int parent:int subsidiary:int "
        "currency:int balancesearch:num overduebalancesearch:num unbilledorderssearch:num "
        "defaultbillingaddress:int defaultshippingaddress:int externalid"
    ),
    "contact": _columns(
        "id:int entityid firstname lastname email phone company:int title isinactive:bool "
        "datecreated:datetime lastmodifieddate:datetime externalid"
    ),
    "item": _columns("id:int itemid displayname description itemtype baseprice:num isinactive:bool"),
    "transaction": _columns(
        "id:int tranid type recordtype trandate:date duedate:date shipdate:date entity:int status "
        "currency:int exchangerate:num foreigntotal:num foreignamountunpaid:num foreignamountpaid:num memo "
        "createddate:datetime lastmodifieddate:datetime otherrefnum externalid terms:int"
    ),
    "transactionline": _columns(
        "transaction:int id:int linesequencenumber:int mainline:bool taxline:bool item:int quantity:num "
        "rate:num netamount:num foreignamount:num memo entity:int createdfrom:int"
    ),
    "supportcase": _columns(
        "id:int casenumber title status:int priority:int company:int contact:int startdate:date "
        "createddate:datetime enddate:date lastmodifieddate:datetime isinactive:bool incomingmessage email "
        "phone externalid origin:int category:int"
    ),
    "supportcasestatus": _columns("id:int name stage"),
    "supportcasepriority": _columns("id:int name"),
    "supportcaseorigin": _columns("id:int name"),
    "supportcasetype": _columns("id:int name"),
}

_PRIVATE_DDL = """
CREATE TABLE _portaluser (
    email TEXT PRIMARY KEY COLLATE NOCASE, password TEXT NOT NULL, entity_id INTEGER NOT NULL,
    name TEXT NOT NULL, role TEXT NOT NULL
);
CREATE TABLE _asyncjob (
    id INTEGER PRIMARY KEY, owner TEXT NOT NULL, idempotencykey TEXT, created TEXT NOT NULL,
    status INTEGER NOT NULL, location TEXT, body TEXT, UNIQUE (owner, idempotencykey)
);
CREATE INDEX transaction_entity ON "transaction" (entity, type);
CREATE INDEX transactionline_transaction ON transactionline ("transaction");
CREATE INDEX supportcase_company ON supportcase (company);
CREATE INDEX contact_company ON contact (company);
CREATE INDEX customer_parent ON customer (parent);
"""

# Which table a foreign-key column points at (for BUILTIN.DF and REST references).
REFERENCES: dict[tuple[str, str], str] = {
    ("subsidiary", "currency"): "currency",
    ("customer", "terms"): "term",
    ("customer", "parent"): "customer",
    ("customer", "subsidiary"): "subsidiary",
    ("customer", "currency"): "currency",
    ("customer", "defaultbillingaddress"): "entityaddress",
    ("customer", "defaultshippingaddress"): "entityaddress",
    ("contact", "company"): "customer",
    ("transaction", "entity"): "customer",
    ("transaction", "currency"): "currency",
    ("transaction", "terms"): "term",
    ("transactionline", "transaction"): "transaction",
    ("transactionline", "item"): "item",
    ("transactionline", "entity"): "customer",
    ("transactionline", "createdfrom"): "transaction",
    ("supportcase", "status"): "supportcasestatus",
    ("supportcase", "priority"): "supportcasepriority",
    ("supportcase", "company"): "customer",
    ("supportcase", "contact"): "contact",
    ("supportcase", "origin"): "supportcaseorigin",
    ("supportcase", "category"): "supportcasetype",
}

# The display name of a row of each table, as an SQL expression over the alias ``{a}``.
DISPLAY: dict[str, str] = {
    "currency": "{a}.name",
    "subsidiary": "{a}.name",
    "term": "{a}.name",
    "employee": "{a}.entityid",
    "entityaddress": "{a}.addressee",
    "customer": "{a}.entityid || ' ' || COALESCE({a}.companyname, {a}.firstname || ' ' || {a}.lastname)",
    "contact": "{a}.entityid",
    "item": "{a}.itemid",
    "transaction": "ns_trantype_name({a}.type) || ' #' || {a}.tranid",
    "supportcasestatus": "{a}.name",
    "supportcasepriority": "{a}.name",
    "supportcaseorigin": "{a}.name",
    "supportcasetype": "{a}.name",
}
PRIMARY_KEYS = {"entityaddress": "nkey"}

TRANSACTION_TYPES = {"CustInvc": "Invoice", "SalesOrd": "Sales Order", "CustPymt": "Payment"}
TRANSACTION_STATUSES: dict[str, dict[str, str]] = {
    "CustInvc": {"A": "Open", "B": "Paid In Full", "D": "Pending Approval", "E": "Rejected", "V": "Voided"},
    "SalesOrd": {
        "A": "Pending Approval",
        "B": "Pending Fulfillment",
        "C": "Cancelled",
        "D": "Partially Fulfilled",
        "E": "Pending Billing/Partially Fulfilled",
        "F": "Pending Billing",
        "G": "Billed",
        "H": "Closed",
    },
    "CustPymt": {"A": "Unapproved Payment", "B": "Not Deposited", "C": "Deposited"},
}

# Row visibility of a customer-center principal, per table, as SQL over the real tables. ``main.``
# names the database's own tables so that a query's CTE of the same name can never stand in.
# Only constants and an int are interpolated into these templates.
_OWN_CUSTOMERS = "SELECT id FROM main.customer WHERE id = {cid} OR parent = {cid}"
_OWN_TRANSACTIONS = f'SELECT id FROM main."transaction" WHERE entity IN ({_OWN_CUSTOMERS})'  # noqa: S608
_CUSTOMER_FILTERS: dict[str, str | None] = {
    "customer": "SELECT * FROM main.customer WHERE id = {cid} OR parent = {cid}",
    "transaction": f'SELECT * FROM main."transaction" WHERE entity IN ({_OWN_CUSTOMERS})',  # noqa: S608
    "transactionline": f'SELECT * FROM main.transactionline WHERE "transaction" IN ({_OWN_TRANSACTIONS})',  # noqa: S608
    "supportcase": f"SELECT * FROM main.supportcase WHERE company IN ({_OWN_CUSTOMERS})",  # noqa: S608
    "contact": f"SELECT * FROM main.contact WHERE company IN ({_OWN_CUSTOMERS})",  # noqa: S608
    "entityaddress": (
        "SELECT * FROM main.entityaddress WHERE nkey IN (SELECT defaultbillingaddress FROM main.customer "
        "WHERE id = {cid} OR parent = {cid} UNION SELECT defaultshippingaddress FROM main.customer "
        "WHERE id = {cid} OR parent = {cid})"
    ),
    # Reference data every role may read.
    "currency": None,
    "subsidiary": None,
    "term": None,
    "item": None,
    "supportcasestatus": None,
    "supportcasepriority": None,
    "supportcaseorigin": None,
    "supportcasetype": None,
}


class NotVisible(LookupError):
    """The table exists but the principal's role may not read it."""


def visible_rows(table: str, customer_id: int | None) -> str | None:
    """SQL (a SELECT over ``main.<table>``) of the rows ``customer_id`` may see; None: every row.

    Raises ``NotVisible`` for tables the customer-center role has no permission on.
    """
    if customer_id is None:
        return None
    if table not in _CUSTOMER_FILTERS:
        raise NotVisible(table)
    template = _CUSTOMER_FILTERS[table]
    return None if template is None else template.format(cid=int(customer_id))


class SandboxDatabase(sqlite3.Connection):
    """A connection with a lock: the SuiteQL engine installs per-query hooks (authorizer,
    progress handler) that must not leak into a statement run from another thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()


_FALLBACK_LOCK = threading.RLock()


@contextmanager
def locked(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    with getattr(db, "lock", _FALLBACK_LOCK):
        yield db


def create_schema(db: sqlite3.Connection) -> None:
    statements = []
    for table, columns in TABLES.items():
        pk = PRIMARY_KEYS.get(table, "id")
        cols = ", ".join(
            f'"{name}" {_SQL_TYPES[kind]}'
            + (" PRIMARY KEY" if name == pk and table != "transactionline" else "")
            for name, kind in columns.items()
        )
        if table == "transactionline":
            cols += ', PRIMARY KEY ("transaction", id)'
        statements.append(f'CREATE TABLE "{table}" ({cols});')
    db.executescript("\n".join(statements) + _PRIVATE_DDL)


def build_database(config: SandboxConfig) -> sqlite3.Connection:
    """A fresh in-memory database filled deterministically from ``config.seed`` and its sizes."""
    from graph.sandbox.seed import populate

    db = sqlite3.connect(":memory:", check_same_thread=False, factory=SandboxDatabase)
    create_schema(db)
    populate(db, config)
    db.commit()
    return db


def find_user(db: sqlite3.Connection, email: str, password: str) -> dict[str, Any] | None:
    """The portal login matching ``email`` (case-insensitive) and ``password``, or None.

    Same keys as ``portal_users`` entries."""
    with locked(db):
        row = db.execute(
            "SELECT email, password, entity_id, name, role FROM _portaluser WHERE email = ?", (email.strip(),)
        ).fetchone()
    if row is None or not hmac.compare_digest(str(row[1]).encode(), password.encode()):
        return None
    return _user(tuple(row))


def _user(row: tuple[Any, ...]) -> dict[str, Any]:
    email, password, entity_id, name, role = row
    customer_id = entity_id if role == "customer" else None
    return {
        "email": email,
        "password": password,
        "customer_id": customer_id,
        "entity_id": entity_id,
        "name": name,
        "role": role,
    }


def users_in(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """The portal sign-ins of a live database, customers by id, then the administrator (the keys
    of ``portal_users``)."""
    with locked(db):
        rows = db.execute(
            "SELECT email, password, entity_id, name, role FROM _portaluser "
            "ORDER BY role = 'administrator', entity_id"
        ).fetchall()
    return [_user(tuple(row)) for row in rows]


@functools.lru_cache(maxsize=8)
def _portal_users_cached(key: tuple[Any, ...]) -> tuple[dict[str, Any], ...]:
    seed, customers, invoices, invoice_count, orders, cases = key
    config = SandboxConfig(
        seed=seed,
        customers=customers,
        invoices_per_customer=invoices,
        invoice_count=invoice_count,
        orders_per_customer=orders,
        cases_per_customer=cases,
    )
    db = build_database(config)
    try:
        return tuple(users_in(db))
    finally:
        db.close()


def portal_users(config: SandboxConfig) -> list[dict[str, Any]]:
    """Every sign-in of the sandbox ``config`` describes: customers by id, then the administrator.

    Keys: email, password, customer_id (None for the administrator), entity_id, name and role
    ("customer" or "administrator").
    """
    key = (
        config.seed,
        config.customers,
        config.invoices_per_customer,
        config.invoice_count,
        config.orders_per_customer,
        config.cases_per_customer,
    )
    return [dict(user) for user in _portal_users_cached(key)]


__all__ = [
    "BOOL",
    "DATE",
    "DATETIME",
    "DISPLAY",
    "INT",
    "NUM",
    "REFERENCES",
    "TABLES",
    "TEXT",
    "TRANSACTION_STATUSES",
    "TRANSACTION_TYPES",
    "NotVisible",
    "SandboxDatabase",
    "build_database",
    "create_schema",
    "find_user",
    "locked",
    "portal_users",
    "users_in",
    "visible_rows",
]
