"""The REST record types the sandbox serves, mapped onto its SuiteQL tables (see db.py).

A record type names its table, its body fields (REST camelCase name -> column and kind), its
sublists, and which fields a write may set. References render as ``{links, id, refName}``,
enumerations as ``{id, refName}``, booleans as JSON booleans, dates as ``YYYY-MM-DD`` and
date-times as ISO-8601 UTC; null fields are omitted, as NetSuite does.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.sandbox.db import BOOL, DATE, DATETIME, INT, NUM, TEXT

REF, ENUM = "ref", "enum"

# Who may set a field: nobody (read-only), every role that may write the record, or administrators.
READ_ONLY, ANYONE, ADMIN = "read-only", "anyone", "admin"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    column: str
    kind: str
    target: str | None = None  # the referenced table, for REF
    write: str = READ_ONLY


@dataclass(frozen=True, slots=True)
class RecordType:
    name: str  # the canonical camelCase type, as in request paths
    table: str
    fields: tuple[Field, ...]
    sublists: tuple[str, ...] = ()
    tran_type: str | None = None  # transaction.type of this record type
    required: tuple[tuple[str, str], ...] = ()  # (field, label) a create must give
    customer_creates: bool = False  # whether the Customer Center role may create it
    customer_updates: bool = False

    @property
    def href_name(self) -> str:
        return self.name.lower()

    def field(self, name: str) -> Field | None:
        """The body field called ``name`` in any case."""
        return _FIELD_INDEX[self.name].get(name.lower())


def _f(name: str, kind: str = TEXT, column: str | None = None, target: str | None = None, write=READ_ONLY):
    return Field(name, column or name.lower(), kind, target, write)


_CUSTOMER = RecordType(
    "customer",
    "customer",
    (
        _f("id", INT),
        _f("entityId", write=ADMIN),
        _f("companyName", write=ANYONE),
        _f("email", write=ANYONE),
        _f("phone", write=ANYONE),
        _f("firstName", write=ANYONE),
        _f("lastName", write=ANYONE),
        _f("isInactive", BOOL, write=ADMIN),
        _f("isPerson", BOOL, write=ADMIN),
        _f("dateCreated", DATETIME),
        _f("lastModifiedDate", DATETIME),
        _f("creditLimit", NUM, write=ADMIN),
        _f("terms", REF, target="term", write=ADMIN),
        _f("parent", REF, target="customer", write=ADMIN),
        _f("subsidiary", REF, target="subsidiary", write=ADMIN),
        _f("currency", REF, target="currency", write=ADMIN),
        _f("balance", NUM, "balancesearch"),
        _f("overdueBalance", NUM, "overduebalancesearch"),
        _f("unbilledOrders", NUM, "unbilledorderssearch"),
        _f("externalId", write=ADMIN),
    ),
    sublists=("addressBook", "contactRoles"),
    customer_updates=True,
)

_TRANSACTION_FIELDS = (
    _f("id", INT),
    _f("tranId"),
    _f("tranDate", DATE),
    _f("entity", REF, target="customer"),
    _f("status", ENUM),
    _f("currency", REF, target="currency"),
    _f("exchangeRate", NUM),
    _f("total", NUM, "foreigntotal"),
    _f("memo", write=ADMIN),
    _f("otherRefNum", write=ADMIN),
    _f("terms", REF, target="term"),
    _f("createdDate", DATETIME),
    _f("lastModifiedDate", DATETIME),
    _f("externalId", write=ADMIN),
)

_INVOICE = RecordType(
    "invoice",
    "transaction",
    (
        *_TRANSACTION_FIELDS,
        _f("dueDate", DATE),
        _f("amountRemaining", NUM, "foreignamountunpaid"),
        _f("amountPaid", NUM, "foreignamountpaid"),
    ),
    sublists=("item",),
    tran_type="CustInvc",
)

_SALES_ORDER = RecordType(
    "salesOrder", "transaction", (*_TRANSACTION_FIELDS, _f("shipDate", DATE)), ("item",), "SalesOrd"
)

_SUPPORT_CASE = RecordType(
    "supportCase",
    "supportcase",
    (
        _f("id", INT),
        _f("caseNumber"),
        _f("title", write=ANYONE),
        _f("status", REF, target="supportcasestatus", write=ADMIN),
        _f("priority", REF, target="supportcasepriority", write=ANYONE),
        _f("company", REF, target="customer", write=ANYONE),
        _f("contact", REF, target="contact", write=ANYONE),
        _f("origin", REF, target="supportcaseorigin", write=ANYONE),
        _f("category", REF, target="supportcasetype", write=ANYONE),
        _f("startDate", DATE),
        _f("createdDate", DATETIME),
        _f("endDate", DATE),
        _f("lastModifiedDate", DATETIME),
        _f("isInactive", BOOL, write=ADMIN),
        _f("incomingMessage", write=ANYONE),
        _f("email", write=ANYONE),
        _f("phone", write=ANYONE),
        _f("externalId", write=ANYONE),
    ),
    required=(("title", "Subject"), ("company", "Company")),
    customer_creates=True,
    customer_updates=True,
)

_CONTACT = RecordType(
    "contact",
    "contact",
    (
        _f("id", INT),
        _f("entityId", write=ANYONE),
        _f("firstName", write=ANYONE),
        _f("lastName", write=ANYONE),
        _f("email", write=ANYONE),
        _f("phone", write=ANYONE),
        _f("company", REF, target="customer", write=ANYONE),
        _f("title", write=ANYONE),
        _f("isInactive", BOOL, write=ANYONE),
        _f("dateCreated", DATETIME),
        _f("lastModifiedDate", DATETIME),
        _f("externalId", write=ANYONE),
    ),
    required=(("firstName", "First Name"), ("company", "Company")),
    customer_creates=True,
    customer_updates=True,
)

RECORD_TYPES: dict[str, RecordType] = {
    rtype.name.lower(): rtype for rtype in (_CUSTOMER, _INVOICE, _SALES_ORDER, _SUPPORT_CASE, _CONTACT)
}
_FIELD_INDEX = {rtype.name: {f.name.lower(): f for f in rtype.fields} for rtype in RECORD_TYPES.values()}

# The REST type a referenced table's records answer under (lowercase, as in NetSuite's hrefs).
REFERENCE_TYPES = {
    "customer": "customer",
    "contact": "contact",
    "currency": "currency",
    "subsidiary": "subsidiary",
    "term": "term",
    "employee": "employee",
    "supportcasestatus": "supportcasestatus",
    "supportcasepriority": "supportcasepriority",
    "supportcaseorigin": "supportcaseorigin",
    "supportcasetype": "supportcasetype",
}
ITEM_TYPES = {
    "InvtPart": "inventoryitem",
    "NonInvtPart": "noninventorysaleitem",
    "Service": "servicesaleitem",
}


def record_type(name: str) -> RecordType | None:
    """The record type a request path names, in any case."""
    return RECORD_TYPES.get(name.lower())


__all__ = [
    "ADMIN",
    "ANYONE",
    "ENUM",
    "ITEM_TYPES",
    "READ_ONLY",
    "RECORD_TYPES",
    "REF",
    "REFERENCE_TYPES",
    "Field",
    "RecordType",
    "record_type",
]
