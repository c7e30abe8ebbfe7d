"""Writes: validated input in, one REST call out, the viewer's cache dropped afterwards.

``create_support_case`` is idempotent by construction: the client's key becomes the case's
``externalId`` (scoped to account and customer), which NetSuite keeps unique per record type. A
retried POST whose first response was lost therefore meets "This entity already exists." and the
case made by the first attempt is returned; no second case can appear. That works synchronously,
where NetSuite's own idempotency key is honoured only for asynchronous requests.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from graph.netsuite import DuplicateRecord
from graph.netsuite.suiteql import render
from graph.resolvers import queries
from graph.resolvers.loaders import Loaders
from graph.resolvers.records import CustomerRecord, SupportCaseRecord

EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
PHONE = re.compile(r"^\+?[0-9 ().\-]{7,32}$")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
MAX_TITLE = 200
MAX_MESSAGE = 4000


class InvalidInput(ValueError):
    """Input that fails validation; ``field`` names the input field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class CreatedCase:
    case: SupportCaseRecord
    already_existed: bool


def _text(value: str, field: str, *, maximum: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(field, f"{field} must not be empty.")
    if len(cleaned) > maximum:
        raise InvalidInput(field, f"{field} must be at most {maximum} characters.")
    if any(ord(char) < 32 and char not in "\n\t" for char in cleaned):
        raise InvalidInput(field, f"{field} contains control characters.")
    return cleaned


async def update_contact_info(loaders: Loaders, *, email: str | None, phone: str | None) -> CustomerRecord:
    body: dict[str, str | None] = {}
    if email is not None:
        email = email.strip()
        if len(email) > 254 or not EMAIL.match(email):
            raise InvalidInput("email", "email must be a valid email address.")
        body["email"] = email
    if phone is not None:
        phone = phone.strip()
        if phone and not PHONE.match(phone):
            raise InvalidInput("phone", "phone must be 7 to 32 digits, spaces or + ( ) - .")
        body["phone"] = phone or None  # an empty phone clears the field
    if not body:
        raise InvalidInput("input", "Give at least one of email or phone.")
    customer_id = loaders.viewer.customer_id
    await loaders.client.update_record("customer", customer_id, body)
    loaders.forget()
    record = await loaders.records.load(("customer", customer_id))
    if record is None:
        raise LookupError("the customer disappeared after its update")
    return record


def external_id(loaders: Loaders, key: str) -> str:
    viewer = loaders.viewer
    digest = hashlib.sha256(f"{viewer.account_id}:{viewer.customer_id}:{key}".encode()).hexdigest()
    return f"suitegraph-case-{digest[:40]}"


async def create_support_case(
    loaders: Loaders, *, title: str, message: str, priority: str | None, idempotency_key: str
) -> CreatedCase:
    title = _text(title, "title", maximum=MAX_TITLE)
    message = _text(message, "message", maximum=MAX_MESSAGE)
    if not IDEMPOTENCY_KEY.match(idempotency_key):
        raise InvalidInput("idempotencyKey", "idempotencyKey must be 8 to 128 letters, digits or . _ : -")
    reference = external_id(loaders, idempotency_key)
    viewer = loaders.viewer.customer_id
    body: dict[str, object] = {
        "title": title,
        "incomingMessage": message,
        "company": {"id": str(viewer)},
        "externalId": reference,
    }
    if priority is not None:
        body["priority"] = {"id": str(await _priority_id(loaders, priority))}

    already_existed = False
    try:
        await loaders.client.create_record("supportCase", body, idempotent=True)
    except DuplicateRecord:
        already_existed = True
    loaders.forget()
    rows = await loaders.run(queries.case_by_external_id(viewer, reference))
    if not rows:
        raise LookupError("the support case is not readable after its creation")
    return CreatedCase(case=SupportCaseRecord.from_row(rows[0]), already_existed=already_existed)


async def _priority_id(loaders: Loaders, priority: str) -> int:
    rows = await loaders.run(
        render(
            "SELECT scp.id FROM supportcasepriority scp WHERE UPPER(scp.name) = :name", name=priority.upper()
        )
    )
    if not rows:
        raise InvalidInput("priority", "This priority is not available in this account.")
    return int(rows[0]["id"])


__all__ = ["CreatedCase", "InvalidInput", "create_support_case", "external_id", "update_contact_info"]
