"""Connection filters as SuiteQL conditions, and the status codes they speak in.

Statuses travel as NetSuite's one-letter codes; the schema names them. Conditions are rendered here,
through ``render``, so that a filter value can never become SuiteQL text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from graph.netsuite.suiteql import render
from graph.resolvers.records import INVOICE, SALES_ORDER

INVOICE_STATUSES = {
    "A": "OPEN",
    "B": "PAID_IN_FULL",
    "D": "PENDING_APPROVAL",
    "E": "REJECTED",
    "V": "VOIDED",
}
SALES_ORDER_STATUSES = {
    "A": "PENDING_APPROVAL",
    "B": "PENDING_FULFILLMENT",
    "C": "CANCELLED",
    "D": "PARTIALLY_FULFILLED",
    "E": "PENDING_BILLING_PARTIALLY_FULFILLED",
    "F": "PENDING_BILLING",
    "G": "BILLED",
    "H": "CLOSED",
}
OPEN_SALES_ORDER = ("A", "B", "D", "E", "F")
# NetSuite's default support case statuses by name; accounts may rename or add some, which then map
# through their stage (see ``case_status``).
SUPPORT_CASE_STATUSES = {
    "NOT_STARTED": "Not Started",
    "IN_PROGRESS": "In Progress",
    "ESCALATED": "Escalated",
    "RE_OPENED": "Re-Opened",
    "CLOSED": "Closed",
    "ON_HOLD": "On Hold",
    "SOLVED": "Solved",
}
SUPPORT_CASE_PRIORITIES = {"HIGH": "High", "MEDIUM": "Medium", "LOW": "Low"}
CLOSED_CASE_STAGE = "CLOSED"


def _letters(names: Sequence[str], table: dict[str, str]) -> list[str]:
    by_name = {name: letter for letter, name in table.items()}
    return [by_name[name] for name in names]


@dataclass(frozen=True, slots=True)
class DateRange:
    start: dt.date | None = None
    end: dt.date | None = None

    def conditions(self, column: str) -> list[str]:
        """Whole days, both ends included: the end bound is the next midnight, so that a date-time
        column (a case's ``createddate``) keeps what happened during the last day."""
        out = []
        if self.start is not None:
            out.append(render(f"{column} >= :start", start=self.start))
        if self.end is not None and self.end < dt.date.max:
            out.append(render(f"{column} < :after", after=self.end + dt.timedelta(days=1)))
        return out


def invoice_condition(
    customer_id: int,
    *,
    statuses: Sequence[str] | None = None,
    open: bool | None = None,
    overdue: bool | None = None,
    dates: DateRange = DateRange(),
    today: dt.date,
) -> str:
    parts = [render("t.entity = :customer AND t.type = :type", customer=customer_id, type=INVOICE)]
    if statuses:
        parts.append(render("t.status IN :letters", letters=_letters(statuses, INVOICE_STATUSES)))
    if open is not None:
        parts.append("t.status = 'A'" if open else "t.status <> 'A'")
    if overdue is not None:
        due = render("t.status = 'A' AND t.duedate < :today", today=today)
        parts.append(due if overdue else f"NOT ({due})")
    parts.extend(dates.conditions("t.trandate"))
    return " AND ".join(parts)


def sales_order_condition(
    customer_id: int,
    *,
    statuses: Sequence[str] | None = None,
    open: bool | None = None,
    dates: DateRange = DateRange(),
) -> str:
    parts = [render("t.entity = :customer AND t.type = :type", customer=customer_id, type=SALES_ORDER)]
    if statuses:
        parts.append(render("t.status IN :letters", letters=_letters(statuses, SALES_ORDER_STATUSES)))
    if open is not None:
        parts.append(render("t.status IN :open" if open else "t.status NOT IN :open", open=OPEN_SALES_ORDER))
    parts.extend(dates.conditions("t.trandate"))
    return " AND ".join(parts)


def support_case_condition(
    customer_id: int,
    *,
    status_names: Sequence[str] | None = None,
    open: bool | None = None,
    dates: DateRange = DateRange(),
) -> str:
    parts = [render("sc.company = :customer", customer=customer_id)]
    if status_names:
        names = [SUPPORT_CASE_STATUSES[name].upper() for name in status_names]
        parts.append(render("UPPER(scs.name) IN :names", names=names))
    if open is not None:
        closed = render("scs.stage = :closed", closed=CLOSED_CASE_STAGE)
        parts.append(f"NOT ({closed})" if open else closed)
    parts.extend(dates.conditions("sc.createddate"))
    return " AND ".join(parts)


def case_status(name: str | None, stage: str | None) -> str:
    """The schema's name for a case status: by its NetSuite name, else by its stage."""
    wanted = (name or "").strip().upper()
    for key, label in SUPPORT_CASE_STATUSES.items():
        if label.upper() == wanted:
            return key
    stage = (stage or "").upper()
    return stage if stage in ("CLOSED", "ESCALATED") else "IN_PROGRESS"


def case_priority(name: str | None) -> str | None:
    wanted = (name or "").strip().upper()
    return next((key for key, label in SUPPORT_CASE_PRIORITIES.items() if label.upper() == wanted), None)


def contact_condition(customer_id: int) -> str:
    return render("ct.company = :customer AND NVL(ct.isinactive, 'F') = 'F'", customer=customer_id)


def sub_customer_condition(customer_id: int) -> str:
    return render("c.parent = :customer AND NVL(c.isinactive, 'F') = 'F'", customer=customer_id)


__all__ = [
    "INVOICE_STATUSES",
    "SALES_ORDER_STATUSES",
    "SUPPORT_CASE_PRIORITIES",
    "SUPPORT_CASE_STATUSES",
    "DateRange",
    "case_priority",
    "case_status",
    "contact_condition",
    "invoice_condition",
    "sales_order_condition",
    "sub_customer_condition",
    "support_case_condition",
]
