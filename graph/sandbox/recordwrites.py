"""Writing REST records into the sandbox's tables: body validation with NetSuite's 400 bodies,
PATCH (null clears a field) and POST (defaults, required fields, unique ``externalId``).

Writes land in the tables SuiteQL reads, so a change is visible to the next query at once.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from typing import Any

from graph.sandbox import db as schema
from graph.sandbox.recordtypes import ADMIN, READ_ONLY, REF, Field, RecordType
from graph.sandbox.recordviews import reference_exists

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ALREADY_EXISTS = "Error while accessing a resource. This entity already exists."
_NO_PERMISSION = (
    "You do not have permissions to set a value for element {name} due to one of the following "
    "reasons: 1) The field is read-only; 2) An associated feature is disabled; 3) The field is "
    "available either when a record is created or updated, but not in both cases."
)


class WriteError(Exception):
    """A write NetSuite refuses: ``status``, ``code``, ``detail`` and the JSON path at fault."""

    def __init__(self, code: str, detail: str, path: str | None = None, status: int = 400) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.path = status, code, detail, path


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _invalid(field: Field, value: Any) -> WriteError:
    shown = value.get("id") if isinstance(value, dict) else value
    detail = (
        "Error while accessing resource: You have entered an Invalid Field Value "
        f"{shown} for the following field: {field.column}"
    )
    return WriteError("INVALID_CONTENT", detail, field.name)


def _column_value(db: sqlite3.Connection, field: Field, value: Any, customer_id: int | None) -> Any:
    if value is None:
        return None
    kind = field.kind
    if kind == REF:
        ref_id = value.get("id") if isinstance(value, dict) else None
        if not isinstance(ref_id, str | int) or isinstance(ref_id, bool) or not str(ref_id).isdigit():
            raise _invalid(field, value)
        if not reference_exists(db, field.target or "", customer_id, int(ref_id)):
            raise _invalid(field, value)
        return int(ref_id)
    if kind == schema.BOOL:
        if not isinstance(value, bool):
            raise _invalid(field, value)
        return "T" if value else "F"
    if kind in (schema.INT, schema.NUM):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(field, value)
        return round(float(value), 2) if kind == schema.NUM else int(value)
    if kind == schema.DATE:
        if not isinstance(value, str) or not _DATE.match(value):
            raise _invalid(field, value)
        return value
    if not isinstance(value, str):
        raise _invalid(field, value)
    if field.name == "email" and value and not _EMAIL.match(value):
        raise _invalid(field, value)
    return value or None


def validate(db: sqlite3.Connection, rtype: RecordType, body: Any, customer_id: int | None) -> dict[str, Any]:
    """The columns a body sets. Unknown property names are ignored, as NetSuite does by default
    (``X-NetSuite-PropertyNameValidation: warning``); fields the role may not set are refused."""
    if not isinstance(body, dict):
        raise WriteError("INVALID_CONTENT", "Invalid content in the request body")
    columns: dict[str, Any] = {}
    for name, value in body.items():
        field = rtype.field(name) if isinstance(name, str) else None
        if field is None or field.name in rtype.sublists:
            continue
        if field.write == READ_ONLY or (field.write == ADMIN and customer_id is not None):
            raise WriteError("USER_ERROR", _NO_PERMISSION.format(name=field.column), field.name)
        columns[field.column] = _column_value(db, field, value, customer_id)
    return columns


def _external_id_taken(
    db: sqlite3.Connection, rtype: RecordType, external_id: str, exclude: int | None
) -> bool:
    sql = f'SELECT id FROM main."{rtype.table}" WHERE externalid = ?'  # noqa: S608
    params: list[Any] = [external_id]
    if rtype.tran_type:
        sql += " AND type = ?"
        params.append(rtype.tran_type)
    return any(row[0] != exclude for row in db.execute(sql, params).fetchall())


def update(db: sqlite3.Connection, rtype: RecordType, record_id: int, columns: dict[str, Any]) -> None:
    if not columns:
        return
    with schema.locked(db):
        if columns.get("externalid") and _external_id_taken(db, rtype, columns["externalid"], record_id):
            raise WriteError("USER_ERROR", ALREADY_EXISTS)
        columns = {**columns, "lastmodifieddate": _now()}
        assignments = ", ".join(f'"{column}" = ?' for column in columns)
        sql = f'UPDATE main."{rtype.table}" SET {assignments} WHERE id = ?'  # noqa: S608
        db.execute(sql, [*columns.values(), record_id])
        db.commit()


def _defaults(
    db: sqlite3.Connection, rtype: RecordType, new_id: int, columns: dict[str, Any]
) -> dict[str, Any]:
    now = _now()
    if rtype.table == "customer":
        return {
            "entityid": f"CUST{new_id:05d}",
            "isinactive": "F",
            "isperson": "F",
            "datecreated": now,
            "subsidiary": 1,
            "currency": 1,
            "balancesearch": 0.0,
            "overduebalancesearch": 0.0,
            "unbilledorderssearch": 0.0,
        }
    if rtype.table == "contact":
        name = " ".join(part for part in (columns.get("firstname"), columns.get("lastname")) if part)
        return {"entityid": name, "isinactive": "F", "datecreated": now}
    # supportcase: numbered in creation order, like NetSuite's auto-numbering.
    last = db.execute("SELECT MAX(CAST(casenumber AS INTEGER)) FROM main.supportcase").fetchone()[0]
    return {
        "casenumber": str((last or 1000) + 1),
        "status": 1,
        "priority": 2,
        "startdate": now[:10],
        "createddate": now,
        "isinactive": "F",
    }


def create(db: sqlite3.Connection, rtype: RecordType, columns: dict[str, Any]) -> int:
    """Insert a record; returns its new internal id. Raises ``WriteError``."""
    missing = [label for name, label in rtype.required if columns.get(rtype.field(name).column) is None]  # type: ignore[union-attr]
    if rtype.table == "customer" and columns.get("isperson") != "T" and not columns.get("companyname"):
        missing.append("Company Name")
    if missing:
        raise WriteError(
            "USER_ERROR",
            f"Error while accessing a resource. Please enter value(s) for: {', '.join(missing)}.",
        )
    with schema.locked(db):
        if columns.get("externalid") and _external_id_taken(db, rtype, columns["externalid"], None):
            raise WriteError("USER_ERROR", ALREADY_EXISTS)
        new_id = (db.execute(f'SELECT MAX(id) FROM main."{rtype.table}"').fetchone()[0] or 0) + 1  # noqa: S608
        row = {**_defaults(db, rtype, new_id, columns), **{k: v for k, v in columns.items() if v is not None}}
        row.update(id=new_id, lastmodifieddate=_now())
        names = ", ".join(f'"{column}"' for column in row)
        marks = ", ".join("?" for _ in row)
        db.execute(f'INSERT INTO main."{rtype.table}" ({names}) VALUES ({marks})', list(row.values()))  # noqa: S608
        db.commit()
    return new_id


__all__ = ["ALREADY_EXISTS", "WriteError", "create", "update", "validate"]
