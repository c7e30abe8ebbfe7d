from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from graph.netsuite.suiteql import (
    SQL,
    as_bool,
    as_date,
    as_datetime,
    as_decimal,
    as_int,
    as_str,
    ids,
    in_list,
    render,
)

HOSTILE = st.one_of(
    st.text().filter(lambda s: "\x00" not in s),
    st.lists(
        st.sampled_from(
            [
                "'",
                "''",
                "\\",
                "\\'",
                "--",
                "/*",
                "*/",
                ";",
                "\n",
                "\r\n",
                " OR 1=1",
                ":x",
                '"',
                "é",
                "🦆",
                "\u2028",
            ]
        ),
        max_size=12,
    ).map("".join),
)


def parse_one_statement(sql: str) -> exp.Expression:
    statements = [s for s in sqlglot.parse(sql, read="oracle") if s is not None]
    assert len(statements) == 1
    return statements[0]


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_hostile_strings_stay_one_literal(value: str) -> None:
    sql = render("SELECT id FROM customer WHERE email = :email AND isinactive = 'F'", email=value)
    where = parse_one_statement(sql).args["where"].this
    assert isinstance(where, exp.And)
    left, right = where.this, where.expression
    assert isinstance(left, exp.EQ) and left.this.name == "email"
    assert isinstance(left.expression, exp.Literal) and left.expression.is_string
    assert left.expression.this == value
    assert isinstance(right, exp.EQ) and right.this.name == "isinactive" and right.expression.this == "F"


@settings(max_examples=100, deadline=None)
@given(st.lists(HOSTILE, min_size=1, max_size=5))
def test_hostile_lists_stay_one_in_list(values: list[str]) -> None:
    sql = render("SELECT id FROM customer WHERE email IN :emails", emails=values)
    condition = parse_one_statement(sql).args["where"].this
    assert isinstance(condition, exp.In)
    assert [item.this for item in condition.expressions] == values


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_cannot_turn_into_comments(number: int) -> None:
    sql = render("SELECT id FROM t WHERE a -:n = 0 AND b = 1", n=number)
    where = parse_one_statement(sql).args["where"].this
    assert isinstance(where, exp.And)
    assert where.expression.sql() == "b = 1"


def test_typed_literals() -> None:
    sql = render(
        "SELECT :i, :b, :f, :n, :d, :x, :dec, :flt, :neg",
        i=42,
        b=True,
        f=False,
        n=None,
        d=dt.date(2024, 2, 29),
        x="O'Brien",
        dec=Decimal("12.50"),
        flt=0.25,
        neg=-3,
    )
    assert (
        sql == "SELECT 42, 'T', 'F', NULL, TO_DATE('2024-02-29', 'YYYY-MM-DD'), 'O''Brien', 12.50, 0.25, (-3)"
    )
    assert isinstance(sql, SQL)


def test_collections_and_empty_lists() -> None:
    assert render("x IN :v", v=[3, 1, 2]) == "x IN (3, 1, 2)"
    assert render("x IN :v", v={3, 1, 2}) == "x IN (1, 2, 3)"
    assert render("x IN :v", v=()) == "x IN (NULL)"
    with pytest.raises(ValueError, match="in_list"):
        render("x IN :v", v=list(range(1001)))


def test_placeholders_inside_quotes_and_comments_are_left_alone() -> None:
    template = "SELECT TO_CHAR(d, 'HH24:MI:SS'), ':a' AS \"x:a\" FROM t -- :a\nWHERE id = :a"
    assert (
        render(template, a=5) == "SELECT TO_CHAR(d, 'HH24:MI:SS'), ':a' AS \"x:a\" FROM t -- :a\nWHERE id = 5"
    )


@pytest.mark.parametrize(
    ("template", "params"),
    [
        ("SELECT :a", {}),
        ("SELECT 1", {"a": 1}),
        ("SELECT ':a", {"a": 1}),
        ("SELECT /* :a", {"a": 1}),
    ],
)
def test_missing_unknown_and_unbalanced_are_errors(template: str, params: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        render(template, **params)


@pytest.mark.parametrize(
    "value",
    [
        "a\x00b",
        float("nan"),
        float("inf"),
        Decimal("NaN"),
        dt.datetime(2024, 1, 1),
        object(),
        b"x",
        [[1]],
        "\ud800",
    ],
)
def test_unsafe_or_unsupported_values_are_refused(value: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        render("SELECT :v", v=value)


def test_sql_fragments_compose_verbatim() -> None:
    condition = in_list("t.entity", [1, 2])
    assert render(
        "SELECT id FROM transaction t WHERE :c AND t.type = :type", c=condition, type="CustInvc"
    ) == ("SELECT id FROM transaction t WHERE t.entity IN (1, 2) AND t.type = 'CustInvc'")


def test_in_list_chunks_under_the_limit() -> None:
    values = list(range(2500))
    condition = in_list("t.entity", values)
    parsed = parse_one_statement(f"SELECT id FROM t WHERE {condition}").args["where"].this
    assert isinstance(parsed, exp.Paren)
    groups = list(parsed.find_all(exp.In))
    assert sorted(len(group.expressions) for group in groups) == [500, 1000, 1000]
    assert sorted(int(item.this) for group in groups for item in group.expressions) == values
    assert in_list("id", []) == "id IN (NULL)"
    assert in_list("id", ["a'b"]) == "id IN ('a''b')"


@pytest.mark.parametrize("column", ["t.entity; DROP", "1abc", "a.b.c", "t.entity--", "", "(x)"])
def test_in_list_refuses_non_identifiers(column: str) -> None:
    with pytest.raises(ValueError):
        in_list(column, [1])


def test_ids_validates_and_deduplicates() -> None:
    assert ids([3, "4", 3, " 5 "]) == [3, 4, 5]
    for bad in ([True], ["1 OR 1=1"], [-1], [1.5], ["١٢"], [None]):
        with pytest.raises(ValueError):
            ids(bad)


def test_readers_accept_both_wire_forms() -> None:
    assert as_int("143") == 143 and as_int(143) == 143 and as_int("7.0") == 7 and as_int(None) is None
    assert as_decimal("1250.50") == Decimal("1250.50") and as_decimal(0.1) == Decimal("0.1")
    assert as_decimal(12) == Decimal(12) and as_decimal("") is None
    assert (
        as_bool("T") is True and as_bool("F") is False and as_bool(True) is True and as_bool("false") is False
    )
    assert as_bool(None) is None
    assert as_date("2025-01-15") == dt.date(2025, 1, 15) == as_date("1/15/2025")
    assert as_date("2025-01-15T10:00:00Z") == dt.date(2025, 1, 15)
    assert as_datetime("2021-08-11T19:50:00Z") == dt.datetime(2021, 8, 11, 19, 50, tzinfo=dt.UTC)
    assert as_datetime("2024-05-01 17:12:00") == dt.datetime(2024, 5, 1, 17, 12)
    assert as_str(107) == "107" and as_str("x") == "x" and as_str(None) is None and as_str(False) == "F"


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (as_int, "7.5"),
        (as_int, True),
        (as_decimal, "abc"),
        (as_decimal, "Infinity"),
        (as_bool, "maybe"),
        (as_date, "15th"),
        (as_datetime, "yesterday"),
    ],
)
def test_readers_reject_garbage(reader: object, value: object) -> None:
    with pytest.raises(ValueError):
        reader(value)  # type: ignore[operator]
