"""The per-viewer NetSuite client: SuiteQL, REST records and RESTlets over the account's governed HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from graph.netsuite.account import NetSuiteAccount
from graph.netsuite.errors import (
    AuthenticationFailed,
    IdempotencyConflict,
    UpstreamBusy,
    UpstreamUnavailable,
    error_from_response,
)
from graph.netsuite.governor import current_deadline
from graph.netsuite.suiteql import as_bool, as_int
from graph.netsuite.transport import IDEMPOTENCY_HEADER, IDEMPOTENT_EXTENSION, lane_scope

logger = logging.getLogger("graph.netsuite")

SuiteQLRow = dict[str, Any]

MAX_PAGE_SIZE = 1000
MAX_RESULTS = 100_000  # NetSuite's cap on one SuiteQL query or record list
ASYNC_JOB_TIMEOUT = 120.0  # how long an async create is polled when no request deadline is set

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCRIPT_ID = re.compile(r"^[A-Za-z0-9_]+$")
_RESTLET_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})
_FINISHED = frozenset({"succeeded", "success", "failed", "completed", "complete", "finished", "done"})


class TokenProvider(Protocol):
    """The viewer's OAuth access token, and a fresh one when NetSuite rejects it."""

    async def access_token(self) -> str: ...

    async def refreshed_token(self, rejected: str) -> str:
        """A token to replace ``rejected``; raise AuthenticationFailed when none can be had."""
        ...


class FixedToken:
    """One access token that nothing can refresh: a sign-in before its session exists, a tool."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def access_token(self) -> str:
        return self._token

    async def refreshed_token(self, rejected: str) -> str:
        raise AuthenticationFailed()


@dataclass(frozen=True, slots=True)
class SuiteQLPage:
    items: list[SuiteQLRow]
    has_more: bool
    total_results: int | None
    offset: int


class NetSuiteClient:
    """A cheap handle that makes NetSuite calls on behalf of one viewer (``lane``).

    Every call carries the viewer's bearer token (refreshed once on a 401), runs in the viewer's lane
    of the account's gate under the request deadline, and identical concurrent reads of one lane
    share a single upstream call.

    Usage::

        client = NetSuiteClient(account, tokens, lane=f"customer:{customer_id}")
        rows = await client.suiteql(render("SELECT id FROM transaction WHERE entity = :c", c=customer_id))
    """

    def __init__(self, account: NetSuiteAccount, tokens: TokenProvider, *, lane: str) -> None:
        self.account = account
        self.tokens = tokens
        self.lane = lane

    # ---- SuiteQL ---------------------------------------------------------------------------

    async def suiteql_page(self, query: str, *, limit: int = MAX_PAGE_SIZE, offset: int = 0) -> SuiteQLPage:
        _check_paging(limit, offset)
        response = await self._call(
            "POST",
            self.account.hosts.suiteql_url,
            params={"limit": limit, "offset": offset},
            body={"q": str(query)},
            headers={"Prefer": "transient"},
            read=True,
        )
        data = _object(response)
        items = data.get("items") or []
        if not isinstance(items, list):
            raise UpstreamUnavailable(status=response.status_code, detail="SuiteQL items is not a list")
        # Column names are documented lowercase (aliases too); lowercasing them here keeps the
        # rows' keys the ones our queries name, whatever case a server chooses.
        rows = [
            {str(key).lower(): value for key, value in row.items() if key != "links"}
            for row in items
            if isinstance(row, dict)
        ]
        has_more = as_bool(data.get("hasMore"))
        return SuiteQLPage(
            items=rows,
            has_more=_link(data, "next") is not None if has_more is None else has_more,
            total_results=as_int(data.get("totalResults")),
            offset=as_int(data.get("offset")) if data.get("offset") is not None else offset,
        )

    async def iter_suiteql(self, query: str, *, limit: int = MAX_PAGE_SIZE) -> AsyncIterator[SuiteQLPage]:
        """Pages of the query in order, until NetSuite has no more or the 100k-row cap is reached."""
        offset = 0
        while True:
            page = await self.suiteql_page(query, limit=limit, offset=offset)
            yield page
            offset += limit
            if not page.has_more or not page.items:
                return
            if offset >= MAX_RESULTS:
                logger.warning("netsuite SuiteQL result stopped at the %d row cap", MAX_RESULTS)
                return

    async def suiteql(
        self, query: str, *, limit: int = MAX_PAGE_SIZE, max_rows: int | None = None
    ) -> list[SuiteQLRow]:
        """Every row of the query (or the first ``max_rows``), across as many pages as it takes."""
        if max_rows is not None:
            if max_rows <= 0:
                return []
            limit = min(limit, max_rows)
        rows: list[SuiteQLRow] = []
        async with aclosing(self.iter_suiteql(query, limit=limit)) as pages:
            async for page in pages:
                rows.extend(page.items)
                if max_rows is not None and len(rows) >= max_rows:
                    return rows[:max_rows]
        return rows

    # ---- REST records ----------------------------------------------------------------------

    async def get_record(
        self,
        record_type: str,
        record_id: int | str,
        *,
        fields: Sequence[str] | None = None,
        expand: bool = False,
    ) -> dict[str, Any]:
        params: dict[str, str] = {}
        if fields is not None:
            for name in fields:
                if not _FIELD.match(name):
                    raise ValueError(f"{name!r} is not a NetSuite field name")
            params["fields"] = ",".join(fields)
        if expand:
            params["expandSubResources"] = "true"
        url = self.account.hosts.record_url(record_type, record_id)
        return _object(await self._call("GET", url, params=params, read=True))

    async def list_records(
        self, record_type: str, *, q: str | None = None, limit: int = MAX_PAGE_SIZE, offset: int = 0
    ) -> dict[str, Any]:
        _check_paging(limit, offset)
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if q is not None:
            params["q"] = q
        url = self.account.hosts.record_url(record_type)
        return _object(await self._call("GET", url, params=params, read=True))

    async def create_record(
        self, record_type: str, body: Mapping[str, Any], *, idempotent: bool = False
    ) -> str:
        """Create a record and return its internal id.

        ``idempotent=True`` promises that ``body`` carries a unique ``externalId``, so a repeated POST
        fails as a duplicate instead of creating a second record, and the call may be retried.
        """
        response = await self._call(
            "POST",
            self.account.hosts.record_url(record_type),
            body=dict(body),
            extensions={IDEMPOTENT_EXTENSION: True} if idempotent else None,
        )
        return _id_from_location(response)

    async def create_record_async(
        self, record_type: str, body: Mapping[str, Any], *, idempotency_key: str
    ) -> str:
        """Create a record through NetSuite's async API with an idempotency key; return its id.

        A repeat with the same key (after a lost response) follows the job the first attempt started.
        """
        if not idempotency_key or not idempotency_key.isascii() or len(idempotency_key) > 128:
            raise ValueError("an idempotency key must be a short ASCII string, such as a UUID")
        try:
            response = await self._call(
                "POST",
                self.account.hosts.record_url(record_type),
                body=dict(body),
                headers={"Prefer": "respond-async", IDEMPOTENCY_HEADER: idempotency_key},
            )
        except IdempotencyConflict as conflict:
            if not conflict.location:
                raise
            return await self._job_result(self.account.hosts.resolve(conflict.location))
        if response.status_code != 202:  # answered synchronously: Location is the record itself
            return _id_from_location(response)
        location = response.headers.get("Location")
        if not location:
            raise UpstreamUnavailable(status=response.status_code, detail="async job without Location")
        return await self._job_result(self.account.hosts.resolve(location))

    async def update_record(self, record_type: str, record_id: int | str, body: Mapping[str, Any]) -> None:
        await self._call("PATCH", self.account.hosts.record_url(record_type, record_id), body=dict(body))

    # ---- RESTlets --------------------------------------------------------------------------

    async def restlet(
        self,
        script: int | str,
        deploy: int | str,
        *,
        method: str = "GET",
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
    ) -> Any:
        """Call a RESTlet deployment; returns its decoded JSON, its text, or None when empty."""
        method = method.upper()
        if method not in _RESTLET_METHODS:
            raise ValueError(f"RESTlets answer GET, POST, PUT and DELETE, not {method}")
        for name, value in (("script", script), ("deploy", deploy)):
            if isinstance(value, bool) or not _SCRIPT_ID.match(str(value)):
                raise ValueError(f"{value!r} is not a RESTlet {name} id")
        query: dict[str, str | int] = dict(params or {})
        if "script" in query or "deploy" in query:
            raise ValueError("script and deploy are given as arguments, not params")
        if body is not None and method in ("GET", "DELETE"):
            raise ValueError(f"a RESTlet {method} takes its input in params, not a body")
        query = {"script": str(script), "deploy": str(deploy), **query}
        # A RESTlet answers, errors included, in the format the request's Content-Type names; without
        # one (a GET has no body) it answers plain text.
        response = await self._call(
            method,
            self.account.hosts.restlet_endpoint,
            params=query,
            body=body,
            headers={"Content-Type": "application/json"},
            read=method == "GET",
        )
        if not response.content:
            return None
        if "json" in response.headers.get("Content-Type", ""):
            try:
                return response.json()
            except ValueError:
                pass  # a script that returns a bare string is sent as is, under a JSON Content-Type
        return response.text

    # ---- plumbing --------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
        read: bool = False,
    ) -> httpx.Response:
        content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        full_url = httpx.URL(url, params=dict(params) if params else None)

        async def call() -> httpx.Response:
            return await self._authorized(method, full_url, content, dict(headers or {}), extensions or {})

        if not read:
            return await call()
        return await self.account.reads.run((self.lane, method, str(full_url), content), call)

    async def _authorized(
        self,
        method: str,
        url: httpx.URL,
        content: bytes | None,
        headers: dict[str, str],
        extensions: dict[str, Any],
    ) -> httpx.Response:
        token = await self.tokens.access_token()
        response = await self._send(method, url, content, headers, extensions, token)
        if response.status_code == 401:
            logger.info("netsuite %s %s rejected the access token; refreshing once", method, url.path)
            token = await self.tokens.refreshed_token(token)
            response = await self._send(method, url, content, headers, extensions, token)
        if not response.is_success:
            raise error_from_response(response)
        return response

    async def _send(
        self,
        method: str,
        url: httpx.URL,
        content: bytes | None,
        headers: dict[str, str],
        extensions: dict[str, Any],
        token: str,
    ) -> httpx.Response:
        headers = {**headers, "Authorization": f"Bearer {token}"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        request = self.account.http.build_request(
            method, url, content=content, headers=headers, extensions=extensions
        )
        with lane_scope(self.lane):
            try:
                return await self.account.http.send(request)
            except httpx.TransportError as exc:
                raise UpstreamUnavailable(detail=type(exc).__name__) from exc

    async def _job_result(self, job_url: str) -> str:
        """Poll an async job until it completes, then read the id its one task created."""
        deadline = current_deadline() or time.monotonic() + ASYNC_JOB_TIMEOUT
        delay = 0.05
        while True:
            job = _object(await self._call("GET", job_url, read=True))
            if _job_completed(job):
                break
            if time.monotonic() + delay >= deadline:
                raise UpstreamBusy(detail="async job did not complete in time")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
        task = job.get("task")
        tasks_url = _link(task, "self") if isinstance(task, dict) else None
        tasks_url = self.account.hosts.resolve(tasks_url) if tasks_url else f"{job_url}/task"
        tasks = _object(await self._call("GET", tasks_url, read=True))
        items = tasks.get("items")
        first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else None
        if first is None:
            raise UpstreamUnavailable(detail="async job has no task")
        task_url = _link(first, "self")
        if task_url:
            task_url = self.account.hosts.resolve(task_url)
        elif first.get("id") is not None:
            task_url = f"{tasks_url}/{first['id']}"
        else:
            raise UpstreamUnavailable(detail="async job task has no link")
        return _created_id(await self._call("GET", f"{task_url}/result", read=True))


def _check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0 or offset % limit:
        raise ValueError("offset must be a non-negative multiple of limit")
    if offset >= MAX_RESULTS:
        raise ValueError(f"NetSuite returns at most {MAX_RESULTS} results")


def _decode(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise UpstreamUnavailable(status=response.status_code, detail="undecodable response body") from None


def _object(response: httpx.Response) -> dict[str, Any]:
    data = _decode(response)
    if not isinstance(data, dict):
        raise UpstreamUnavailable(status=response.status_code, detail="response body is not a JSON object")
    return data


def _link(item: Mapping[str, Any], rel: str) -> str | None:
    links = item.get("links")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == rel and isinstance(link.get("href"), str):
            return link["href"]
    return None


def _job_completed(job: Mapping[str, Any]) -> bool:
    # ``completed`` is documented; a job without it is read by its ``progress`` word instead.
    completed = job.get("completed")
    if completed is not None:
        return bool(as_bool(completed))
    return str(job.get("progress") or "").strip().lower() in _FINISHED


def _created_id(result: httpx.Response) -> str:
    """The record id in an async task's result: the original 204's Location, or a JSON body."""
    if result.headers.get("Location"):
        return _id_from_location(result)
    body = _decode(result) if result.content else None
    if isinstance(body, dict):
        if "o:errorDetails" in body or "error" in body:
            # A failed task's result is the error the synchronous call would have answered.
            status = body.get("status")
            status = int(status) if isinstance(status, int | str) and str(status).isdigit() else 400
            raise error_from_response(httpx.Response(status, content=result.content))
        if body.get("id") is not None:
            return str(body["id"])
        href = _link(body, "self")
        if href:
            return _last_segment(href)
    raise UpstreamUnavailable(status=result.status_code, detail="async job result names no record")


def _last_segment(url: str) -> str:
    return httpx.URL(url).path.rstrip("/").rsplit("/", 1)[-1]


def _id_from_location(response: httpx.Response) -> str:
    location = response.headers.get("Location", "")
    record_id = _last_segment(location) if location else ""
    if not record_id:
        raise UpstreamUnavailable(status=response.status_code, detail="no Location for the created record")
    return record_id


__all__ = [
    "ASYNC_JOB_TIMEOUT",
    "MAX_PAGE_SIZE",
    "MAX_RESULTS",
    "NetSuiteClient",
    "SuiteQLPage",
    "TokenProvider",
]
