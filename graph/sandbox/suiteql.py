"""SuiteQL for the sandbox: ``POST /services/rest/query/v1/suiteql``.

A query is parsed as Oracle SQL (sqlglot), checked against the SuiteQL schema, rewritten and run on
SQLite:

- NetSuite and Oracle functions (``BUILTIN.DF``/``BUILTIN.CF``, ``TO_CHAR`` with a format,
  ``TO_DATE``, ``SYSDATE``, ``ADD_MONTHS``, ``TRUNC``, date arithmetic, ``ROWNUM <= n``) become SQL
  over functions registered on the connection;
- for a customer-center principal every table reference is replaced by a subquery of the rows that
  customer may see (keeping its alias), so no join, subquery, CTE or UNION reaches other rows;
- results come back in NetSuite's envelope: lowercase keys, every value a string, NULLs omitted,
  raw dates in the user's M/D/YYYY format.

``SYSDATE`` is the real clock (UTC); the generated data is anchored on ``seed.ANCHOR``.
"""

from __future__ import annotations

import calendar
import functools
import json
import math
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import sqlglot
from sqlglot import exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope, traverse_scope
from sqlglot.schema import MappingSchema
from sqlglot.tokens import TokenType
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.sandbox import db as schema
from graph.sandbox.errors import error_response, invalid_login_response, suiteql_error
from graph.sandbox.oauth import authenticate
from graph.sandbox.state import Principal, SandboxState

PATH = "/services/rest/query/v1/suiteql"
MAX_LIMIT = 1000
MAX_RESULTS = 100_000
# A query that runs longer than this is aborted (a cartesian join or a runaway recursive CTE).
QUERY_DEADLINE_SECONDS = 5.0

UNSUPPORTED = "Search error occurred: Invalid or unsupported search."


class SuiteQLError(Exception):
    """A query NetSuite would refuse; ``message`` is the detail after the standard prefix."""

    def __init__(self, message: str = UNSUPPORTED) -> None:
        super().__init__(message)
        self.message = message


# --- values: Oracle-style functions in Python ------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
_US_DATE = re.compile(
    r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?)?\s*$", re.I
)


def _parse_moment(value: Any) -> datetime | None:
    """An ISO (storage) or M/D/YYYY (user format) date or datetime, else None."""
    if not isinstance(value, str):
        return None
    m = _ISO.match(value)
    try:
        if m:
            y, mo, d, hh, mi, ss = m.groups()
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
        m = _US_DATE.match(value)
        if m:
            mo, d, y, hh, mi, ss, ampm = m.groups()
            hour = int(hh or 0)
            if ampm:
                hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
            return datetime(int(y), int(mo), int(d), hour, int(mi or 0), int(ss or 0))
    except ValueError:
        return None
    return None


def _has_time(value: Any) -> bool:
    return isinstance(value, str) and len(value) > 10 and _ISO.match(value) is not None


def _store(moment: datetime, with_time: bool) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if with_time else moment.strftime("%Y-%m-%d")


def _moment_or_fail(value: Any) -> datetime:
    moment = _parse_moment(value)
    if moment is None:
        raise ValueError("not a date")
    return moment


def format_date(value: Any) -> str:
    """Storage ISO -> the user's date format (M/D/YYYY)."""
    moment = _parse_moment(value)
    return f"{moment.month}/{moment.day}/{moment.year}" if moment else str(value)


def format_datetime(value: Any) -> str:
    """Storage ISO -> the user's datetime format (M/D/YYYY h:mm am)."""
    moment = _parse_moment(value)
    if moment is None:
        return str(value)
    hour = moment.hour % 12 or 12
    meridian = "am" if moment.hour < 12 else "pm"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {meridian}"


def format_number(value: int | float) -> str:
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    return str(value)


_ORACLE_TOKENS = re.compile(
    r'"[^"]*"|FM|YYYY|YY|MONTH|MON|MM|DDD|DD|DY|DAY|D|HH24|HH12|HH|MI|SS|AM|PM|A\.M\.|P\.M\.|Q|.', re.I | re.S
)


def _cased(text: str, pattern: str) -> str:
    if pattern.isupper():
        return text.upper()
    if pattern[0].isupper():
        return text.capitalize()
    return text.lower()


def _format_moment(moment: datetime, fmt: str) -> str:
    out: list[str] = []
    pad = True
    for token in _ORACLE_TOKENS.findall(fmt):
        upper = token.upper()

        def num(value: int, width: int, pad: bool = pad) -> str:
            return str(value).zfill(width) if pad else str(value)

        if token.startswith('"'):
            out.append(token[1:-1])
        elif upper == "FM":
            pad = not pad
        elif upper == "YYYY":
            out.append(str(moment.year).zfill(4))
        elif upper == "YY":
            out.append(str(moment.year % 100).zfill(2))
        elif upper == "MONTH":
            out.append(_cased(calendar.month_name[moment.month], token))
        elif upper == "MON":
            out.append(_cased(calendar.month_abbr[moment.month], token))
        elif upper == "MM":
            out.append(num(moment.month, 2))
        elif upper == "DDD":
            out.append(num(moment.timetuple().tm_yday, 3))
        elif upper == "DD":
            out.append(num(moment.day, 2))
        elif upper == "DAY":
            out.append(_cased(calendar.day_name[moment.weekday()], token))
        elif upper == "DY":
            out.append(_cased(calendar.day_abbr[moment.weekday()], token))
        elif upper == "D":
            out.append(str((moment.weekday() + 1) % 7 + 1))
        elif upper == "HH24":
            out.append(num(moment.hour, 2))
        elif upper in ("HH", "HH12"):
            out.append(num(moment.hour % 12 or 12, 2))
        elif upper == "MI":
            out.append(num(moment.minute, 2))
        elif upper == "SS":
            out.append(num(moment.second, 2))
        elif upper in ("AM", "PM", "A.M.", "P.M."):
            meridian = "AM" if moment.hour < 12 else "PM"
            if "." in upper:
                meridian = f"{meridian[0]}.{meridian[1]}."
            out.append(_cased(meridian, token))
        elif upper == "Q":
            out.append(str((moment.month - 1) // 3 + 1))
        else:
            out.append(token)
    return "".join(out)


def _format_number_pattern(value: float, fmt: str) -> str:
    body = fmt.upper().replace("FM", "").replace("$", "").replace("L", "")
    decimals = len(body.split(".", 1)[1]) if "." in body else 0
    text = f"{value:,.{decimals}f}" if "," in body else f"{value:.{decimals}f}"
    return ("$" if "$" in fmt else "") + text


def ns_to_char(value: Any, fmt: Any = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return _format_number_pattern(float(value), str(fmt)) if fmt else format_number(value)
    moment = _parse_moment(value)
    if moment is None:
        return str(value)
    if fmt is None:
        return format_datetime(value) if _has_time(value) else format_date(value)
    return _format_moment(moment, str(fmt))


def ns_strptime(value: Any, fmt: Any = None) -> str | None:
    if value is None:
        return None
    if fmt is None:
        moment = _moment_or_fail(value)
        return _store(moment, _has_time(value) or ":" in str(value))
    moment = datetime.strptime(str(value).strip(), str(fmt))
    return _store(moment, any(code in str(fmt) for code in ("%H", "%I", "%M", "%S")))


def ns_date_in(value: Any) -> Any:
    """A literal compared with a date column: user format or ISO -> storage ISO; others unchanged."""
    moment = _parse_moment(value)
    if moment is None:
        return value
    return _store(moment, _has_time(value) or (isinstance(value, str) and ":" in value))


def ns_sysdate() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_month_end = moment.day == calendar.monthrange(moment.year, moment.month)[1]
    return moment.replace(year=year, month=month + 1, day=last if at_month_end else min(moment.day, last))


def ns_add_months(value: Any, months: Any) -> str | None:
    if value is None or months is None:
        return None
    return _store(_add_months(_moment_or_fail(value), int(float(months))), _has_time(value))


def ns_trunc(value: Any, unit: Any = None) -> Any:
    if value is None:
        return None
    if isinstance(value, int | float):
        digits = int(unit or 0)
        factor = 10.0**digits
        result = math.trunc(value * factor) / factor
        return int(result) if digits <= 0 else result
    moment = _parse_moment(value)
    if moment is None:
        number = float(value)
        return math.trunc(number)
    day = moment.date()
    u = str(unit or "DD").upper()
    if u in ("MM", "MON", "MONTH", "RM"):
        day = day.replace(day=1)
    elif u in ("YYYY", "YEAR", "YY", "Y", "SYYYY"):
        day = day.replace(month=1, day=1)
    elif u == "Q":
        day = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    elif u in ("IW", "DAY", "DY", "D"):
        day = day - timedelta(days=day.weekday())
    return day.isoformat()


def ns_date_add(value: Any, days: Any) -> str | None:
    if value is None or days is None:
        return None
    moment = _moment_or_fail(value) + timedelta(days=float(days))
    return _store(moment, _has_time(value) or float(days) != int(float(days)))


def ns_date_diff(left: Any, right: Any) -> float | int | None:
    if left is None or right is None:
        return None
    delta = (_moment_or_fail(left) - _moment_or_fail(right)).total_seconds() / 86400
    return int(delta) if delta == int(delta) else delta


def ns_extract(unit: str, value: Any) -> int | None:
    if value is None:
        return None
    moment = _moment_or_fail(value)
    return int(getattr(moment, unit.lower()))


def ns_last_day(value: Any) -> str | None:
    if value is None:
        return None
    moment = _moment_or_fail(value)
    return moment.date().replace(day=calendar.monthrange(moment.year, moment.month)[1]).isoformat()


def ns_months_between(left: Any, right: Any) -> float | None:
    if left is None or right is None:
        return None
    a, b = _moment_or_fail(left), _moment_or_fail(right)
    return round((a.year - b.year) * 12 + a.month - b.month + (a.day - b.day) / 31, 9)


def ns_to_number(value: Any) -> int | float | None:
    if value is None or isinstance(value, int | float):
        return value
    number = float(str(value).replace(",", "").strip())
    return int(number) if number == int(number) else number


def ns_trantype_name(kind: Any) -> str | None:
    return None if kind is None else schema.TRANSACTION_TYPES.get(kind, kind)


def ns_status_name(kind: Any, status: Any) -> str | None:
    if status is None:
        return None
    name = schema.TRANSACTION_STATUSES.get(kind, {}).get(status)
    return f"{schema.TRANSACTION_TYPES.get(kind, kind)} : {name}" if name else status


_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "ns_to_char": (-1, ns_to_char),
    "ns_strptime": (-1, ns_strptime),
    "ns_date_in": (1, ns_date_in),
    "ns_add_months": (2, ns_add_months),
    "ns_trunc": (-1, ns_trunc),
    "ns_date_add": (2, ns_date_add),
    "ns_date_diff": (2, ns_date_diff),
    "ns_extract": (2, ns_extract),
    "ns_last_day": (1, ns_last_day),
    "ns_months_between": (2, ns_months_between),
    "ns_to_number": (1, ns_to_number),
    "ns_trantype_name": (1, ns_trantype_name),
    "ns_status_name": (2, ns_status_name),
}
_NONDETERMINISTIC = {"ns_sysdate": (0, ns_sysdate)}

# SQLite built-ins a query may call (after translation); anything else is refused at prepare time.
_SQLITE_FUNCTIONS = frozenset(
    [
        "abs",
        "avg",
        "coalesce",
        "count",
        "cume_dist",
        "dense_rank",
        "first_value",
        "group_concat",
        "ifnull",
        "iif",
        "instr",
        "lag",
        "last_value",
        "lead",
        "length",
        "like",
        "lower",
        "ltrim",
        "max",
        "min",
        "nth_value",
        "ntile",
        "nullif",
        "percent_rank",
        "rank",
        "replace",
        "round",
        "row_number",
        "rtrim",
        "sign",
        "substr",
        "substring",
        "sum",
        "total",
        "trim",
        "upper",
        "glob",
        "char",
        "unicode",
        "date",
        "datetime",
        "julianday",
        "strftime",
        "time",
    ]
)
_ALLOWED_FUNCTIONS = _SQLITE_FUNCTIONS | set(_FUNCTIONS) | set(_NONDETERMINISTIC)


def install_functions(db: sqlite3.Connection) -> None:
    """Register the SQL functions compiled queries call (cheap; idempotent)."""
    for name, (arity, fn) in _FUNCTIONS.items():
        db.create_function(name, arity, fn, deterministic=True)
    for name, (arity, fn) in _NONDETERMINISTIC.items():
        db.create_function(name, arity, fn)


# --- compilation: Oracle SuiteQL -> SQLite ----------------------------------------------------------

_SQL_SCHEMA = MappingSchema(
    {
        table: {
            column: {schema.INT: "INT", schema.NUM: "DOUBLE"}.get(kind, "TEXT")
            for column, kind in cols.items()
        }
        for table, cols in schema.TABLES.items()
    },
    dialect="sqlite",
)
_COLUMN_KINDS: dict[str, str] = {
    column: kind
    for cols in schema.TABLES.values()
    for column, kind in cols.items()
    if kind in (schema.DATE, schema.DATETIME)
}
_FORBIDDEN_NODES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Pragma,
    exp.Into,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Set,
    exp.Use,
    exp.Lock,
)


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    sql: str
    columns: tuple[str, ...]
    kinds: tuple[str | None, ...]
    placeholders: int


def _number_placeholders(q: str) -> tuple[str, int]:
    """Rewrite anonymous ``?`` markers as ``:p1..:pN`` in text order, so later AST rewrites that
    move nodes around cannot shuffle the binding order."""
    try:
        tokens = Oracle().tokenize(q)
    except Exception as exc:
        raise SuiteQLError() from exc
    parts: list[str] = []
    last = 0
    count = 0
    for token in tokens:
        if token.token_type == TokenType.PLACEHOLDER and token.text == "?":
            count += 1
            parts.append(q[last : token.start])
            parts.append(f" :p{count} ")
            last = token.end + 1
    parts.append(q[last:])
    return "".join(parts), count


def _parse(q: str) -> exp.Query:
    try:
        statements = [s for s in sqlglot.parse(q, read="oracle") if s is not None]
    except Exception as exc:
        raise SuiteQLError() from exc
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise SuiteQLError()
    tree = statements[0]
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise SuiteQLError()
    return tree


def _lowercase_identifiers(tree: exp.Expression) -> None:
    # SuiteQL names are case-insensitive; the schema is lowercase.
    for ident in tree.find_all(exp.Identifier):
        ident.set("this", str(ident.this).lower())
        ident.set("quoted", False)


def _rownum(tree: exp.Expression) -> None:
    """``WHERE ROWNUM <= n`` (or ``< n``, ``= 1``) -> ``LIMIT n`` on that SELECT."""
    for select in list(tree.find_all(exp.Select)):
        where = select.args.get("where")
        if where is None:
            continue
        conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        keep: list[exp.Expression] = []
        cap: int | None = None
        for cond in conjuncts:
            bound = _rownum_bound(cond)
            if bound is None:
                keep.append(cond)
            else:
                cap = bound if cap is None else min(cap, bound)
        if cap is None:
            continue
        if keep:
            select.set("where", exp.Where(this=exp.and_(*keep)))
        else:
            select.set("where", None)
        existing = select.args.get("limit")
        if isinstance(existing, exp.Limit | exp.Fetch):
            count = existing.args.get("expression") or existing.args.get("count")
            if isinstance(count, exp.Literal) and not count.is_string:
                cap = min(cap, int(count.this))
        select.set("limit", exp.Limit(expression=exp.Literal.number(max(cap, 0))))
    if any(col.name == "rownum" and not col.table for col in tree.find_all(exp.Column)):
        raise SuiteQLError()


def _rownum_bound(cond: exp.Expression) -> int | None:
    if not isinstance(cond, exp.LTE | exp.LT | exp.EQ | exp.GTE | exp.GT):
        return None
    left, right = cond.this, cond.expression
    flipped = False
    if isinstance(right, exp.Column) and right.name == "rownum":
        left, right, flipped = right, left, True
    if not (isinstance(left, exp.Column) and left.name == "rownum" and not left.table):
        return None
    if not (isinstance(right, exp.Literal) and not right.is_string):
        return None
    n = int(float(right.this))
    op = type(cond)
    if flipped:
        op = {exp.GTE: exp.LTE, exp.GT: exp.LT, exp.LTE: exp.GTE, exp.LT: exp.GT}.get(op, op)
    if op is exp.LTE:
        return n
    if op is exp.LT:
        return n - 1
    if op is exp.EQ and n == 1:
        return 1
    raise SuiteQLError()


def _builtins(tree: exp.Expression) -> exp.Expression:
    """``BUILTIN.DF(x)`` / ``BUILTIN.CF(x)`` -> marker calls ``ns_df(x)`` / ``ns_cf(x)``."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Anonymous):
            owner = node.this
            if isinstance(owner, exp.Identifier | exp.Column) and owner.name == "builtin":
                name = str(node.expression.this).lower()
                args = node.expression.expressions
                if name in ("df", "cf") and len(args) == 1:
                    return exp.Anonymous(this=f"ns_{name}", expressions=[args[0]])
                raise SuiteQLError()
        return node

    return tree.transform(rewrite, copy=False)


def _check_tables(tree: exp.Expression, customer_id: int | None) -> None:
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for name in ctes:
        if name in schema.TABLES or name.startswith(("_", "sqlite")) or name == "main":
            raise SuiteQLError()
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier) or table.args.get("db") or table.args.get("catalog"):
            raise SuiteQLError(f"Invalid search type: {table.sql(dialect='oracle').lower()}.")
        name = table.name
        if name in ctes:
            continue
        if name not in schema.TABLES:
            if customer_id is not None and name.startswith("_"):
                raise SuiteQLError(f"Search error occurred: Record '{name}' was not found.")
            raise SuiteQLError(f"Invalid search type: {name}.")
        try:
            schema.visible_rows(name, customer_id)
        except schema.NotVisible as exc:
            raise SuiteQLError(f"Search error occurred: Record '{name}' was not found.") from exc


def _identifiers(tree: exp.Expression) -> str:
    pairs: dict[str, str] = {}
    for table in tree.find_all(exp.Table):
        pairs.setdefault(table.alias_or_name, table.name)
    return "{" + ", ".join(f"{alias}={name}" for alias, name in pairs.items()) + "}"


_UNRESOLVED = re.compile(r"Column '([^']+)' could not be resolved|Unknown column: (\S+)")


def _qualify(tree: exp.Expression) -> exp.Expression:
    try:
        return qualify(
            tree,
            schema=_SQL_SCHEMA,
            dialect="sqlite",
            validate_qualify_columns=True,
            quote_identifiers=False,
            identify=False,
        )
    except OptimizeError as exc:
        match = _UNRESOLVED.search(str(exc))
        if match:
            name = (match.group(1) or match.group(2)).split(".")[-1].strip("\"'`")
            raise SuiteQLError(
                f"Search error occurred: Unknown identifier '{name}'. "
                f"Available identifiers are: {_identifiers(tree)}."
            ) from exc
        raise SuiteQLError() from exc
    except SuiteQLError:
        raise
    except Exception as exc:
        raise SuiteQLError() from exc


def _source_column(scope: Scope, column: exp.Column) -> tuple[str, str, exp.Column] | None:
    """The (base table, column name, column as written) a qualified column reads, if it reads one."""
    current: Scope | None = scope
    while current is not None:
        source = current.sources.get(column.table)
        if source is not None:
            break
        current = current.parent
    else:
        return None
    if isinstance(source, exp.Table):
        return source.name, column.name, column
    if isinstance(source, Scope):
        for projection in source.expression.selects:
            if projection.alias_or_name == column.name:
                inner = projection.this if isinstance(projection, exp.Alias) else projection
                if isinstance(inner, exp.Column):
                    found = _source_column(source, inner)
                    if found:
                        return found[0], found[1], column
    return None


def _display_subquery(target: str, value: exp.Expression, counter: list[int]) -> exp.Expression:
    counter[0] += 1
    alias = f"_df{counter[0]}"
    key = schema.PRIMARY_KEYS.get(target, "id")
    display = schema.DISPLAY[target].format(a=alias)
    subquery = sqlglot.parse_one(
        f'SELECT {display} FROM "{target}" AS {alias} WHERE {alias}.{key} = 0 LIMIT 1',  # noqa: S608 (schema names)
        read="sqlite",
    )
    subquery.find(exp.EQ).set("expression", value.copy())  # type: ignore[union-attr]
    return exp.Subquery(this=subquery)


def _resolve_builtins(tree: exp.Expression) -> None:
    counter = [0]
    for scope in traverse_scope(tree):
        for call in list(scope.expression.find_all(exp.Anonymous)):
            name = str(call.this).lower()
            if name not in ("ns_df", "ns_cf") or call.find_ancestor(exp.Select) is not scope.expression:
                continue
            arg = call.expressions[0]
            found = _source_column(scope, arg) if isinstance(arg, exp.Column) else None
            replacement: exp.Expression = arg.copy()
            if found:
                table, column, written = found
                sibling = exp.column("type", table=written.table) if written.table else None
                direct = isinstance(scope.sources.get(written.table), exp.Table)
                if table == "transaction" and column == "status" and direct and sibling is not None:
                    if name == "ns_df":
                        replacement = exp.Anonymous(this="ns_status_name", expressions=[sibling, arg.copy()])
                    else:
                        replacement = exp.DPipe(
                            this=exp.DPipe(this=sibling, expression=exp.Literal.string(":")),
                            expression=arg.copy(),
                        )
                elif name == "ns_df" and table == "transaction" and column == "type":
                    replacement = exp.Anonymous(this="ns_trantype_name", expressions=[arg.copy()])
                elif name == "ns_df" and (table, column) in schema.REFERENCES:
                    replacement = _display_subquery(schema.REFERENCES[(table, column)], arg, counter)
            call.replace(replacement)
    for call in list(tree.find_all(exp.Anonymous)):
        if str(call.this).lower() in ("ns_df", "ns_cf"):
            call.replace(call.expressions[0].copy())


def _kind(node: exp.Expression) -> str | None:
    """Whether an expression is a date or a datetime (so that it renders and compares as one)."""
    if isinstance(node, exp.Alias | exp.Paren):
        return _kind(node.this)
    if isinstance(node, exp.Column):
        return _COLUMN_KINDS.get(node.name)
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        if name == "ns_sysdate":
            return schema.DATETIME
        if name == "ns_strptime":
            return schema.DATE
        if name in ("ns_date_in", "ns_add_months", "ns_date_add") and node.expressions:
            return _kind(node.expressions[0]) or schema.DATE
        if name in ("ns_trunc", "ns_last_day") and node.expressions and _kind(node.expressions[0]):
            return schema.DATE
        return None
    if isinstance(node, exp.Coalesce | exp.Max | exp.Min | exp.AnyValue):
        for child in [node.this, *node.expressions]:
            kind = _kind(child) if isinstance(child, exp.Expression) else None
            if kind:
                return kind
        return None
    if isinstance(node, exp.Case):
        for child in [*(i.args.get("true") for i in node.args.get("ifs", [])), node.args.get("default")]:
            kind = _kind(child) if isinstance(child, exp.Expression) else None
            if kind:
                return kind
    return None


def _call(name: str, *args: exp.Expression | None) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=[a for a in args if a is not None])


def _translate(node: exp.Expression) -> exp.Expression:
    """One Oracle construct -> SQL over the registered functions (bottom-up, via transform)."""
    if isinstance(node, exp.ToChar):
        return _call("ns_to_char", node.this, node.args.get("format"))
    if isinstance(node, exp.StrToDate | exp.StrToTime):
        return _call("ns_strptime", node.this, node.args.get("format"))
    if isinstance(node, exp.DateStrToDate | exp.TsOrDsToDate):
        return _call("ns_date_in", node.this)
    if isinstance(node, exp.Cast) and node.to.this in (
        exp.DataType.Type.DATE,
        exp.DataType.Type.DATETIME,
        exp.DataType.Type.TIMESTAMP,
    ):
        return _call("ns_date_in", node.this)
    if isinstance(node, exp.CurrentTimestamp | exp.CurrentDate | exp.CurrentDatetime):
        return _call("ns_sysdate")
    if isinstance(node, exp.AddMonths):
        return _call("ns_add_months", node.this, node.expression)
    if isinstance(node, exp.DateTrunc):
        return _call("ns_trunc", node.this, node.args.get("unit"))
    if isinstance(node, exp.Trunc):
        return _call("ns_trunc", node.this, node.args.get("decimals"))
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "trunc":
        return _call("ns_trunc", *node.expressions)
    if isinstance(node, exp.Extract):
        return _call("ns_extract", exp.Literal.string(node.this.name.lower()), node.expression)
    if isinstance(node, exp.LastDay):
        return _call("ns_last_day", node.this)
    if isinstance(node, exp.MonthsBetween):
        return _call("ns_months_between", node.this, node.expression)
    if isinstance(node, exp.ToNumber):
        return _call("ns_to_number", node.this)
    if isinstance(node, exp.Sub | exp.Add):
        left, right = _kind(node.this), _kind(node.expression)
        if isinstance(node, exp.Sub) and left and right:
            return _call("ns_date_diff", node.this, node.expression)
        if left and not right:
            offset = node.expression if isinstance(node, exp.Add) else exp.Neg(this=node.expression)
            return _call("ns_date_add", node.this, offset)
        if right and not left and isinstance(node, exp.Add):
            return _call("ns_date_add", node.expression, node.this)
    if isinstance(node, exp.EQ | exp.NEQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        if _kind(node.this) and _is_bindable(node.expression):
            node.set("expression", _call("ns_date_in", node.expression))
        elif _kind(node.expression) and _is_bindable(node.this):
            node.set("this", _call("ns_date_in", node.this))
    elif isinstance(node, exp.Between) and _kind(node.this):
        for key in ("low", "high"):
            if _is_bindable(node.args[key]):
                node.set(key, _call("ns_date_in", node.args[key]))
    elif isinstance(node, exp.In) and _kind(node.this):
        node.set("expressions", [_call("ns_date_in", e) if _is_bindable(e) else e for e in node.expressions])
    return node


def _translate_all(tree: exp.Expression) -> None:
    # Post-order, so that a parent sees its children translated (date kinds of ``TRUNC(SYSDATE) - 30``).
    for node in reversed(list(tree.dfs())):
        replacement = _translate(node)
        if replacement is not node:
            node.replace(replacement)


def _is_bindable(node: exp.Expression) -> bool:
    return isinstance(node, exp.Placeholder) or (isinstance(node, exp.Literal) and node.is_string)


def _check_functions(tree: exp.Expression) -> None:
    for call in tree.find_all(exp.Anonymous):
        if str(call.this).lower() not in _ALLOWED_FUNCTIONS:
            raise SuiteQLError()


def _restrict(tree: exp.Expression, customer_id: int | None) -> None:
    """Replace each base-table reference by the subquery of rows ``customer_id`` may see."""
    if customer_id is None:
        return
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        if table.name in ctes or table.args.get("db"):
            continue
        source = schema.visible_rows(table.name, customer_id)
        if source is None:
            continue
        subquery = exp.Subquery(
            this=sqlglot.parse_one(source, read="sqlite"),
            alias=exp.TableAlias(this=exp.to_identifier(table.alias_or_name)),
        )
        table.replace(subquery)


def _projected_kind(scope: Scope, node: exp.Expression) -> str | None:
    """``_kind`` of a projection, looking through derived tables: a column of a subquery has the
    kind of the subquery's expression (a ``TO_CHAR`` alias is text, whatever its name)."""
    inner = node.this if isinstance(node, exp.Alias) else node
    if isinstance(inner, exp.Column):
        source = scope.sources.get(inner.table)
        if isinstance(source, Scope):
            source = _leftmost(source)
            for projection in source.expression.selects:
                if projection.alias_or_name == inner.name:
                    return _projected_kind(source, projection)
            return None
    return _kind(node)


def _leftmost(scope: Scope) -> Scope:
    while scope.set_operation_scopes:
        scope = scope.set_operation_scopes[0]
    return scope


def _output_columns(tree: exp.Query) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    names: list[str] = []
    kinds: list[str | None] = []
    unnamed = 0
    root = _leftmost(build_scope(tree))  # type: ignore[arg-type]
    for projection in root.expression.selects:
        name = projection.alias_or_name.lower()
        if not name or name.startswith("_col_"):
            unnamed += 1
            name = f"expr{unnamed}"
        names.append(name)
        kinds.append(_projected_kind(root, projection))
    return tuple(names), tuple(kinds)


@functools.lru_cache(maxsize=512)
def compile_query(q: str, customer_id: int | None = None) -> CompiledQuery:
    """SuiteQL text -> SQLite text plus output column names and date kinds (cached)."""
    text, placeholders = _number_placeholders(q)
    tree = _parse(text)
    _lowercase_identifiers(tree)
    _rownum(tree)
    tree = _builtins(tree)
    _check_tables(tree, customer_id)
    tree = _qualify(tree)
    _resolve_builtins(tree)
    _translate_all(tree)
    _check_functions(tree)
    columns, kinds = _output_columns(tree)  # type: ignore[arg-type]
    _restrict(tree, customer_id)
    try:
        sql = tree.sql(dialect="sqlite", identify=True, comments=False)
    except Exception as exc:
        raise SuiteQLError() from exc
    return CompiledQuery(sql=sql, columns=columns, kinds=kinds, placeholders=placeholders)


# --- execution ----------------------------------------------------------------------------------

_READABLE = frozenset(schema.TABLES)


def _authorizer(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
) -> int:
    # Defence in depth behind the compiler: a query may read SuiteQL tables and call known functions.
    if action == sqlite3.SQLITE_SELECT:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ and arg1 in _READABLE:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _ALLOWED_FUNCTIONS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _bind(params: Sequence[Any], expected: int) -> dict[str, Any]:
    if len(params) != expected:
        raise SuiteQLError()
    bound: dict[str, Any] = {}
    for n, value in enumerate(params, start=1):
        if isinstance(value, bool):
            value = "T" if value else "F"
        elif value is not None and not isinstance(value, str | int | float):
            raise SuiteQLError()
        bound[f"p{n}"] = value
    return bound


def execute(
    db: sqlite3.Connection, compiled: CompiledQuery, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Run a compiled query: at most ``MAX_RESULTS`` raw rows."""
    bound = _bind(params, compiled.placeholders)
    deadline = time.monotonic() + QUERY_DEADLINE_SECONDS
    with schema.locked(db):
        install_functions(db)
        db.set_authorizer(_authorizer)
        db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            cursor = db.execute(compiled.sql, bound)
            return cursor.fetchmany(MAX_RESULTS)
        except (sqlite3.Error, ValueError, OverflowError) as exc:
            raise SuiteQLError() from exc
        finally:
            db.set_authorizer(None)
            db.set_progress_handler(None, 0)


def render_row(compiled: CompiledQuery, row: Sequence[Any]) -> dict[str, Any]:
    """One result row as NetSuite sends it: strings only, NULLs omitted, dates in the user format."""
    item: dict[str, Any] = {"links": []}
    for name, kind, value in zip(compiled.columns, compiled.kinds, row, strict=False):
        if value is None or name in item:
            continue
        if kind == schema.DATE:
            text = format_date(value)
        elif kind == schema.DATETIME:
            text = format_datetime(value) if _has_time(value) else format_date(value)
        elif isinstance(value, int | float):
            text = format_number(value)
        elif isinstance(value, bytes):
            text = value.hex()
        else:
            text = str(value)
        item[name] = text
    return item


def run_suiteql(
    db: sqlite3.Connection, q: str, params: Sequence[Any] = (), principal: Principal | None = None
) -> tuple[CompiledQuery, list[tuple[Any, ...]]]:
    """Compile and execute ``q`` as ``principal`` (None: administrator). Raises ``SuiteQLError``."""
    customer_id = principal.customer_id if principal else None
    try:
        compiled = compile_query(q, customer_id)
    except SuiteQLError:
        raise
    except RecursionError as exc:
        raise SuiteQLError() from exc
    except Exception as exc:  # sqlglot can fail in many ways on hostile text
        raise SuiteQLError() from exc
    return compiled, execute(db, compiled, params)


# --- the endpoint ---------------------------------------------------------------------------------


def _query_param_error(name: str, detail: str) -> JSONResponse:
    return error_response(400, "INVALID_PARAMETER", detail, errorQueryParam=name)


def parse_paging(request: Request) -> tuple[int, int] | JSONResponse:
    """``limit``/``offset`` from the query string, validated as NetSuite does (shared with records)."""
    values: dict[str, int] = {}
    for name, default, low, high in (("limit", MAX_LIMIT, 1, MAX_LIMIT), ("offset", 0, 0, MAX_RESULTS)):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            values[name] = default
            continue
        try:
            value = int(raw.strip())
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            return _query_param_error(
                name,
                f"Invalid value for the query parameter '{name}'. Provide an integer from {low} to {high}.",
            )
        values[name] = value
    limit, offset = values["limit"], values["offset"]
    if offset % limit:
        return _query_param_error("offset", "The offset value must be divisible by the limit value.")
    if offset + limit > MAX_RESULTS:
        return _query_param_error("offset", f"The sum of offset and limit must not exceed {MAX_RESULTS}.")
    return limit, offset


def page_links(
    url: str, limit: int, offset: int, total: int, extra: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """NetSuite's paging links: first/prev/next/last where they apply, then self.

    ``extra`` query parameters (a record list's ``q``) are kept in every link."""

    def href(at: int) -> dict[str, str]:
        return {"href": f"{url}?{urlencode({**(extra or {}), 'limit': limit, 'offset': at})}"}

    last = max(0, (min(total, MAX_RESULTS) - 1) // limit * limit)
    links = []
    if offset > 0:
        links.append({"rel": "first", **href(0)})
        links.append({"rel": "prev", **href(max(0, offset - limit))})
    if offset + limit < total:
        links.append({"rel": "next", **href(offset + limit)})
    if total > limit:
        links.append({"rel": "last", **href(last)})
    links.append({"rel": "self", **href(offset)})
    return links


def collection(
    url: str,
    items: list[dict[str, Any]],
    limit: int,
    offset: int,
    total: int,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "links": page_links(url, limit, offset, total, extra),
        "count": len(items),
        "hasMore": offset + len(items) < total,
        "items": items,
        "offset": offset,
        "totalResults": total,
    }


def authorized(request: Request) -> tuple[SandboxState, Principal] | Response:
    """The sandbox state and the request's principal, or the 401 NetSuite answers."""
    state: SandboxState = request.app.state.sandbox
    principal = authenticate(state, request.headers.get("authorization"))
    if principal is None or "rest_webservices" not in principal.scopes:
        return invalid_login_response(state.config.account_id)
    return state, principal


async def suiteql_endpoint(request: Request) -> Response:
    auth = authorized(request)
    if isinstance(auth, Response):
        return auth
    state, principal = auth
    paging = parse_paging(request)
    if isinstance(paging, Response):
        return paging
    limit, offset = paging
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "INVALID_CONTENT", "Invalid content in the request body")
    if not isinstance(body, dict) or not isinstance(body.get("q"), str) or not body["q"].strip():
        return suiteql_error(UNSUPPORTED)
    params = body.get("params") or []
    if not isinstance(params, list):
        return suiteql_error(UNSUPPORTED)
    try:
        compiled, rows = run_suiteql(state.db, body["q"], params, principal)
    except SuiteQLError as exc:
        return suiteql_error(exc.message)
    window = [render_row(compiled, row) for row in rows[offset : offset + limit]]
    url = state.config.base_url.rstrip("/") + PATH
    return JSONResponse(collection(url, window, limit, offset, len(rows)))


def routes() -> list[Route]:
    return [Route(PATH, suiteql_endpoint, methods=["POST"])]


__all__ = [
    "MAX_LIMIT",
    "MAX_RESULTS",
    "PATH",
    "CompiledQuery",
    "SuiteQLError",
    "authorized",
    "collection",
    "compile_query",
    "execute",
    "format_date",
    "format_datetime",
    "format_number",
    "install_functions",
    "page_links",
    "parse_paging",
    "render_row",
    "routes",
    "run_suiteql",
    "suiteql_endpoint",
]
