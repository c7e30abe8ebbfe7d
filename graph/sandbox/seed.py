"""A deterministic generator of a realistic NetSuite company for the sandbox.

Everything derives from ``random.Random(config.seed)`` and the fixed anchor date ``ANCHOR``
(2026-11-30, the sandbox's "today" for generated data): the same seed and sizes give the same
database on every machine and every day. Balances use the anchor too: ``overduebalancesearch`` is
the unpaid amount of open invoices whose due date is before ``ANCHOR``.

Invariants (tested):
- ``customer.balancesearch`` = sum of ``foreignamountunpaid`` over the customer's invoices; only
  open invoices (status A) have a non-zero unpaid amount;
- an invoice's ``foreigntotal`` = the main line's amount = minus the sum of its item lines'
  ``foreignamount`` (item lines carry negative quantities and amounts, positive rates);
- every customer transacts in one currency; invoices billed from a sales order carry
  ``createdfrom`` = that order on all their lines.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from graph.sandbox.config import SandboxConfig
from graph.sandbox.db import TABLES

ANCHOR = date(2026, 11, 30)

CURRENCIES = [
    # id, name (NetSuite's record name, not the ISO code), symbol (ISO), base, rate to base, weight
    (1, "USA", "USD", "T", 1.0, 70),
    (2, "Canadian Dollar", "CAD", "F", 0.74, 12),
    (3, "Euro", "EUR", "F", 1.08, 10),
    (4, "British pound", "GBP", "F", 1.27, 8),
]
SUBSIDIARIES = [
    (1, "Parent Company", 1, "US"),
    (2, "Canada", 2, "CA"),
    (3, "Europe", 3, "DE"),
    (4, "UK", 4, "GB"),
]
TERMS = [(1, "Net 15", 15), (2, "Net 30", 30), (3, "Net 60", 60), (4, "Due on receipt", 0)]
CASE_STATUSES = [
    (1, "Not Started", "OPEN"),
    (2, "In Progress", "OPEN"),
    (3, "Escalated", "ESCALATED"),
    (4, "Re-Opened", "OPEN"),
    (5, "Closed", "CLOSED"),
    (6, "On Hold", "OPEN"),
    (7, "Solved", "CLOSED"),
]
CASE_PRIORITIES = [(1, "High"), (2, "Medium"), (3, "Low")]
CASE_ORIGINS = [(1, "Web"), (2, "E-mail"), (3, "Phone")]
CASE_TYPES = [(1, "Billing"), (2, "Product"), (3, "Shipping"), (4, "Account")]
EMPLOYEES = [
    (1, "Ava Admin", "Ava", "Admin", "admin@sandbox.suitegraph.test", "F"),
    (2, "Sam Support", "Sam", "Support", "support@sandbox.suitegraph.test", "F"),
    (3, "Riley Sales", "Riley", "Sales", "sales@sandbox.suitegraph.test", "F"),
]
ADMIN_ENTITY_ID = 1

_FIRST = [
    "Alan",
    "Barbara",
    "Chen",
    "Dana",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Keiko",
    "Liam",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zoe",
]
_LAST = [
    "Rath",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Novak",
    "Silva",
    "Haddad",
    "Kowalski",
    "Brennan",
    "Ortiz",
    "Fischer",
    "Patel",
    "Larsen",
    "Dubois",
    "Ivanova",
    "Mensah",
    "Costa",
    "Nakamura",
    "Weber",
]
_WORDS_A = [
    "Glenrock",
    "Northwind",
    "Bluefin",
    "Cedar",
    "Summit",
    "Harbor",
    "Ironwood",
    "Lakeside",
    "Maple",
    "Pioneer",
    "Redstone",
    "Silverline",
    "Tidewater",
    "Granite",
    "Evergreen",
    "Falcon",
    "Oakridge",
    "Westbrook",
    "Sterling",
    "Aurora",
]
_WORDS_B = [
    "General Hospital",
    "Logistics",
    "Manufacturing",
    "Foods",
    "Dental Group",
    "Engineering",
    "Outfitters",
    "Robotics",
    "Labs",
    "Hardware",
    "Analytics",
    "Builders",
    "Pharmacy",
    "Textiles",
    "Energy",
    "Media",
    "Motors",
    "Supply Co.",
]
_REGIONS = ("West", "East", "North", "South", "Central", "Pacific")
_CITIES = [
    ("San Mateo", "CA", "US"),
    ("Austin", "TX", "US"),
    ("Denver", "CO", "US"),
    ("Boston", "MA", "US"),
    ("Toronto", "ON", "CA"),
    ("Vancouver", "BC", "CA"),
    ("Berlin", None, "DE"),
    ("Lyon", None, "FR"),
    ("London", None, "GB"),
    ("Leeds", None, "GB"),
]
_ITEM_KINDS = [
    ("InvtPart", ["Widget", "Bracket", "Sensor", "Valve", "Cable Kit", "Pump", "Filter", "Gasket"]),
    ("NonInvtPart", ["Gift Card", "Shipping Box", "Manual"]),
    ("Service", ["Installation", "Consulting Hour", "Support Plan", "Training Session"]),
]
_CASE_TITLES = [
    "Invoice amount looks wrong",
    "Missing items in shipment",
    "Cannot sign in to the portal",
    "Request for a credit note",
    "Product arrived damaged",
    "Change billing address",
    "Question about payment terms",
    "Delivery is late",
    "Need a copy of an invoice",
    "Warranty claim",
]
_MEMOS = ["", "", "", "Rush order", "Quarterly restock", "Per contract", "Thank you for your business"]
_JOB_TITLES = ["Accounts Payable", "Purchasing Manager", "CFO", "Office Manager", "Controller", None]


@dataclass
class _Ids:
    """Per-table id sequences (NetSuite ids are per record type)."""

    next: dict[str, int] = field(
        default_factory=lambda: {
            "customer": 100,
            "contact": 50_000,
            "entityaddress": 70_000,
            "transaction": 1000,
            "supportcase": 90_000,
        }
    )

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _iso(d: date) -> str:
    return d.isoformat()


def _iso_dt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _at(rng: random.Random, day: date) -> datetime:
    """A business-hours moment on ``day``."""
    return datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59)))


def _count(rng: random.Random, mean: int) -> int:
    """A per-customer count varying around ``mean``."""
    return 0 if mean <= 0 else rng.randint(max(1, mean // 2), mean + mean // 2)


def _money(value: float) -> float:
    return round(value + 0.0, 2)


class _Writer:
    """Buffers rows per table and writes them with one executemany each."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
        self.private: list[tuple[Any, ...]] = []

    def add(self, table: str, **values: Any) -> dict[str, Any]:
        self.rows[table].append(values)
        return values

    def flush(self, db: sqlite3.Connection) -> None:
        for table, rows in self.rows.items():
            if not rows:
                continue
            columns = list(TABLES[table])
            sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(  # noqa: S608 (schema names only)
                table, ", ".join(f'"{c}"' for c in columns), ", ".join("?" for _ in columns)
            )
            db.executemany(sql, [tuple(row.get(c) for c in columns) for row in rows])
        db.executemany("INSERT INTO _portaluser VALUES (?, ?, ?, ?, ?)", self.private)


def _reference_data(w: _Writer, rng: random.Random) -> list[dict[str, Any]]:
    for cid, name, symbol, base, rate, _weight in CURRENCIES:
        w.add("currency", id=cid, name=name, symbol=symbol, isbasecurrency=base, exchangerate=rate)
    for sid, name, currency, country in SUBSIDIARIES:
        w.add("subsidiary", id=sid, name=name, currency=currency, country=country)
    for tid, name, days in TERMS:
        w.add("term", id=tid, name=name, daysuntilnetdue=days)
    for eid, entityid, first, last, email, inactive in EMPLOYEES:
        w.add(
            "employee",
            id=eid,
            entityid=entityid,
            firstname=first,
            lastname=last,
            email=email,
            isinactive=inactive,
        )
    for table, rows in (
        ("supportcasepriority", CASE_PRIORITIES),
        ("supportcaseorigin", CASE_ORIGINS),
        ("supportcasetype", CASE_TYPES),
    ):
        for rid, name in rows:
            w.add(table, id=rid, name=name)
    for rid, name, stage in CASE_STATUSES:
        w.add("supportcasestatus", id=rid, name=name, stage=stage)
    items = []
    item_id = 10
    for itemtype, names in _ITEM_KINDS:
        for name in names:
            for variant in ("Standard", "Pro"):
                price = _money(rng.uniform(15, 400) * (2.2 if variant == "Pro" else 1.0))
                code = f"{name.upper().replace(' ', '-')}-{'01' if variant == 'Standard' else '02'}"
                items.append(
                    w.add(
                        "item",
                        id=item_id,
                        itemid=code,
                        displayname=f"{name} {variant}",
                        description=f"{variant} {name.lower()}",
                        itemtype=itemtype,
                        baseprice=price,
                        isinactive="F",
                    )
                )
                item_id += 1
    return items


def _company_name(rng: random.Random) -> str:
    return f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}"


def _address(w: _Writer, rng: random.Random, ids: _Ids, addressee: str, country_hint: str) -> int:
    cities = [c for c in _CITIES if c[2] == country_hint] or _CITIES
    city, state, country = rng.choice(cities)
    nkey = ids.take("entityaddress")
    w.add(
        "entityaddress",
        nkey=nkey,
        addressee=addressee,
        addr1=f"{rng.randint(1, 9999)} {rng.choice(_WORDS_A)} {rng.choice(['St', 'Ave', 'Blvd', 'Road'])}",
        addr2=rng.choice([None, None, f"Suite {rng.randint(100, 999)}"]),
        city=city,
        state=state,
        zip=f"{rng.randint(10000, 99999)}",
        country=country,
        addrphone=f"555-01{rng.randint(10, 99)}",
    )
    return nkey


def _customers(w: _Writer, rng: random.Random, ids: _Ids, count: int) -> list[dict[str, Any]]:
    customers: list[dict[str, Any]] = []
    currency_ids = [c[0] for c in CURRENCIES]
    weights = [c[5] for c in CURRENCIES]
    for n in range(count):
        cid = ids.take("customer")
        tops = [c for c in customers if c["parent"] is None]
        parent = rng.choice(tops) if tops and n >= 3 and rng.random() < 0.15 else None
        is_person = parent is None and rng.random() < 0.1
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        if parent is not None:
            currency = parent["currency"]
            company = f"{parent['companyname'] or parent['lastname']} - {rng.choice(_REGIONS)}"
        else:
            currency = rng.choices(currency_ids, weights)[0]
            company = None if is_person else _company_name(rng)
        slug = (company or f"{first} {last}").lower().replace(" ", "").replace(".", "").replace("-", "")
        created = _at(rng, date(2019, 1, 1) + timedelta(days=rng.randint(0, 2000)))
        modified = created + timedelta(days=rng.randint(0, (datetime.combine(ANCHOR, time()) - created).days))
        country = SUBSIDIARIES[currency - 1][3]
        name = company or f"{first} {last}"
        billing = _address(w, rng, ids, name, country)
        shipping = billing if rng.random() < 0.6 else _address(w, rng, ids, name, country)
        customers.append(
            w.add(
                "customer",
                id=cid,
                entityid=f"CUST{cid:05d}",
                companyname=company,
                email=f"{first.lower()}.{last.lower()}@{slug}{cid}.example.com",
                phone=f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                isinactive="T" if rng.random() < 0.03 else "F",
                isperson="T" if is_person else "F",
                firstname=first if is_person else None,
                lastname=last if is_person else None,
                datecreated=_iso_dt(created),
                lastmodifieddate=_iso_dt(modified),
                creditlimit=None if rng.random() < 0.3 else float(rng.choice([5, 10, 25, 50, 100]) * 1000),
                terms=rng.choice(TERMS)[0],
                parent=parent["id"] if parent else None,
                subsidiary=currency,
                currency=currency,
                balancesearch=0.0,
                overduebalancesearch=0.0,
                unbilledorderssearch=0.0,
                defaultbillingaddress=billing,
                defaultshippingaddress=shipping,
                externalid=f"CRM-{cid}" if rng.random() < 0.5 else None,
                _first=first,
                _last=last,
            )
        )
    return customers


def _contacts(w: _Writer, rng: random.Random, ids: _Ids, customer: dict[str, Any]) -> list[dict[str, Any]]:
    if customer["parent"] is None:
        count = 0 if rng.random() < 0.08 else rng.randint(1, 3)
    else:
        count = rng.randint(0, 1)
    contacts = []
    for n in range(count):
        first, last = (
            (customer["_first"], customer["_last"]) if n == 0 else (rng.choice(_FIRST), rng.choice(_LAST))
        )
        contact_id = ids.take("contact")
        email = customer["email"] if n == 0 else f"{first.lower()}.{last.lower()}.{contact_id}@example.com"
        contacts.append(
            w.add(
                "contact",
                id=contact_id,
                entityid=f"{first} {last}",
                firstname=first,
                lastname=last,
                email=email,
                phone=f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                company=customer["id"],
                title=rng.choice(_JOB_TITLES),
                isinactive="F",
                datecreated=customer["datecreated"],
                lastmodifieddate=customer["lastmodifieddate"],
                externalid=None,
            )
        )
    return contacts


@dataclass
class _Transactions:
    w: _Writer
    rng: random.Random
    ids: _Ids
    items: list[dict[str, Any]]

    def header(self, customer: dict[str, Any], kind: str, day: date, **values: Any) -> dict[str, Any]:
        tid = self.ids.take("transaction")
        prefix = {"CustInvc": "INV", "SalesOrd": "SO", "CustPymt": "PYMT"}[kind]
        created = _at(self.rng, day)
        modified = created + timedelta(days=self.rng.randint(0, 20), minutes=self.rng.randint(0, 600))
        rate = CURRENCIES[customer["currency"] - 1][4]
        row = {
            "id": tid,
            "tranid": f"{prefix}{tid + 9000}",
            "type": kind,
            "recordtype": {"CustInvc": "invoice", "SalesOrd": "salesorder", "CustPymt": "customerpayment"}[
                kind
            ],
            "trandate": _iso(day),
            "entity": customer["id"],
            "currency": customer["currency"],
            "exchangerate": rate,
            "createddate": _iso_dt(created),
            "lastmodifieddate": _iso_dt(modified),
            "terms": customer["terms"],
            "memo": self.rng.choice(_MEMOS) or None,
            "otherrefnum": f"PO-{self.rng.randint(10000, 99999)}" if self.rng.random() < 0.4 else None,
        }
        row.update(values)
        return self.w.add("transaction", **row)

    def lines(
        self, header: dict[str, Any], lines: list[tuple[dict[str, Any], int]], created_from: int | None
    ) -> None:
        rate = header["exchangerate"]
        total = 0.0
        for seq, (item, qty) in enumerate(lines, start=1):
            amount = _money(item["baseprice"] * qty)
            total += amount
            self.w.add(
                "transactionline",
                transaction=header["id"],
                id=seq,
                linesequencenumber=seq,
                mainline="F",
                taxline="F",
                item=item["id"],
                quantity=float(-qty),
                rate=item["baseprice"],
                netamount=_money(-amount * rate),
                foreignamount=-amount,
                memo=item["description"],
                entity=header["entity"],
                createdfrom=created_from,
            )
        total = _money(total)
        self.main_line(header, total, created_from)

    def main_line(self, header: dict[str, Any], total: float, created_from: int | None) -> None:
        header["foreigntotal"] = total
        self.w.add(
            "transactionline",
            transaction=header["id"],
            id=0,
            linesequencenumber=0,
            mainline="T",
            taxline="F",
            item=None,
            quantity=None,
            rate=None,
            netamount=_money(total * header["exchangerate"]),
            foreignamount=total,
            memo=header["memo"],
            entity=header["entity"],
            createdfrom=created_from,
        )

    def pick_lines(self) -> list[tuple[dict[str, Any], int]]:
        chosen = self.rng.sample(self.items, self.rng.randint(1, 5))
        return [(item, self.rng.randint(1, 12)) for item in chosen]


def _sales_order_status(rng: random.Random, age: int) -> str:
    if age > 90:
        return rng.choices("GHC", [85, 10, 5])[0]
    return rng.choices("ABDEFG", [10, 25, 10, 10, 15, 30])[0]


def _invoice_status(rng: random.Random, age: int) -> str:
    if rng.random() < 0.04:
        return rng.choice("DV")
    paid_chance = 0.92 if age > 120 else 0.6 if age > 45 else 0.2
    return "B" if rng.random() < paid_chance else "A"


def _customer_transactions(tx: _Transactions, customer: dict[str, Any], config: SandboxConfig) -> None:
    rng = tx.rng
    term_days = TERMS[customer["terms"] - 1][2]
    n_orders = _count(rng, config.orders_per_customer)
    n_invoices = 0 if rng.random() < 0.07 else _count(rng, config.invoices_per_customer)
    if config.invoice_count is not None:
        n_invoices = config.invoice_count
    billable = []
    unbilled = 0.0
    for _ in range(n_orders):
        age = rng.randint(0, 720)
        day = ANCHOR - timedelta(days=age)
        status = _sales_order_status(rng, age)
        order = tx.header(
            customer, "SalesOrd", day, status=status, shipdate=_iso(day + timedelta(days=rng.randint(1, 14)))
        )
        lines = tx.pick_lines()
        tx.lines(order, lines, None)
        if status in "DEG":
            billable.append((order, lines, day))
        if status in "BDEF":
            unbilled += order["foreigntotal"]
    balance = overdue = 0.0
    for n in range(n_invoices):
        source = billable.pop() if billable and rng.random() < 0.7 else None
        if source:
            order, lines, order_day = source
            day = min(ANCHOR, order_day + timedelta(days=rng.randint(0, 10)))
        else:
            order, lines, day = None, tx.pick_lines(), ANCHOR - timedelta(days=rng.randint(0, 720))
        # The newest invoice of a customer with several is always open, so that most have a balance.
        status = "A" if n == n_invoices - 1 and n_invoices > 2 else _invoice_status(rng, (ANCHOR - day).days)
        due = day + timedelta(days=term_days)
        invoice = tx.header(customer, "CustInvc", day, status=status, duedate=_iso(due))
        tx.lines(invoice, lines, order["id"] if order else None)
        total = invoice["foreigntotal"]
        unpaid = total if status == "A" else 0.0
        invoice["foreignamountunpaid"] = unpaid
        invoice["foreignamountpaid"] = total if status == "B" else 0.0
        balance += unpaid
        if status == "A" and due < ANCHOR:
            overdue += unpaid
        if status == "B" and rng.random() < 0.3:
            pay_day = min(ANCHOR, due - timedelta(days=rng.randint(0, max(term_days, 1))))
            payment = tx.header(customer, "CustPymt", max(day, pay_day), status="C")
            payment.update(
                foreignamountunpaid=0.0, foreignamountpaid=total, memo=f"Payment for {invoice['tranid']}"
            )
            tx.main_line(payment, total, None)
    customer.update(
        balancesearch=_money(balance),
        overduebalancesearch=_money(overdue),
        unbilledorderssearch=_money(unbilled),
    )


def _cases(
    w: _Writer,
    rng: random.Random,
    ids: _Ids,
    customer: dict[str, Any],
    contacts: list[dict[str, Any]],
    mean: int,
) -> None:
    count = 0 if rng.random() < 0.12 else _count(rng, mean)
    for _ in range(count):
        age = rng.randint(0, 540)
        start = ANCHOR - timedelta(days=age)
        created = _at(rng, start)
        if age > 60:
            status = rng.choices([5, 7, 6], [60, 35, 5])[0]
        else:
            status = rng.choices([1, 2, 3, 4, 5, 6, 7], [25, 30, 8, 7, 15, 5, 10])[0]
        closed = status in (5, 7)
        end = start + timedelta(days=rng.randint(0, 30)) if closed else None
        modified = (
            datetime.combine(min(end or ANCHOR, ANCHOR), time(17, 0))
            if closed
            else created + timedelta(hours=rng.randint(1, 24 * 5))
        )
        contact = rng.choice(contacts) if contacts and rng.random() < 0.85 else None
        w.add(
            "supportcase",
            id=ids.take("supportcase"),
            casenumber=None,
            title=rng.choice(_CASE_TITLES),
            status=status,
            priority=rng.choices([1, 2, 3], [15, 55, 30])[0],
            company=customer["id"],
            contact=contact["id"] if contact else None,
            startdate=_iso(start),
            createddate=_iso_dt(created),
            enddate=_iso(end) if end else None,
            lastmodifieddate=_iso_dt(max(modified, created)),
            isinactive="F",
            incomingmessage=f"Hello, {rng.choice(_CASE_TITLES).lower()}. Please advise.",
            email=contact["email"] if contact else customer["email"],
            phone=contact["phone"] if contact else customer["phone"],
            externalid=None,
            origin=rng.choice(CASE_ORIGINS)[0],
            category=rng.choice(CASE_TYPES)[0],
        )


def populate(db: sqlite3.Connection, config: SandboxConfig) -> None:
    """Fill an empty schema (``db.create_schema``) with the company ``config`` describes."""
    rng = random.Random(config.seed)  # noqa: S311 (reproducible data, not secrets)
    ids = _Ids()
    w = _Writer()
    items = _reference_data(w, rng)
    customers = _customers(w, rng, ids, config.customers)
    tx = _Transactions(w, rng, ids, items)
    words = ("Harbor", "Summit", "Cedar", "Falcon", "Maple", "Aurora")
    for customer in customers:
        contacts = _contacts(w, rng, ids, customer)
        _customer_transactions(tx, customer, config)
        _cases(w, rng, ids, customer, contacts, config.cases_per_customer)
        if customer["parent"] is None and contacts:
            name = customer["companyname"] or f"{customer['_first']} {customer['_last']}"
            password = f"Portal-{rng.choice(words)}-{customer['id']}"
            w.private.append((customer["email"], password, customer["id"], name, "customer"))
    # Case numbers follow creation order, as NetSuite's auto-numbering does.
    for n, case in enumerate(sorted(w.rows["supportcase"], key=lambda c: c["createddate"]), start=1001):
        case["casenumber"] = str(n)
    admin = EMPLOYEES[ADMIN_ENTITY_ID - 1]
    w.private.append((admin[4], f"Sandbox-Admin-{config.seed}", admin[0], admin[1], "administrator"))
    w.flush(db)


__all__ = [
    "ADMIN_ENTITY_ID",
    "ANCHOR",
    "CASE_PRIORITIES",
    "CASE_STATUSES",
    "CURRENCIES",
    "TERMS",
    "populate",
]
