"""The ``q`` filter of REST record lists, compiled to an SQL condition with bound parameters.

Grammar (NetSuite's documented form): ``<field> <OPERATOR> [value | [v1, v2, ...]]`` joined by
``AND``/``OR`` (``AND`` binds tighter) with ``( )`` for grouping; values with spaces go in double
quotes. Operators depend on the field's kind; each has a ``_NOT`` form; ``EMPTY``/``EMPTY_NOT``
take no value. Dates are in the user's format (M/D/YYYY), not ISO.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from graph.sandbox.db import BOOL, DATE, DATETIME, INT, NUM, TEXT
from graph.sandbox.recordtypes import ENUM, REF, Field, RecordType


class QueryError(ValueError):
    """A ``q`` NetSuite would refuse; the message says why (no data in it)."""


_TOKEN = re.compile(r'\s*("(?:[^"])*"|[()\[\],]|[^\s()\[\],"]+)')
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

_TEXT_OPS = {
    "IS": "lower({c}) = lower(?)",
    "CONTAIN": "instr(lower({c}), lower(?)) > 0",
    "START_WITH": "lower({c}) LIKE lower(?) || '%' ESCAPE '\\'",
    "END_WITH": "lower({c}) LIKE '%' || lower(?) ESCAPE '\\'",
}
_COMPARE = {"EQUAL": "=", "GREATER": ">", "GREATER_OR_EQUAL": ">=", "LESS": "<", "LESS_OR_EQUAL": "<="}
_DATE_OPS = {"ON": "=", "AFTER": ">", "BEFORE": "<", "ON_OR_AFTER": ">=", "ON_OR_BEFORE": "<="}
_NUMERIC = {INT, NUM, REF}
_DATES = {DATE, DATETIME}


class _Parser:
    def __init__(self, rtype: RecordType, text: str) -> None:
        self.rtype = rtype
        self.tokens = self._tokenize(text)
        self.at = 0
        self.params: list[Any] = []

    @staticmethod
    def _tokenize(text: str) -> list[str]:
        tokens, position = [], 0
        text = text.strip()
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None:
                raise QueryError("unbalanced quotes")
            tokens.append(match.group(1))
            position = match.end()
            while position < len(text) and text[position].isspace():
                position += 1
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise QueryError("the condition is incomplete")
        self.at += 1
        return token

    def expect(self, token: str) -> None:
        if self.take() != token:
            raise QueryError(f"expected {token}")

    def parse(self) -> str:
        if not self.tokens:
            raise QueryError("the query is empty")
        condition = self.disjunction()
        if self.peek() is not None:
            raise QueryError("unexpected text after a condition")
        return condition

    def disjunction(self) -> str:
        parts = [self.conjunction()]
        while (self.peek() or "").upper() == "OR":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def conjunction(self) -> str:
        parts = [self.factor()]
        while (self.peek() or "").upper() == "AND":
            self.take()
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def factor(self) -> str:
        if self.peek() == "(":
            self.take()
            inner = self.disjunction()
            self.expect(")")
            return inner
        return self.condition()

    def values(self) -> list[str]:
        if self.peek() != "[":
            return [_unquote(self.take())]
        self.take()
        found = [_unquote(self.take())]
        while self.peek() == ",":
            self.take()
            found.append(_unquote(self.take()))
        self.expect("]")
        return found

    def condition(self) -> str:
        name = self.take()
        field = self.rtype.field(name)
        if field is None:
            raise QueryError(f"unknown field {name}")
        operator = self.take().upper()
        column = f"r.{field.column}"
        if operator in ("EMPTY", "EMPTY_NOT"):
            return f"{column} IS {'NOT ' if operator == 'EMPTY_NOT' else ''}NULL"
        negate = operator.endswith("_NOT")
        base = operator.removesuffix("_NOT")
        positive = self.positive(field, column, base, self.values())
        return f"({column} IS NULL OR NOT {positive})" if negate else positive

    def bind(self, value: Any) -> str:
        self.params.append(value)
        return "?"

    def positive(self, field: Field, column: str, operator: str, values: list[str]) -> str:
        kind = field.kind
        if kind == TEXT and operator in _TEXT_OPS:
            value = _one(values)
            if operator in ("START_WITH", "END_WITH"):
                value = re.sub(r"([\\%_])", r"\\\1", value)
            self.params.append(value)
            return "(" + _TEXT_OPS[operator].format(c=column) + ")"
        if kind == BOOL and operator == "IS":
            flag = _one(values).lower()
            if flag not in ("true", "false"):
                raise QueryError("a boolean is true or false")
            return f"({column} = {self.bind('T' if flag == 'true' else 'F')})"
        if kind in _NUMERIC:
            numbers = [_number(value) for value in values]
            if operator in _COMPARE:
                return f"({column} {_COMPARE[operator]} {self.bind(_one(numbers))})"
            if operator in ("BETWEEN", "WITHIN") and len(numbers) == 2:
                return f"({column} BETWEEN {self.bind(numbers[0])} AND {self.bind(numbers[1])})"
            if operator == "ANY_OF":
                return f"({column} IN ({', '.join(self.bind(n) for n in numbers)}))"
        if kind in _DATES and operator in _DATE_OPS:
            day = _user_date(_one(values))
            return f"(substr({column}, 1, 10) {_DATE_OPS[operator]} {self.bind(day)})"
        if kind == ENUM and operator in ("IS", "ANY_OF"):
            ids = [value.rsplit(":", 1)[-1] for value in values]
            return f"({column} IN ({', '.join(self.bind(v) for v in ids)}))"
        raise QueryError(f"operator {operator} does not apply to field {field.name}")


def _unquote(token: str) -> str:
    if token in ("(", ")", "[", "]", ","):
        raise QueryError("a value is missing")
    return token[1:-1] if len(token) >= 2 and token.startswith('"') and token.endswith('"') else token


def _one(values: list[Any]) -> Any:
    if len(values) != 1:
        raise QueryError("the operator takes one value")
    return values[0]


def _number(value: str) -> int | float:
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        raise QueryError("a number was expected") from None


def _user_date(value: str) -> str:
    match = _US_DATE.match(value)
    if match is None:
        raise QueryError("a date is written M/D/YYYY")
    month, day, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise QueryError("not a calendar date") from None


def compile_filter(rtype: RecordType, text: str) -> tuple[str, list[Any]]:
    """``q`` -> (SQL condition over alias ``r``, parameters). Raises ``QueryError``.

    Only constants and schema column names reach the SQL text; every value is bound."""
    parser = _Parser(rtype, text)
    condition = parser.parse()
    return condition, parser.params


__all__ = ["QueryError", "compile_filter"]
