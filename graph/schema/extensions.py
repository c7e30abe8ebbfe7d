"""Schema extensions: the request deadline, and errors mapped onto typed, safe client errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.netsuite import deadline_scope
from graph.schema.errors import PortalError, to_portal_error

log = logging.getLogger("graph.schema")


class RequestDeadline(SchemaExtension):
    """Every upstream call of one operation shares one deadline (UPSTREAM_BUSY once it is spent)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        seconds = getattr(getattr(context, "settings", None), "request_deadline", None) or 20.0
        with deadline_scope(seconds):
            yield


class TypedErrors(SchemaExtension):
    """Replace every resolver error by a ``PortalError``: a code, a safe message, no internals."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        login_url = context.login_url if hasattr(context, "login_url") else "/auth/login"
        result.errors = [self._mapped(error, login_url) for error in result.errors]

    @staticmethod
    def _mapped(error: GraphQLError, login_url: str) -> GraphQLError:
        original = error.original_error
        if original is None:
            return error  # a syntax or validation error: already about the client's document
        if isinstance(original, PortalError):
            portal = original
        else:
            portal = to_portal_error(original, login_url=login_url)
            if portal.code == "INTERNAL_SERVER_ERROR":
                log.error("resolver failed at %s", ".".join(map(str, error.path or [])), exc_info=original)
            else:
                log.warning("upstream failure at %s: %r", ".".join(map(str, error.path or [])), original)
        return GraphQLError(
            portal.message,
            nodes=error.nodes,
            path=error.path,
            original_error=None,
            extensions=portal.extensions,
        )


__all__ = ["RequestDeadline", "TypedErrors"]
