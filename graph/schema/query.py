"""The root query: ``viewer`` (the signed-in customer) and ``node`` (global ids)."""

from __future__ import annotations

import datetime as dt

import strawberry

from graph.auth.service import RECONSENT_WINDOW
from graph.resolvers.records import INVOICE, SALES_ORDER
from graph.schema.errors import NotFound
from graph.schema.ids import parse_global_id
from graph.schema.types import NODE_WRAPPERS, Customer, Info, Node

TRANSACTION_TYPES = {"Invoice": INVOICE, "SalesOrder": SALES_ORDER}


@strawberry.type(description="The signed-in session.")
class ViewerSession:
    signed_in_at: dt.datetime
    consent_expires_at: dt.datetime = strawberry.field(
        description="NetSuite ends the sign-in 7 days after consent; sign in again before this."
    )

    @strawberry.field(description="The consent ends within a day: offer to sign in again.")
    def reconsent_soon(self) -> bool:
        return self.consent_expires_at - dt.datetime.now(dt.UTC) < RECONSENT_WINDOW


@strawberry.type(description="The signed-in customer and what belongs to them.")
class Viewer:
    session: ViewerSession

    @strawberry.field
    async def customer(self, info: Info) -> Customer:
        loaders = info.context.loaders
        record = await loaders.records.load(("customer", loaders.viewer.customer_id))
        if record is None:
            raise NotFound("The signed-in customer is not visible to this role.")
        return Customer.from_record(record)


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in customer; UNAUTHENTICATED when nobody is signed in.")
    def viewer(self, info: Info) -> Viewer:
        session = info.context.viewer_session
        return Viewer(
            session=ViewerSession(
                signed_in_at=session.created_at, consent_expires_at=session.consent_expires_at
            )
        )

    @strawberry.field(description="Any object by its global id; only the viewer's own objects resolve.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, record_id = parse_global_id(id)
        table, wrap = NODE_WRAPPERS[type_name]
        record = await info.context.loaders.records.load((table, record_id))
        wanted_type = TRANSACTION_TYPES.get(type_name)
        if record is None or (wanted_type is not None and record.type != wanted_type):
            raise NotFound()
        return wrap(record)


__all__ = ["Query", "Viewer", "ViewerSession"]
