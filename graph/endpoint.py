"""The GraphQL endpoint: strawberry's ASGI view with our context and our offline IDE page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from graph.auth import AuthService
from graph.config import Settings
from graph.context import Context
from graph.gateway import GraphQLGateway
from graph.persisted import PersistedQueries
from graph.resolvers.cache import ViewerCache
from graph.schema import build_schema
from graph.schema.limits import QueryLimits
from graph.web.pages import graphiql_response


class PortalGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings, auth: AuthService, cache: ViewerCache) -> None:
        super().__init__(
            build_schema(introspection=settings.introspection, limits=QueryLimits.from_settings(settings)),
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(),
        )
        self.settings = settings
        self.auth = auth
        self.cache = cache

    async def get_context(self, request: Any, response: Any) -> Context:
        # Runs for every request, IDE page loads included: a store read at most, never NetSuite.
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            auth=self.auth,
            cache=self.cache,
            session=await self.auth.session_for(request),
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_response(self.settings)


def graphql_route(settings: Settings, auth: AuthService) -> Route:
    view = PortalGraphQL(settings, auth, ViewerCache(ttl=settings.cache_ttl))

    async def viewer_key(request: Request) -> str | None:
        session = await auth.session_for(request)  # kept on the request: get_context reuses it
        return None if session is None else "viewer:" + auth.lane(session)

    gateway = GraphQLGateway(view, settings, PersistedQueries(settings, auth.store), viewer_key)
    return Route("/graphql", gateway, methods=["GET", "POST"], name="graphql")


__all__ = ["PortalGraphQL", "graphql_route"]
