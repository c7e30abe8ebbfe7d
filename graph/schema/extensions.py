"""Schema extensions: the request deadline, typed and masked errors, and the audit trail."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from inspect import isawaitable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSyntaxError, get_named_type
from strawberry.extensions import SchemaExtension

from graph.audit import audit, current_request_id, viewer_label
from graph.netsuite import deadline_scope
from graph.schema.errors import PortalError, to_portal_error
from graph.schema.types import Node

log = logging.getLogger("graph.schema")

# graphql-core's "Did you mean ...?" hints name fields and types: schema detail that production,
# with introspection off, does not hand out.
_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


class RequestDeadline(SchemaExtension):
    """Every upstream call of one operation shares one deadline (UPSTREAM_BUSY once it is spent)."""

    def on_operation(self) -> Iterator[None]:
        settings = getattr(self.execution_context.context, "settings", None)
        if settings is None:  # the schema run outside the app, with no NetSuite behind it
            yield
            return
        with deadline_scope(settings.request_deadline):
            yield


class TypedErrors(SchemaExtension):
    """Replace every resolver error by a ``PortalError``: a code, a safe message, no internals.

    Every error carries ``extensions.requestId``, the id the log lines about it carry too.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        login_url = context.login_url if hasattr(context, "login_url") else "/auth/login"
        settings = getattr(context, "settings", None)
        hide_schema = settings is not None and not settings.introspection
        request_id = current_request_id()
        result.errors = [self._mapped(error, login_url, request_id, hide_schema) for error in result.errors]

    @staticmethod
    def _mapped(
        error: GraphQLError, login_url: str, request_id: str | None, hide_schema: bool
    ) -> GraphQLError:
        original = error.original_error
        where = ".".join(map(str, error.path or []))
        if isinstance(original, PortalError):
            message, extensions = original.message, dict(original.extensions or {})
        elif original is None or error.path is None:
            # About the client's document or variables (syntax, validation, coercion, a limit).
            message = _SUGGESTION.sub("", error.message) if hide_schema else error.message
            extensions = {"code": _document_error_code(error), **(error.extensions or {})}
        else:
            portal = to_portal_error(original, login_url=login_url)
            if portal.code == "INTERNAL_SERVER_ERROR":
                log.error("request %s: resolver failed at %s", request_id, where, exc_info=original)
            else:
                log.warning("request %s: upstream failure at %s: %r", request_id, where, original)
            message, extensions = portal.message, dict(portal.extensions or {})
        if request_id is not None:
            extensions["requestId"] = request_id
        return GraphQLError(message, nodes=error.nodes, path=error.path, extensions=extensions)


def _document_error_code(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    return "BAD_USER_INPUT" if error.original_error is not None else "GRAPHQL_VALIDATION_FAILED"


class AuditTrail(SchemaExtension):
    """One ``suitegraph.audit`` line per operation: who, which operation, which records, outcome."""

    def __init__(self) -> None:
        self.records: dict[str, set[str]] = {}

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        session = getattr(context.context, "session", None)
        result = context.result
        codes = (
            Counter(
                str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED"))
                for error in result.errors or ()
            )
            if result is not None
            else Counter()
        )
        audit(
            "graphql",
            account=getattr(session, "account_id", None),
            viewer=viewer_label(session),
            operationName=context.operation_name,
            operationType=_operation_type(context),
            records={name: len(ids) for name, ids in sorted(self.records.items())},
            errors=dict(codes),
            outcome="ok" if not codes else ("partial" if result and result.data else "error"),
        )

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any
    ) -> Any:
        value = _next(root, info, *args, **kwargs)
        if get_named_type(info.return_type).name not in _RECORD_TYPE_NAMES:
            return value
        if isawaitable(value):
            return self._counted_later(value)
        self._count(value)
        return value

    async def _counted_later(self, pending: Any) -> Any:
        value = await pending
        self._count(value)
        return value

    def _count(self, value: Any) -> None:
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, Node):
                self.records.setdefault(type(item).__name__, set()).add(str(item.id))


def _record_type_names() -> frozenset[str]:
    return frozenset({"Node", *(cls.__name__ for cls in Node.__subclasses__())})


_RECORD_TYPE_NAMES = _record_type_names()


def _operation_type(context: Any) -> str | None:
    if context.graphql_document is None:
        return None
    try:
        return context.operation_type.value
    except Exception:  # no such operation in the document: already reported to the client
        return None


__all__ = ["AuditTrail", "RequestDeadline", "TypedErrors"]
