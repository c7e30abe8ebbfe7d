"""Reading REST records out of the sandbox's tables: row lookup under the role's row restriction,
and rendering as NetSuite's singular JSON (body fields, references, enums, sublists)."""

from __future__ import annotations

import sqlite3
from typing import Any

from graph.sandbox import db as schema
from graph.sandbox.recordtypes import ENUM, ITEM_TYPES, REF, REFERENCE_TYPES, Field, RecordType

Row = dict[str, Any]


def source(table: str, customer_id: int | None) -> str:
    """The rows of ``table`` the principal may see, as an SQL table expression (constants only)."""
    visible = schema.visible_rows(table, customer_id)
    return f'main."{table}"' if visible is None else f"({visible})"


def _select(db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[Row]:
    with schema.locked(db):
        cursor = db.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def find_row(
    db: sqlite3.Connection, rtype: RecordType, customer_id: int | None, column: str, value: Any
) -> Row | None:
    """The visible row of ``rtype`` whose ``column`` (id or externalid) is ``value``."""
    sql = f"SELECT * FROM {source(rtype.table, customer_id)} AS r WHERE r.{column} = ?"  # noqa: S608
    params: tuple[Any, ...] = (value,)
    if rtype.tran_type:
        sql += " AND r.type = ?"
        params += (rtype.tran_type,)
    rows = _select(db, sql, params)
    return rows[0] if rows else None


def is_other_transaction(db: sqlite3.Connection, customer_id: int | None, record_id: int) -> bool:
    """Whether ``record_id`` is a visible transaction (of some other type)."""
    sql = f"SELECT 1 FROM {source('transaction', customer_id)} AS r WHERE r.id = ?"  # noqa: S608
    return bool(_select(db, sql, (record_id,)))


def reference_exists(db: sqlite3.Connection, table: str, customer_id: int | None, ref_id: int) -> bool:
    """Whether the principal may point a reference at ``table`` row ``ref_id``."""
    key = schema.PRIMARY_KEYS.get(table, "id")
    sql = f"SELECT 1 FROM {source(table, customer_id)} AS r WHERE r.{key} = ?"  # noqa: S608
    return bool(_select(db, sql, (ref_id,)))


def iso_datetime(value: str) -> str:
    """Storage ``YYYY-MM-DD HH:MM:SS`` (UTC) -> ``YYYY-MM-DDTHH:MM:SSZ``."""
    return value.replace(" ", "T") + ("Z" if len(value) > 10 else "T00:00:00Z")


class Renderer:
    """Renders rows of one database as REST JSON with hrefs under ``base`` (…/record/v1)."""

    def __init__(self, db: sqlite3.Connection, base: str) -> None:
        self.db = db
        self.base = base.rstrip("/")

    def link(self, path: str) -> list[dict[str, str]]:
        return [{"rel": "self", "href": f"{self.base}/{path}"}]

    def reference(self, table: str, ref_id: int) -> dict[str, Any]:
        display = schema.DISPLAY[table].format(a="t")
        key = schema.PRIMARY_KEYS.get(table, "id")
        sql = f'SELECT {display} AS name FROM main."{table}" AS t WHERE t.{key} = ?'  # noqa: S608
        rows = _select(self.db, sql, (ref_id,))
        links = self.link(f"{REFERENCE_TYPES[table]}/{ref_id}") if table in REFERENCE_TYPES else []
        ref: dict[str, Any] = {"links": links, "id": str(ref_id)}
        if rows and rows[0]["name"] is not None:
            ref["refName"] = rows[0]["name"]
        return ref

    def value(self, field: Field, row: Row) -> Any:
        value = row[field.column]
        if field.kind == REF:
            return self.reference(field.target or "", value)
        if field.kind == ENUM:
            names = schema.TRANSACTION_STATUSES.get(row.get("type") or "", {})
            return {"id": value, "refName": names.get(value, value)}
        if field.kind == schema.BOOL:
            return value == "T"
        if field.kind == schema.DATETIME:
            return iso_datetime(value)
        if field.column == "id":
            return str(value)
        return value

    def record(
        self, rtype: RecordType, row: Row, *, fields: list[Field] | None = None, expand: bool = False
    ) -> dict[str, Any]:
        path = f"{rtype.href_name}/{row['id']}"
        body: dict[str, Any] = {"links": self.link(path)}
        for field in fields if fields is not None else rtype.fields:
            if row.get(field.column) is not None:
                body[field.name] = self.value(field, row)
        if fields is None:
            for sublist in rtype.sublists:
                body[sublist] = self.sublist(rtype, row, sublist, expand)
        return dict(sorted(body.items(), key=lambda item: (item[0] != "links", item[0])))

    def sublist(self, rtype: RecordType, row: Row, name: str, expand: bool) -> dict[str, Any]:
        path = f"{rtype.href_name}/{row['id']}/{name}"
        if not expand:
            return {"links": self.link(path)}
        lines = getattr(self, f"_{name.lower()}_lines")(row, path)
        return {"links": self.link(path), "items": lines, "totalResults": len(lines)}

    def _item_lines(self, row: Row, path: str) -> list[dict[str, Any]]:
        # The REST item sublist shows sales lines positive; SuiteQL keeps them negative.
        lines = _select(
            self.db,
            "SELECT l.linesequencenumber AS line, l.item, l.quantity, l.rate, l.foreignamount, l.memo, "
            "i.itemtype FROM main.transactionline AS l LEFT JOIN main.item AS i ON i.id = l.item "
            "WHERE l.\"transaction\" = ? AND l.mainline = 'F' ORDER BY l.linesequencenumber",
            (row["id"],),
        )
        items = []
        for line in lines:
            item: dict[str, Any] = {"links": self.link(f"{path}/{line['line']}"), "line": line["line"]}
            if line["item"] is not None:
                ref = self.reference("item", line["item"])
                ref["links"] = self.link(f"{ITEM_TYPES.get(line['itemtype'], 'item')}/{line['item']}")
                item["item"] = ref
                item["itemType"] = {"id": line["itemtype"], "refName": line["itemtype"]}
            for key, column in (("quantity", "quantity"), ("amount", "foreignamount")):
                if line[column] is not None:
                    item[key] = abs(line[column])
            if line["rate"] is not None:
                item["rate"] = line["rate"]
            if line["memo"] is not None:
                item["description"] = line["memo"]
            items.append(item)
        return items

    def _addressbook_lines(self, row: Row, path: str) -> list[dict[str, Any]]:
        billing, shipping = row.get("defaultbillingaddress"), row.get("defaultshippingaddress")
        keys = [key for key in dict.fromkeys((billing, shipping)) if key is not None]
        items = []
        for key in keys:
            found = _select(self.db, "SELECT * FROM main.entityaddress WHERE nkey = ?", (key,))
            if not found:
                continue
            address = {name: value for name, value in found[0].items() if value is not None}
            address.pop("nkey")
            if "country" in address:
                address["country"] = {"id": address["country"], "refName": address["country"]}
            if "addrphone" in address:
                address["addrPhone"] = address.pop("addrphone")
            line_path = f"{path}/{key}"
            items.append(
                {
                    "links": self.link(line_path),
                    "addressBookAddress": {"links": self.link(f"{line_path}/addressBookAddress"), **address},
                    "defaultBilling": key == billing,
                    "defaultShipping": key == shipping,
                    "id": key,
                    "internalId": key,
                    "label": address.get("addr1", ""),
                }
            )
        return items

    def _contactroles_lines(self, row: Row, path: str) -> list[dict[str, Any]]:
        contacts = _select(
            self.db, "SELECT id, email FROM main.contact WHERE company = ? ORDER BY id", (row["id"],)
        )
        lines = []
        for contact in contacts:
            line: dict[str, Any] = {
                "links": self.link(f"{path}/{contact['id']}"),
                "contact": self.reference("contact", contact["id"]),
            }
            if contact["email"] is not None:
                line["email"] = contact["email"]
            lines.append(line)
        return lines


__all__ = [
    "Renderer",
    "Row",
    "find_row",
    "is_other_transaction",
    "iso_datetime",
    "reference_exists",
    "source",
]
