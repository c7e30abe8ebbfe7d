"""Plain records the resolvers hand to the schema, mapped from SuiteQL rows.

SuiteQL answers strings (or, from some servers, numbers), omits NULL columns and writes booleans as
'T'/'F'; the ``as_*`` converters of ``graph.netsuite.suiteql`` absorb those differences, so the
mapping below reads each column once, by its lowercase name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from graph.netsuite.suiteql import as_date, as_datetime, as_decimal, as_int, as_str

Row = Mapping[str, Any]

INVOICE = "CustInvc"
# entityaddress columns, in the order of ``AddressRecord``'s fields (addrphone is its phone).
ADDRESS_COLUMNS = ("addressee", "addr1", "addr2", "city", "state", "zip", "country", "addrphone")
SALES_ORDER = "SalesOrd"


@dataclass(frozen=True, slots=True)
class AddressRecord:
    addressee: str | None
    addr1: str | None
    addr2: str | None
    city: str | None
    state: str | None
    zip: str | None
    country: str | None
    phone: str | None

    @classmethod
    def from_row(cls, row: Row, prefix: str) -> AddressRecord | None:
        """The address joined into ``row`` under ``<prefix>_<column>``; None when it has no field."""
        values = {name: as_str(row.get(f"{prefix}_{name}")) for name in ADDRESS_COLUMNS}
        if not any(values.values()):
            return None
        phone = values.pop("addrphone")
        return cls(**values, phone=phone)


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    id: int
    entity_id: str
    company_name: str | None
    email: str | None
    phone: str | None
    balance: Decimal | None
    overdue_balance: Decimal | None
    currency: str | None
    parent_id: int | None
    billing_address: AddressRecord | None
    shipping_address: AddressRecord | None

    @classmethod
    def from_row(cls, row: Row) -> CustomerRecord:
        return cls(
            id=as_int(row["id"]) or 0,
            entity_id=as_str(row.get("entityid")) or "",
            company_name=as_str(row.get("companyname")),
            email=as_str(row.get("email")),
            phone=as_str(row.get("phone")),
            balance=as_decimal(row.get("balancesearch")),
            overdue_balance=as_decimal(row.get("overduebalancesearch")),
            currency=as_str(row.get("currencysymbol")),
            parent_id=as_int(row.get("parent")),
            billing_address=AddressRecord.from_row(row, "bill"),
            shipping_address=AddressRecord.from_row(row, "ship"),
        )


@dataclass(frozen=True, slots=True)
class TransactionRecord:
    id: int
    type: str
    tran_id: str
    tran_date: dt.date
    due_date: dt.date | None
    ship_date: dt.date | None
    status: str
    total: Decimal
    amount_remaining: Decimal
    currency: str
    memo: str | None
    customer_id: int

    @classmethod
    def from_row(cls, row: Row) -> TransactionRecord:
        status = as_str(row.get("status")) or ""
        total = as_decimal(row.get("foreigntotal")) or Decimal(0)
        return cls(
            id=as_int(row["id"]) or 0,
            type=as_str(row.get("type")) or "",
            tran_id=as_str(row.get("tranid")) or "",
            tran_date=as_date(row.get("trandate")) or dt.date.min,
            due_date=as_date(row.get("duedate")),
            ship_date=as_date(row.get("shipdate")),
            # Some servers answer the composite form ('CustInvc:A'); the letter is what we map.
            status=status.rpartition(":")[2],
            total=total,
            amount_remaining=as_decimal(row.get("foreignamountunpaid")) or Decimal(0),
            currency=as_str(row.get("currencysymbol")) or "",
            memo=as_str(row.get("memo")),
            customer_id=as_int(row.get("entity")) or 0,
        )

    @property
    def sort_key(self) -> tuple[dt.date, int]:
        return (self.tran_date, self.id)


@dataclass(frozen=True, slots=True)
class LineRecord:
    transaction_id: int
    line: int
    item_id: int | None
    item_name: str | None
    item_display_name: str | None
    description: str | None
    quantity: Decimal | None
    rate: Decimal | None
    amount: Decimal | None
    currency: str


def lines_from_rows(rows: list[Row]) -> list[LineRecord]:
    """Lines of one transaction, signed as a customer reads them.

    SuiteQL gives sales item lines the opposite sign of the main line (negative quantity and
    amount); other servers answer them positive. Comparing the item lines' sum with the main line
    tells which convention is in use, so discount lines keep their own sign either way.
    """
    main = next((row for row in rows if as_str(row.get("mainline")) == "T"), None)
    items = [row for row in rows if as_str(row.get("mainline")) != "T"]
    item_sum = sum((as_decimal(row.get("foreignamount")) or Decimal(0) for row in items), Decimal(0))
    header = as_decimal(main.get("foreignamount")) if main is not None else None
    flip = item_sum < 0 if header is None else (item_sum < 0) != (header < 0)
    sign = Decimal(-1) if flip else Decimal(1)

    def signed(value: Any) -> Decimal | None:
        number = as_decimal(value)
        return None if number is None else number * sign

    return [
        LineRecord(
            transaction_id=as_int(row["transaction"]) or 0,
            line=as_int(row.get("linesequencenumber")) or as_int(row.get("id")) or 0,
            item_id=as_int(row.get("item")),
            item_name=as_str(row.get("itemid")),
            item_display_name=as_str(row.get("displayname")),
            description=as_str(row.get("memo")) or as_str(row.get("description")),
            quantity=signed(row.get("quantity")),
            rate=as_decimal(row.get("rate")),
            amount=signed(row.get("foreignamount")),
            currency=as_str(row.get("currencysymbol")) or "",
        )
        for row in sorted(
            items, key=lambda r: as_int(r.get("linesequencenumber")) or as_int(r.get("id")) or 0
        )
    ]


@dataclass(frozen=True, slots=True)
class SupportCaseRecord:
    id: int
    case_number: str
    title: str
    status_id: int | None
    status_name: str | None
    status_stage: str | None
    priority_id: int | None
    priority_name: str | None
    created: dt.datetime | None
    last_modified: dt.datetime | None
    customer_id: int

    @classmethod
    def from_row(cls, row: Row) -> SupportCaseRecord:
        return cls(
            id=as_int(row["id"]) or 0,
            case_number=as_str(row.get("casenumber")) or "",
            title=as_str(row.get("title")) or "",
            status_id=as_int(row.get("status")),
            status_name=as_str(row.get("statusname")),
            status_stage=as_str(row.get("statusstage")),
            priority_id=as_int(row.get("priority")),
            priority_name=as_str(row.get("priorityname")),
            created=as_datetime(row.get("createddate")),
            last_modified=as_datetime(row.get("lastmodifieddate")),
            customer_id=as_int(row.get("company")) or 0,
        )

    @property
    def sort_key(self) -> tuple[dt.datetime, int]:
        return (self.created or dt.datetime.min, self.id)


@dataclass(frozen=True, slots=True)
class ContactRecord:
    id: int
    entity_id: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    title: str | None
    customer_id: int

    @classmethod
    def from_row(cls, row: Row) -> ContactRecord:
        return cls(
            id=as_int(row["id"]) or 0,
            entity_id=as_str(row.get("entityid")),
            first_name=as_str(row.get("firstname")),
            last_name=as_str(row.get("lastname")),
            email=as_str(row.get("email")),
            phone=as_str(row.get("phone")),
            title=as_str(row.get("title")),
            customer_id=as_int(row.get("company")) or 0,
        )


__all__ = [
    "INVOICE",
    "SALES_ORDER",
    "AddressRecord",
    "ContactRecord",
    "CustomerRecord",
    "LineRecord",
    "SupportCaseRecord",
    "TransactionRecord",
    "lines_from_rows",
]
