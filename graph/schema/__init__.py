"""The portal's GraphQL schema; `suitegraph export-schema` prints `build_schema()` as `schema.graphql`."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, ValidationCache

from graph.schema.extensions import AuditTrail, RequestDeadline, TypedErrors
from graph.schema.limits import DocumentCache, QueryLimits, limits_extension
from graph.schema.mutation import Mutation
from graph.schema.query import Query
from graph.schema.types import Contact, Customer, Invoice, SalesOrder, SupportCase


class PortalSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Not logged here: strawberry would log documents and raw errors; TypedErrors logs what
        the operator needs (resolver failures, with the request id) and nothing a client sent."""


def build_schema(*, introspection: bool = True, limits: QueryLimits | None = None) -> strawberry.Schema:
    extensions: list = [
        limits_extension(limits or QueryLimits()),
        lambda: DocumentCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        RequestDeadline,
        # Operation hooks unwind in reverse: TypedErrors types the errors before AuditTrail reads them.
        AuditTrail,
        TypedErrors,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return PortalSchema(
        query=Query,
        mutation=Mutation,
        types=[Customer, Invoice, SalesOrder, SupportCase, Contact],
        extensions=extensions,
    )


__all__ = ["build_schema"]
