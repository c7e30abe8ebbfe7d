"""Global object ids and connection cursors: opaque base64 strings, validated on the way in."""

from __future__ import annotations

import base64
import binascii

from graph.schema.errors import BadUserInput

NODE_TYPES = ("Customer", "Invoice", "SalesOrder", "SupportCase", "Contact")


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(value: str) -> str:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def global_id(type_name: str, record_id: int) -> str:
    return _encode(f"{type_name}:{record_id}")


def parse_global_id(value: str) -> tuple[str, int]:
    type_name, _, raw = _decode(value[:200]).partition(":")
    if type_name not in NODE_TYPES or not raw.isdigit() or len(raw) > 18:
        raise BadUserInput("Not a valid object id.", field="id")
    return type_name, int(raw)


def cursor(position: int) -> str:
    return _encode(f"cursor:{position}")


def parse_cursor(value: str | None, *, field: str = "after") -> int:
    """The position after which a page starts (0 when there is no cursor)."""
    if value is None:
        return 0
    prefix, _, raw = _decode(value[:100]).partition(":")
    if prefix != "cursor" or not raw.isdigit() or int(raw) >= 100_000:
        raise BadUserInput("Not a valid cursor.", field=field)
    return int(raw) + 1


__all__ = ["NODE_TYPES", "cursor", "global_id", "parse_cursor", "parse_global_id"]
