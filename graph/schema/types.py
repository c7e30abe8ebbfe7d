"""The portal's object types. Each carries its source record privately and asks loaders for more."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated

import strawberry

from graph.resolvers import filters
from graph.resolvers import records as r
from graph.resolvers.queries import PageRequest
from graph.schema.connections import Connection, connection, page_size, wants_total
from graph.schema.ids import global_id, parse_cursor

# Resolvers read ``info.context``, a ``graph.context.Context``; the alias stays unparameterised
# because strawberry resolves annotations at schema build time, before the context module loads.
Info = strawberry.Info

InvoiceStatus = strawberry.enum(enum.Enum("InvoiceStatus", {v: v for v in filters.INVOICE_STATUSES.values()}))
SalesOrderStatus = strawberry.enum(
    enum.Enum("SalesOrderStatus", {v: v for v in filters.SALES_ORDER_STATUSES.values()})
)
SupportCaseStatus = strawberry.enum(
    enum.Enum("SupportCaseStatus", {k: k for k in filters.SUPPORT_CASE_STATUSES})
)
SupportCasePriority = strawberry.enum(
    enum.Enum("SupportCasePriority", {k: k for k in filters.SUPPORT_CASE_PRIORITIES})
)


@strawberry.interface(description="An object with a global id; `node(id:)` fetches it again.")
class Node:
    id: strawberry.ID


@strawberry.type(description="An amount in a currency, with its ISO 4217 code.")
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | None, currency: str | None) -> Money | None:
        """None when either part is missing: an amount is never shown without its currency."""
        if amount is None or not currency:
            return None
        return cls(amount=amount, currency=currency)


@strawberry.type
class Address:
    addressee: str | None
    addr1: str | None
    addr2: str | None
    city: str | None
    state: str | None
    zip: str | None
    country: str | None
    phone: str | None

    @classmethod
    def of(cls, record: r.AddressRecord | None) -> Address | None:
        if record is None:
            return None
        return cls(
            addressee=record.addressee,
            addr1=record.addr1,
            addr2=record.addr2,
            city=record.city,
            state=record.state,
            zip=record.zip,
            country=record.country,
            phone=record.phone,
        )


@strawberry.type
class Item:
    id: strawberry.ID
    item_id: str | None
    display_name: str | None


@strawberry.type(description="A line of an invoice or sales order, signed as the customer reads it.")
class TransactionLine:
    line: int
    item: Item | None
    description: str | None
    quantity: Decimal | None
    rate: Money | None
    amount: Money | None

    @classmethod
    def from_record(cls, record: r.LineRecord) -> TransactionLine:
        item = None
        if record.item_id is not None:
            item = Item(
                id=strawberry.ID(str(record.item_id)),
                item_id=record.item_name,
                display_name=record.item_display_name,
            )
        return cls(
            line=record.line,
            item=item,
            description=record.description,
            quantity=record.quantity,
            rate=Money.of(record.rate, record.currency),
            amount=Money.of(record.amount, record.currency),
        )


async def _lines(info: Info, transaction_id: int) -> list[TransactionLine]:
    lines = await info.context.loaders.lines.load(transaction_id)
    return [TransactionLine.from_record(line) for line in lines]


@strawberry.type
class Invoice(Node):
    record: strawberry.Private[r.TransactionRecord]
    tran_id: str
    tran_date: dt.date
    due_date: dt.date | None
    status: InvoiceStatus  # type: ignore[valid-type]
    total: Money
    amount_remaining: Money
    memo: str | None

    @classmethod
    def from_record(cls, record: r.TransactionRecord) -> Invoice:
        return cls(
            id=strawberry.ID(global_id("Invoice", record.id)),
            record=record,
            tran_id=record.tran_id,
            tran_date=record.tran_date,
            due_date=record.due_date,
            status=InvoiceStatus[filters.INVOICE_STATUSES.get(record.status, "OPEN")],
            total=Money(amount=record.total, currency=record.currency),
            amount_remaining=Money(amount=record.amount_remaining, currency=record.currency),
            memo=record.memo,
        )

    @strawberry.field(description="Open and past its due date.")
    def is_overdue(self) -> bool:
        due = self.record.due_date
        return self.record.status == "A" and due is not None and due < dt.date.today()

    @strawberry.field
    async def lines(self, info: Info) -> list[TransactionLine]:
        return await _lines(info, self.record.id)

    @strawberry.field(description="The sales order this invoice bills, if any.")
    async def sales_order(self, info: Info) -> SalesOrder | None:
        loaders = info.context.loaders
        order_id = await loaders.sales_order_of.load(self.record.id)
        if order_id is None:
            return None
        record = await loaders.records.load(("transaction", order_id))
        if record is None or record.type != r.SALES_ORDER:
            return None
        return SalesOrder.from_record(record)


@strawberry.type
class SalesOrder(Node):
    record: strawberry.Private[r.TransactionRecord]
    tran_id: str
    tran_date: dt.date
    status: SalesOrderStatus  # type: ignore[valid-type]
    total: Money
    ship_date: dt.date | None
    memo: str | None

    @classmethod
    def from_record(cls, record: r.TransactionRecord) -> SalesOrder:
        return cls(
            id=strawberry.ID(global_id("SalesOrder", record.id)),
            record=record,
            tran_id=record.tran_id,
            tran_date=record.tran_date,
            status=SalesOrderStatus[filters.SALES_ORDER_STATUSES.get(record.status, "PENDING_APPROVAL")],
            total=Money(amount=record.total, currency=record.currency),
            ship_date=record.ship_date,
            memo=record.memo,
        )

    @strawberry.field
    async def lines(self, info: Info) -> list[TransactionLine]:
        return await _lines(info, self.record.id)

    @strawberry.field(description="Invoices billed from this order.")
    async def invoices(self, info: Info) -> list[Invoice]:
        records = await info.context.loaders.invoices_of.load(self.record.id)
        return [Invoice.from_record(record) for record in records]


@strawberry.type
class SupportCase(Node):
    record: strawberry.Private[r.SupportCaseRecord]
    case_number: str
    title: str
    status: SupportCaseStatus  # type: ignore[valid-type]
    priority: SupportCasePriority | None  # type: ignore[valid-type]
    created_date: dt.datetime
    last_modified_date: dt.datetime | None

    @classmethod
    def from_record(cls, record: r.SupportCaseRecord) -> SupportCase:
        priority = filters.case_priority(record.priority_name)
        return cls(
            id=strawberry.ID(global_id("SupportCase", record.id)),
            record=record,
            case_number=record.case_number,
            title=record.title,
            status=SupportCaseStatus[filters.case_status(record.status_name, record.status_stage)],
            priority=SupportCasePriority[priority] if priority else None,
            created_date=_utc(record.created) or dt.datetime.min.replace(tzinfo=dt.UTC),
            last_modified_date=_utc(record.last_modified),
        )


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


@strawberry.type
class Contact(Node):
    entity_id: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    title: str | None

    @classmethod
    def from_record(cls, record: r.ContactRecord) -> Contact:
        return cls(
            id=strawberry.ID(global_id("Contact", record.id)),
            entity_id=record.entity_id,
            first_name=record.first_name,
            last_name=record.last_name,
            email=record.email,
            phone=record.phone,
            title=record.title,
        )


@strawberry.input(description="Invoices to list; all conditions must hold.")
class InvoiceFilter:
    status: list[InvoiceStatus] | None = None  # type: ignore[valid-type]
    open: bool | None = strawberry.field(default=None, description="Only open (true) or only closed (false).")
    overdue: bool | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@strawberry.input
class SalesOrderFilter:
    status: list[SalesOrderStatus] | None = None  # type: ignore[valid-type]
    open: bool | None = strawberry.field(default=None, description="Not yet billed, closed or cancelled.")
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@strawberry.input
class SupportCaseFilter:
    status: list[SupportCaseStatus] | None = None  # type: ignore[valid-type]
    open: bool | None = strawberry.field(default=None, description="Not in a closed stage.")
    created_from: dt.date | None = None
    created_to: dt.date | None = None


def _names(values: list[enum.Enum] | None) -> list[str] | None:
    return [value.name for value in values] if values else None


async def _page(info: Info, table: str, condition: str, first: int | None, after: str | None):
    request = PageRequest(
        table=table,
        condition=condition,
        offset=parse_cursor(after),
        first=page_size(first),
        with_total=wants_total(info),
    )
    return await info.context.loaders.pages.load(request)


First = Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 10).")]
After = Annotated[str | None, strawberry.argument(description="The endCursor of the previous page.")]


@strawberry.type
class Customer(Node):
    record: strawberry.Private[r.CustomerRecord]
    entity_id: str
    company_name: str | None
    email: str | None
    phone: str | None
    balance: Money | None
    overdue_balance: Money | None
    currency: str | None = strawberry.field(description="ISO 4217 code of the customer's currency.")

    @classmethod
    def from_record(cls, record: r.CustomerRecord) -> Customer:
        currency = record.currency or ""
        return cls(
            id=strawberry.ID(global_id("Customer", record.id)),
            record=record,
            entity_id=record.entity_id,
            company_name=record.company_name,
            email=record.email,
            phone=record.phone,
            balance=Money.of(record.balance, currency),
            overdue_balance=Money.of(record.overdue_balance, currency),
            currency=record.currency,
        )

    @strawberry.field
    def default_billing_address(self) -> Address | None:
        return Address.of(self.record.billing_address)

    @strawberry.field
    def default_shipping_address(self) -> Address | None:
        return Address.of(self.record.shipping_address)

    @strawberry.field
    async def contacts(self, info: Info, first: First = None, after: After = None) -> Connection[Contact]:
        page = await _page(info, "contact", filters.contact_condition(self.record.id), first, after)
        return connection(page, Contact.from_record)

    @strawberry.field
    async def sub_customers(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Customer]:
        page = await _page(info, "customer", filters.sub_customer_condition(self.record.id), first, after)
        return connection(page, Customer.from_record)

    @strawberry.field(description="Newest first.")
    async def invoices(
        self, info: Info, first: First = None, after: After = None, filter: InvoiceFilter | None = None
    ) -> Connection[Invoice]:
        f = filter or InvoiceFilter()
        condition = filters.invoice_condition(
            self.record.id,
            statuses=_names(f.status),
            open=f.open,
            overdue=f.overdue,
            dates=filters.DateRange(f.date_from, f.date_to),
            today=dt.date.today(),
        )
        return connection(await _page(info, "transaction", condition, first, after), Invoice.from_record)

    @strawberry.field(description="Newest first.")
    async def sales_orders(
        self, info: Info, first: First = None, after: After = None, filter: SalesOrderFilter | None = None
    ) -> Connection[SalesOrder]:
        f = filter or SalesOrderFilter()
        condition = filters.sales_order_condition(
            self.record.id,
            statuses=_names(f.status),
            open=f.open,
            dates=filters.DateRange(f.date_from, f.date_to),
        )
        return connection(await _page(info, "transaction", condition, first, after), SalesOrder.from_record)

    @strawberry.field(description="Newest first.")
    async def support_cases(
        self, info: Info, first: First = None, after: After = None, filter: SupportCaseFilter | None = None
    ) -> Connection[SupportCase]:
        f = filter or SupportCaseFilter()
        condition = filters.support_case_condition(
            self.record.id,
            status_names=_names(f.status),
            open=f.open,
            dates=filters.DateRange(f.created_from, f.created_to),
        )
        return connection(await _page(info, "supportcase", condition, first, after), SupportCase.from_record)


NODE_WRAPPERS = {
    "Customer": ("customer", Customer.from_record),
    "Invoice": ("transaction", Invoice.from_record),
    "SalesOrder": ("transaction", SalesOrder.from_record),
    "SupportCase": ("supportcase", SupportCase.from_record),
    "Contact": ("contact", Contact.from_record),
}


__all__ = [
    "NODE_WRAPPERS",
    "Address",
    "Contact",
    "Customer",
    "Invoice",
    "InvoiceFilter",
    "InvoiceStatus",
    "Item",
    "Money",
    "Node",
    "SalesOrder",
    "SalesOrderFilter",
    "SalesOrderStatus",
    "SupportCase",
    "SupportCaseFilter",
    "SupportCasePriority",
    "SupportCaseStatus",
    "TransactionLine",
]
