"""Query limits and their error, measured on the portal schema without any upstream call."""

from __future__ import annotations

import pytest
from graphql import parse

from graph.schema import build_schema
from graph.schema.limits import QueryLimits, operation_cost

DASHBOARD = """
query Dashboard {
  viewer { customer {
    companyName
    invoices(first: 5) { totalCount nodes { tranId lines { item { itemId } quantity } } }
    salesOrders(first: 5, filter: { open: true }) { nodes { tranId } }
  } }
}
"""


async def run(query: str, variables: dict | None = None, **limits: int):
    schema = build_schema(limits=QueryLimits(**limits))
    return await schema.execute(query, variable_values=variables)


def codes(result) -> list[tuple[str, str | None]]:
    return [(e.extensions["code"], e.extensions.get("limit")) for e in result.errors or []]


def deep_query(levels: int) -> str:
    return "{ viewer { customer { " + "subCustomers { nodes { " * levels + "id" + " } }" * levels + " } } }"


async def test_a_query_deeper_than_the_limit_is_refused_naming_the_limit():
    result = await run(deep_query(6), max_depth=12)
    assert codes(result) == [("QUERY_TOO_COMPLEX", "depth")]
    assert result.errors[0].extensions["maximum"] == 12
    assert result.data is None


async def test_depth_counts_fields_inside_fragments_too():
    query = "query { viewer { ...V } } fragment V on Viewer { customer { subCustomers { nodes { id } } } }"
    assert codes(await run(query, max_depth=4)) == [("QUERY_TOO_COMPLEX", "depth")]


async def test_too_many_aliases_are_refused():
    aliases = " ".join(f"a{i}: __typename" for i in range(5))
    result = await run("{ " + aliases + " }", max_aliases=4)
    assert codes(result) == [("QUERY_TOO_COMPLEX", "aliases")]


async def test_a_document_over_the_token_limit_is_refused_before_it_is_parsed_whole():
    result = await run("{ " + "__typename " * 500 + "}", max_tokens=100)
    assert codes(result) == [("QUERY_TOO_COMPLEX", "tokens")]


async def test_cost_multiplies_page_sizes_down_the_tree_and_reads_variables():
    query = "query($n: Int) { viewer { customer { invoices(first: $n) { nodes { lines { quantity } } } } } }"
    document = parse(query)
    small, large = operation_cost(document, None, {"n": 2}), operation_cost(document, None, {"n": 100})
    assert small < large
    # nodes, lines and quantity are asked once per invoice
    assert large - small == 98 * 3


async def test_an_expensive_operation_is_refused_by_cost_before_any_resolver_runs():
    query = "query($n: Int) { viewer { customer { invoices(first: $n) { nodes { lines { quantity } } } } } }"
    refused = await run(query, {"n": 100}, max_cost=100)
    assert codes(refused) == [("QUERY_TOO_COMPLEX", "cost")]
    allowed = await run(query, {"n": 5}, max_cost=100)
    # it reaches the resolvers, which ask for a signed-in viewer
    assert ("QUERY_TOO_COMPLEX", "cost") not in codes(allowed)


async def test_nested_fragment_spreads_are_measured_once_each():
    fragments = ["fragment F0 on Viewer { customer { id } }"]
    fragments += [f"fragment F{i} on Viewer {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 40)]
    query = "{ viewer { ...F39 } } " + " ".join(fragments)
    cost = operation_cost(parse(query), None, None)
    assert cost > 2**38  # counted as the repeated work it is, without walking it 2^39 times
    result = await run(query, max_tokens=5000)
    assert codes(result) == [("QUERY_TOO_COMPLEX", "cost")]


def test_the_readme_dashboard_fits_the_default_limits():
    assert operation_cost(parse(DASHBOARD), None, None) <= QueryLimits().max_cost


@pytest.mark.parametrize("repeat", [1, 2])
async def test_validation_cache_keeps_the_limit_verdict_for_a_repeated_document(repeat: int):
    schema = build_schema(limits=QueryLimits(max_depth=3))
    for _ in range(repeat + 1):
        result = await schema.execute(deep_query(2))
        assert codes(result) == [("QUERY_TOO_COMPLEX", "depth")]
    # a schema with other limits does not see the first schema's cached verdict
    other = build_schema(limits=QueryLimits(max_depth=20))
    assert ("QUERY_TOO_COMPLEX", "depth") not in codes(await other.execute(deep_query(2)))
