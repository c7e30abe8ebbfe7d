"""GraphQL errors with ``extensions.code``, and the mapping of everything else onto them.

Resolvers raise ``PortalError`` subclasses for what a client did or may do; NetSuite failures are
translated by ``to_portal_error``; anything unexpected becomes ``INTERNAL_SERVER_ERROR`` with a fixed
message (the detail goes to the log only).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from graph.netsuite import errors as ns
from graph.store import StoreError


class PortalError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"
    default_message = "Unexpected error."

    def __init__(self, message: str | None = None, **extensions: Any) -> None:
        super().__init__(message or self.default_message, extensions={"code": self.code, **extensions})


class Unauthenticated(PortalError):
    code = "UNAUTHENTICATED"
    default_message = "Sign in to see this."


class Forbidden(PortalError):
    code = "FORBIDDEN"
    default_message = "This is not yours to see."


class NotFound(PortalError):
    code = "NOT_FOUND"
    default_message = "No such object."


class BadUserInput(PortalError):
    code = "BAD_USER_INPUT"
    default_message = "The input is not valid."

    def __init__(self, message: str, *, field: str | None = None) -> None:
        extra = {"field": field} if field else {}
        super().__init__(message, **extra)


class UpstreamBusy(PortalError):
    code = "UPSTREAM_BUSY"
    default_message = "NetSuite is busy; try again in a moment."


class UpstreamError(PortalError):
    code = "UPSTREAM_ERROR"
    default_message = "NetSuite could not answer this request."


class ServiceUnavailable(PortalError):
    code = "SERVICE_UNAVAILABLE"
    default_message = "The portal cannot serve this request right now; try again in a moment."


class QueryTooComplex(PortalError):
    code = "QUERY_TOO_COMPLEX"
    default_message = "The query is too complex."

    def __init__(self, limit: str, maximum: int) -> None:
        super().__init__(f"The query exceeds the {limit} limit of {maximum}.", limit=limit, maximum=maximum)


class RateLimited(PortalError):
    code = "RATE_LIMITED"
    default_message = "Too many requests; try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(retryAfter=retry_after)


class PersistedQueryNotFound(PortalError):
    # Apollo clients match this exact message and code, then resend the hash with the document.
    code = "PERSISTED_QUERY_NOT_FOUND"
    default_message = "PersistedQueryNotFound"


class PersistedQueryNotSupported(PortalError):
    code = "PERSISTED_QUERY_NOT_SUPPORTED"
    default_message = "PersistedQueryNotSupported"


class QueryNotRegistered(PortalError):
    code = "QUERY_NOT_REGISTERED"
    default_message = "Only registered queries are accepted here."


class BadRequest(PortalError):
    code = "BAD_REQUEST"
    default_message = "The request is not a valid GraphQL request."


class InternalError(PortalError):
    code = "INTERNAL_SERVER_ERROR"


def to_portal_error(error: BaseException, *, login_url: str) -> PortalError:
    """The client-facing error for ``error``; never carries NetSuite's detail or SuiteQL."""
    if isinstance(error, PortalError):
        return error
    if isinstance(error, ns.AuthenticationFailed):
        return Unauthenticated("Your NetSuite session has ended; sign in again.", loginUrl=login_url)
    if isinstance(error, ns.PermissionDenied):
        return Forbidden()
    if isinstance(error, ns.RecordNotFound):
        return NotFound()
    if isinstance(error, StoreError):
        return ServiceUnavailable()
    if isinstance(error, ns.UpstreamBusy | ns.ConcurrencyLimited):
        return UpstreamBusy()
    if isinstance(error, ns.NetSuiteError):
        return UpstreamError()
    return InternalError()


__all__ = [
    "BadRequest",
    "BadUserInput",
    "Forbidden",
    "InternalError",
    "NotFound",
    "PersistedQueryNotFound",
    "PersistedQueryNotSupported",
    "PortalError",
    "QueryNotRegistered",
    "QueryTooComplex",
    "RateLimited",
    "ServiceUnavailable",
    "Unauthenticated",
    "UpstreamBusy",
    "UpstreamError",
    "to_portal_error",
]
