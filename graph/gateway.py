"""What a GraphQL request passes before strawberry sees it: size, CSRF, rate limit, persisted queries.

Refusals are GraphQL-shaped JSON (``errors[].extensions.code``) so that clients handle them like
any other error; none of them costs an upstream call.

CSRF follows Apollo's rule: a browser sends a cross-site request without a CORS preflight only with
a "simple" content type, so a GraphQL request must carry a non-simple ``Content-Type`` (such as
``application/json``) or one of the preflight headers. Mutations over GET are refused by strawberry.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.audit import audit, current_request_id
from graph.auth.redirects import origin_of
from graph.config import Settings
from graph.persisted import PersistedQueries
from graph.ratelimit import RateLimiter
from graph.schema.errors import BadRequest, Forbidden, PortalError, QueryTooComplex, RateLimited

SIMPLE_CONTENT_TYPES = frozenset({"text/plain", "multipart/form-data", "application/x-www-form-urlencoded"})
PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name", "graphql-preflight")

ViewerKey = Callable[[Request], Awaitable[str | None]]


class GraphQLGateway:
    def __init__(
        self, app: ASGIApp, settings: Settings, persisted: PersistedQueries, viewer_key: ViewerKey
    ) -> None:
        self.app = app
        self.settings = settings
        self.persisted = persisted
        self.viewer_key = viewer_key
        self.limiter = RateLimiter(
            per_minute=settings.rate_limit,
            burst=settings.rate_burst,
            account_per_minute=settings.account_rate_limit,
        )
        self.trusted_origins = {origin_of(settings.public_url), *settings.cors_origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        is_operation = request.method == "POST" or _carries_operation(request)
        if not is_operation:  # the IDE page
            await self.app(scope, receive, send)
            return
        try:
            self._check_csrf(request.headers)
            await self._check_rate(request)
            body = await self._read_body(request)
            scope, body = await self._resolve_persisted(scope, request, body)
        except _Refused as refused:
            audit("graphql", outcome="refused", errors={refused.error.code: 1}, upstreamCalls=0)
            await refused.response()(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _check_csrf(self, headers: Headers) -> None:
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.trusted_origins:
            raise _Refused(Forbidden("Requests from this origin are not accepted."), 403)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type and content_type not in SIMPLE_CONTENT_TYPES:
            return
        if any(name in headers for name in PREFLIGHT_HEADERS):
            return
        raise _Refused(
            BadRequest("Send GraphQL as application/json, or with an Apollo-Require-Preflight header."), 400
        )

    async def _check_rate(self, request: Request) -> None:
        key = await self.viewer_key(request) or "address:" + (request.client.host if request.client else "-")
        wait = self.limiter.check(key)
        if wait:
            raise _Refused(RateLimited(wait), 429, {"Retry-After": str(wait)})

    async def _read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Refused(QueryTooComplex("body size", limit), 413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise _Refused(QueryTooComplex("body size", limit), 413)
        return bytes(body)

    async def _resolve_persisted(self, scope: Scope, request: Request, body: bytes) -> tuple[Scope, bytes]:
        if request.method == "GET":
            params = dict(parse_qsl(scope["query_string"].decode("latin-1")))
            extensions = _json_or_none(params.get("extensions"))
            query = await self._document(params.get("query"), extensions)
            if query is not None and query != params.get("query"):
                params["query"] = query
                scope = {**scope, "query_string": urlencode(params).encode("latin-1")}
            return scope, body
        if not _is_json(request.headers):
            return scope, body  # strawberry answers other content types itself
        data = _json_or_none(body)
        if not isinstance(data, dict):
            return scope, body  # strawberry reports the malformed body
        query = await self._document(data.get("query"), data.get("extensions"))
        if query is not None and query != data.get("query"):
            body = json.dumps({**data, "query": query}).encode("utf-8")
        return scope, body

    async def _document(self, query: Any, extensions: Any) -> Any:
        try:
            return await self.persisted.resolve(query, extensions)
        except PortalError as error:
            # Apollo clients read PERSISTED_QUERY_NOT_FOUND from a 200 answer, then resend with the document.
            raise _Refused(error, 200 if error.code.startswith("PERSISTED_QUERY") else 400) from None


class _Refused(Exception):
    def __init__(self, error: PortalError, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(error.message)
        self.error, self.status, self.headers = error, status, headers or {}

    def response(self) -> JSONResponse:
        return error_response(self.error, self.status, self.headers)


def error_response(error: PortalError, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """A GraphQL-shaped answer for a request refused before strawberry runs it."""
    extensions = dict(error.extensions or {})
    request_id = current_request_id()
    if request_id is not None:
        extensions["requestId"] = request_id
    body = {"errors": [{"message": error.message, "extensions": extensions}]}
    return JSONResponse(body, status_code=status, headers=headers)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # a disconnect, if the client goes away
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _carries_operation(request: Request) -> bool:
    return "query" in request.query_params or "extensions" in request.query_params


def _is_json(headers: Headers) -> bool:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _json_or_none(raw: str | bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


__all__ = ["GraphQLGateway", "error_response"]
