"""SuiteQL text built safely, and SuiteQL result values read back as Python types.

``render`` is the one place where values enter SuiteQL: every ``:name`` placeholder becomes a typed,
quoted literal, so no caller can inject SuiteQL through a value::

    render("SELECT id FROM transaction WHERE entity = :customer AND type IN :types",
           customer=42, types=("CustInvc", "SalesOrd"))
    # SELECT id FROM transaction WHERE entity = 42 AND type IN ('CustInvc', 'SalesOrd')

Fragments made by these helpers (``in_list``, ``render`` itself) are ``SQL`` strings and are inserted
verbatim when passed as a parameter; any other ``str`` is quoted as a literal.

The readers (``as_int`` …) accept the documented wire form (every scalar a string, booleans 'T'/'F',
dates in the user's format) and the JSON-typed form an emulator may send.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

# NetSuite (like Oracle) refuses IN lists longer than 1000 expressions.
MAX_IN_LIST = 1000

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$")
# Quoted literals, quoted identifiers and comments are copied untouched; an unmatched quote is an
# error rather than a chance for a placeholder to land inside someone else's literal.
_TOKENS = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|(?P<open>['"]|/\*)|(?<![\w:]):(?P<name>[A-Za-z_]\w*)""",
    re.DOTALL,
)
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# NetSuite's date preferences: M/D/YYYY, D/M/YYYY, D.M.YYYY, D-M-YYYY, YYYY/M/D, D-Mon-YYYY,
# D Month, YYYY, Month D, YYYY ...; a datetime adds the time as "3:04 pm" or "15:04:05".
_YEAR_FIRST = re.compile(r"^(?P<year>\d{4})[/.-](?P<a>\d{1,2})[/.-](?P<b>\d{1,2})$")
_YEAR_LAST = re.compile(r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<year>\d{4})$")
_DAY_MONTH_NAME = re.compile(r"^(?P<day>\d{1,2})[\s.-]+(?P<month>[A-Za-z]{3,})\.?[\s,.-]+(?P<year>\d{4})$")
_MONTH_NAME_DAY = re.compile(r"^(?P<month>[A-Za-z]{3,})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_USER_TIME = re.compile(
    r"\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<meridiem>[AaPp][Mm])?$"
)


class SQL(str):
    """SuiteQL text produced by this module; ``render`` inserts it as is instead of quoting it."""

    __slots__ = ()


def render(template: str, **params: Any) -> SQL:
    """``template`` with each ``:name`` replaced by the literal for ``params[name]``."""
    used: set[str] = set()

    def substitute(match: re.Match[str]) -> str:
        if match.group("open"):
            raise ValueError("SuiteQL template has an unterminated quote or comment")
        name = match.group("name")
        if name is None:
            return match.group(0)
        if name not in params:
            raise ValueError(f"SuiteQL template placeholder :{name} has no parameter")
        used.add(name)
        return literal(params[name])

    text = _TOKENS.sub(substitute, template)
    unused = set(params) - used
    if unused:
        raise ValueError(f"parameters not used by the SuiteQL template: {', '.join(sorted(unused))}")
    return SQL(text)


def literal(value: Any) -> str:
    """The SuiteQL literal for one value (scalar, collection → parenthesised list, or ``SQL``)."""
    if isinstance(value, SQL):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = _ordered(value)
        if len(items) > MAX_IN_LIST:
            raise ValueError(
                f"more than {MAX_IN_LIST} values in one list; build the condition with in_list()"
            )
        if not items:
            return "(NULL)"  # matches nothing, and is valid where "()" is not
        return "(" + ", ".join(_scalar(item) for item in items) + ")"
    return _scalar(value)


def in_list(column: str, values: Iterable[Any]) -> SQL:
    """``column IN (...)``, split into OR-ed groups of at most 1000 values."""
    if not _IDENTIFIER.match(column):
        raise ValueError(f"{column!r} is not a SuiteQL column reference")
    items = _ordered(values)
    if not items:
        return SQL(f"{column} IN (NULL)")
    chunks = [
        f"{column} IN ({', '.join(_scalar(item) for item in items[start : start + MAX_IN_LIST])})"
        for start in range(0, len(items), MAX_IN_LIST)
    ]
    return SQL(chunks[0] if len(chunks) == 1 else "(" + " OR ".join(chunks) + ")")


def ids(values: Iterable[Any]) -> list[int]:
    """Internal ids as integers, de-duplicated in order; anything that is not an id is a ValueError."""
    result: dict[int, None] = {}
    for value in values:
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a NetSuite internal id")
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            number = int(value.strip())
        else:
            raise ValueError(f"{value!r} is not a NetSuite internal id")
        if number < 0:
            raise ValueError(f"{value!r} is not a NetSuite internal id")
        result[number] = None
    return list(result)


def _ordered(values: Iterable[Any]) -> list[Any]:
    if isinstance(values, set | frozenset):
        try:
            return sorted(values)  # a stable text keeps identical queries identical (single-flight)
        except TypeError:
            return sorted(values, key=repr)
    if isinstance(values, str | bytes):
        raise TypeError("expected a collection of values, not a string")
    return list(values)


def _scalar(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "'T'" if value else "'F'"
    if isinstance(value, int):
        return _number(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("SuiteQL numbers must be finite")
        return _number(format(value, "f"))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("SuiteQL numbers must be finite")
        return _number(repr(value))
    if isinstance(value, str):
        if "\x00" in value or _SURROGATES.search(value):
            raise ValueError("SuiteQL strings cannot contain NUL or unpaired surrogates")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.datetime):
        # SuiteQL compares in the account's time zone; a datetime must be formatted explicitly.
        raise TypeError("datetime values are ambiguous in SuiteQL; pass a date")
    if isinstance(value, dt.date):
        return f"TO_DATE('{value.isoformat()}', 'YYYY-MM-DD')"
    raise TypeError(f"cannot use a {type(value).__name__} as a SuiteQL literal")


def _number(text: str) -> str:
    # Parenthesised so that "a -:n" with n = -1 never becomes the comment "a --1".
    return f"({text})" if text.startswith("-") else text


# ---- reading result values -------------------------------------------------------------------


def as_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "T" if value else "F"
    return value if isinstance(value, str) else str(value)


def as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    number = as_decimal(value)
    if number is None or number != number.to_integral_value():
        raise ValueError(f"{value!r} is not an integer")
    return int(number)


def as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    try:
        # str() of a float gives its shortest repr, so 0.1 reads as Decimal("0.1").
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def as_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("t", "true", "y", "yes", "1"):
        return True
    if text in ("f", "false", "n", "no", "0"):
        return False
    raise ValueError(f"{value!r} is not a boolean")


def as_date(value: Any) -> dt.date | None:
    """A date from ISO text (what ``TO_CHAR(d, 'YYYY-MM-DD')`` and REST give) or the user's format.

    A raw date column comes in the user's date preference ("1/15/2025", "15/1/2025", "15-Jan-2025").
    Day and month are told apart only when one reading is impossible: "5/1/2025" is refused as
    ambiguous rather than guessed (select such columns with TO_CHAR).
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    date = _user_date(_USER_TIME.sub("", text))
    if date is None:
        raise ValueError(f"{value!r} is not a date")
    return date


def as_datetime(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text)  # ISO, and "YYYY-MM-DD HH24:MI:SS"
    except ValueError:
        pass
    # The user's format: "1/15/2025 3:04 pm", "15/1/2025 15:04:05".
    clock = _USER_TIME.search(text)
    date = _user_date(_USER_TIME.sub("", text))
    if date is None:
        raise ValueError(f"{value!r} is not a date-time")
    if clock is None:
        return dt.datetime(date.year, date.month, date.day)
    hour, minute, second = int(clock["hour"]), int(clock["minute"]), int(clock["second"] or 0)
    meridiem = (clock["meridiem"] or "").lower()
    if meridiem and not 1 <= hour <= 12:
        raise ValueError(f"{value!r} is not a date-time")
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    try:
        return dt.datetime(date.year, date.month, date.day, hour, minute, second)
    except ValueError:
        raise ValueError(f"{value!r} is not a date-time") from None


def _user_date(text: str) -> dt.date | None:
    """A date in one of NetSuite's date preferences; None when it is none of them."""
    parts: tuple[int, int, int] | None = None  # year, month, day
    if match := _YEAR_FIRST.match(text):
        parts = int(match["year"]), int(match["a"]), int(match["b"])
    elif match := _YEAR_LAST.match(text):
        a, b, year = int(match["a"]), int(match["b"]), int(match["year"])
        if a != b and a <= 12 and b <= 12:
            raise ValueError(f"{text!r} is ambiguous: day and month could be either way round")
        parts = (year, a, b) if b > 12 else (year, b, a)
    elif match := _DAY_MONTH_NAME.match(text) or _MONTH_NAME_DAY.match(text):
        name = match["month"][:3].lower()
        if name in _MONTHS:
            parts = int(match["year"]), _MONTHS.index(name) + 1, int(match["day"])
    if parts is None:
        return None
    try:
        return dt.date(*parts)
    except ValueError:
        return None


__all__ = [
    "MAX_IN_LIST",
    "SQL",
    "as_bool",
    "as_date",
    "as_datetime",
    "as_decimal",
    "as_int",
    "as_str",
    "ids",
    "in_list",
    "literal",
    "render",
]
