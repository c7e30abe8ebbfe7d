"""The portal's GraphQL schema. ``schema`` is what ``schema.graphql`` is exported from."""

from __future__ import annotations

import strawberry
from strawberry.extensions import DisableIntrospection, ParserCache, ValidationCache

from graph.schema.extensions import AuditTrail, RequestDeadline, TypedErrors
from graph.schema.limits import QueryLimits, limits_extension
from graph.schema.mutation import Mutation
from graph.schema.query import Query
from graph.schema.types import Contact, Customer, Invoice, SalesOrder, SupportCase


def build_schema(*, introspection: bool = True, limits: QueryLimits | None = None) -> strawberry.Schema:
    extensions: list = [
        limits_extension(limits or QueryLimits()),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        RequestDeadline,
        TypedErrors,
        AuditTrail,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Customer, Invoice, SalesOrder, SupportCase, Contact],
        extensions=extensions,
    )


schema = build_schema()

__all__ = ["build_schema", "schema"]
