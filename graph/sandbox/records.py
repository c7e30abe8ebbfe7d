"""The REST record service: ``/services/rest/record/v1/{type}[/{id}]`` (NETSUITE.md §3, §5).

- ``GET {type}/{id}``: the record (``fields=``, ``expandSubResources=true``), singular media type;
- ``GET {type}``: ``q``, ``limit``, ``offset``; items carry ``links`` and ``id`` only;
- ``PATCH {type}/{id}`` and ``POST {type}``: 204 with ``Location``; ``Prefer: respond-async`` turns
  a POST into an async job (see jobs.py).

Ids are internal ids or ``eid:<externalId>``. A customer-center token sees the rows ``db.visible_rows``
allows, as SuiteQL does; another customer's record is 404 ``NONEXISTENT_ID``, never 403, so that
its existence is not revealed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.sandbox import jobs
from graph.sandbox.db import locked
from graph.sandbox.errors import error_response
from graph.sandbox.recordquery import QueryError, compile_filter
from graph.sandbox.recordtypes import RecordType, record_type
from graph.sandbox.recordviews import Renderer, find_row, is_other_transaction, source
from graph.sandbox.recordwrites import WriteError, create, update, validate
from graph.sandbox.state import Principal, SandboxState
from graph.sandbox.suiteql import authorized, collection, parse_paging

PREFIX = "/services/rest/record/v1"
SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"
NOT_FOUND = "The record instance does not exist. Provide a valid record instance ID."
_INTERNAL_ID = re.compile(r"^[1-9][0-9]{0,17}$")


class _Refusal(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _base(state: SandboxState) -> str:
    return state.config.base_url.rstrip("/") + PREFIX


def _resolve(request: Request) -> tuple[SandboxState, Principal, RecordType]:
    auth = authorized(request)
    if isinstance(auth, Response):
        raise _Refusal(auth)
    state, principal = auth
    name = request.path_params["rtype"]
    rtype = record_type(name)
    if rtype is None:
        detail = f"Record type '{name}' does not exist."
        raise _Refusal(error_response(404, "NONEXISTENT_ID", detail, errorUrl=request.url.path))
    return state, principal, rtype


def _row(request: Request, state: SandboxState, principal: Principal, rtype: RecordType) -> dict[str, Any]:
    raw = request.path_params["rid"]
    path = request.url.path
    if raw[:4].lower() == "eid:" and len(raw) > 4:
        column, value = "externalid", raw[4:]
    elif _INTERNAL_ID.match(raw):
        column, value = "id", int(raw)
    else:
        detail = f"Invalid record instance identifier '{raw}'. Provide a valid record instance ID."
        raise _Refusal(error_response(400, "INVALID_ID", detail, errorUrl=path))
    customer_id = principal.customer_id
    row = find_row(state.db, rtype, customer_id, column, value)
    if row is not None:
        return row
    if rtype.tran_type and column == "id" and is_other_transaction(state.db, customer_id, value):
        detail = "Error while accessing a resource. Transaction type specified is incorrect."
        raise _Refusal(error_response(400, "USER_ERROR", detail, errorUrl=path))
    raise _Refusal(error_response(404, "NONEXISTENT_ID", NOT_FOUND, errorUrl=path))


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise _Refusal(
            error_response(400, "INVALID_CONTENT", "Invalid content in the request body")
        ) from None


def _write_error(error: WriteError) -> Response:
    extra = {"errorPath": error.path} if error.path else {}
    return error_response(error.status, error.code, error.detail, **extra)


def _forbidden() -> Response:
    detail = "Permission Violation: You need a higher level of permission to access this resource."
    return error_response(403, "INSUFFICIENT_PERMISSION", detail)


def _location(state: SandboxState, rtype: RecordType, record_id: int) -> dict[str, str]:
    return {"Location": f"{_base(state)}/{rtype.href_name}/{record_id}"}


async def one(request: Request) -> Response:
    try:
        state, principal, rtype = _resolve(request)
        row = _row(request, state, principal, rtype)
        if request.method == "PATCH":
            return await _patch(request, state, principal, rtype, row)
    except _Refusal as refusal:
        return refusal.response
    query = request.query_params
    renderer = Renderer(state.db, _base(state))
    fields = None
    if query.get("fields"):
        fields = []
        for name in query["fields"].split(","):
            field = rtype.field(name.strip())
            if field is None:
                detail = f"Invalid value for the query parameter 'fields'. Unknown field '{name.strip()}'."
                return error_response(400, "INVALID_PARAMETER", detail, errorQueryParam="fields")
            fields.append(field)
    body = renderer.record(
        rtype, row, fields=fields, expand=query.get("expandSubResources", "").lower() == "true"
    )
    if fields is not None:
        body["links"][0]["href"] += "?" + str(request.url.query)
    return JSONResponse(body, media_type=SINGULAR)


async def _patch(
    request: Request, state: SandboxState, principal: Principal, rtype: RecordType, row: dict[str, Any]
) -> Response:
    if principal.customer_id is not None and not rtype.customer_updates:
        return _forbidden()
    body = await _json_body(request)
    try:
        update(state.db, rtype, row["id"], validate(state.db, rtype, body, principal.customer_id))
    except WriteError as error:
        return _write_error(error)
    return Response(status_code=204, headers=_location(state, rtype, row["id"]))


async def many(request: Request) -> Response:
    try:
        state, principal, rtype = _resolve(request)
        if request.method == "POST":
            return await _post(request, state, principal, rtype)
    except _Refusal as refusal:
        return refusal.response
    paging = parse_paging(request)
    if isinstance(paging, Response):
        return paging
    limit, offset = paging
    where, params = ["1 = 1"], []
    if rtype.tran_type:
        where.append("r.type = ?")
        params.append(rtype.tran_type)
    q = request.query_params.get("q")
    if q is not None:
        try:
            condition, bound = compile_filter(rtype, q)
        except QueryError as error:
            detail = f"Invalid query parameter value 'q': {error}."
            return error_response(400, "INVALID_PARAMETER", detail, errorQueryParam="q")
        where.append(condition)
        params.extend(bound)
    sql = f"SELECT r.id FROM {source(rtype.table, principal.customer_id)} AS r WHERE {' AND '.join(where)}"  # noqa: S608
    with locked(state.db):
        ids = [row[0] for row in state.db.execute(sql + " ORDER BY r.id", params).fetchall()]
    renderer = Renderer(state.db, _base(state))
    items = [
        {"links": renderer.link(f"{rtype.href_name}/{rid}"), "id": str(rid)}
        for rid in ids[offset : offset + limit]
    ]
    url = f"{_base(state)}/{rtype.name}"
    extra = {"q": q} if q is not None else None
    return JSONResponse(collection(url, items, limit, offset, len(ids), extra), media_type=COLLECTION)


async def _post(request: Request, state: SandboxState, principal: Principal, rtype: RecordType) -> Response:
    if principal.customer_id is not None and not rtype.customer_creates:
        return _forbidden()
    if rtype.tran_type:  # creating transactions is not part of the sandbox
        detail = "The HTTP method POST is not allowed for this resource."
        return error_response(405, "INVALID_REQUEST", detail, errorUrl=request.url.path)
    body = await _json_body(request)
    if isinstance(body, dict) and principal.customer_id is not None:
        # The Customer Center role files records under its own customer unless it names one.
        body = {"company": {"id": str(principal.customer_id)}, **body}

    async def run() -> Response:
        try:
            new_id = create(state.db, rtype, validate(state.db, rtype, body, principal.customer_id))
        except WriteError as error:
            return _write_error(error)
        return Response(status_code=204, headers=_location(state, rtype, new_id))

    if "respond-async" in request.headers.get("prefer", "").lower():
        return await jobs.submit(request, state, principal, run)
    return await run()


async def root(request: Request) -> Response:
    """``OPTIONS`` on the REST root: 204 for valid credentials, NetSuite's cheap credential check."""
    auth = authorized(request)
    return auth if isinstance(auth, Response) else Response(status_code=204)


def routes() -> list[Route]:
    return [
        Route("/services/rest/", root, methods=["OPTIONS"]),
        Route(f"{PREFIX}/", root, methods=["OPTIONS"]),
        Route(f"{PREFIX}/{{rtype}}", many, methods=["GET", "POST"]),
        Route(f"{PREFIX}/{{rtype}}/{{rid}}", one, methods=["GET", "PATCH"]),
        *jobs.routes(),
    ]


__all__ = ["COLLECTION", "PREFIX", "SINGULAR", "routes"]
