"""Relay-style connections: ``edges { cursor node }``, ``nodes``, ``pageInfo``, ``totalCount``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graph.resolvers.loaders import Page
from graph.schema.errors import BadUserInput
from graph.schema.ids import cursor

T = TypeVar("T")

DEFAULT_PAGE = 10
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="How many objects match, across all pages (null when it was not asked for)."
    )

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}.", field="first")
    return first


def connection(page: Page, wrap: Callable[[Any], T]) -> Connection[T]:
    edges = [
        Edge(cursor=cursor(page.offset + index), node=wrap(record))
        for index, record in enumerate(page.records)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )


def selects(selections: Iterable[Selection], name: str) -> bool:
    """Whether ``name`` is selected directly on this field, through fragments included."""
    for selection in selections:
        if isinstance(selection, SelectedField) and selection.name == name:
            return True
        if isinstance(selection, FragmentSpread | InlineFragment) and selects(selection.selections, name):
            return True
    return False


def wants_total(info: strawberry.Info) -> bool:
    return any(selects(field.selections, "totalCount") for field in info.selected_fields)


__all__ = ["Connection", "Edge", "PageInfo", "connection", "page_size", "wants_total"]
