"""Asynchronous REST requests (``Prefer: respond-async``) and the async job service.

A submitted request becomes a job with one task; the sandbox runs it at once and keeps its
outcome (status, ``Location``, error body) in the private ``_asyncjob`` table. The job answers
``GET /services/rest/async/v1/job/{id}``, its task list ``…/task``, the task ``…/task/{n}`` and
the outcome ``…/task/{n}/result``. An ``X-NetSuite-Idempotency-Key`` reused by the same user
answers NetSuite's duplicate-key error with the ``Location`` of the earlier job. Jobs are visible
to the user who submitted them only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.sandbox.db import locked
from graph.sandbox.errors import ERROR_MEDIA_TYPE, error_response
from graph.sandbox.recordviews import iso_datetime
from graph.sandbox.state import Principal, SandboxState
from graph.sandbox.suiteql import authorized

PREFIX = "/services/rest/async/v1/job"
IDEMPOTENCY_HEADER = "X-NetSuite-Idempotency-Key"
_TASK_ID = 1
_COLUMNS = ("id", "status", "location", "body", "created")
_NOT_FOUND = "The record instance does not exist. Provide a valid record instance ID."
# Oracle's documented duplicate-key answer: status 400 with title "Conflict" and an RFC 2616 type.
_DUPLICATE_KEY = {
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10",
    "title": "Conflict",
    "status": 400,
    "o:errorDetails": [
        {
            "detail": 'A request with the same idempotency key is already submitted. See the "Location" '
            "header for a link to the previously submitted job",
            "o:errorCode": "IDEMPOTENCY_ERROR",
        }
    ],
}


def _owner(principal: Principal) -> str:
    return f"{principal.role_id}:{principal.entity_id}"


def job_path(job_id: int) -> str:
    return f"{PREFIX}/{job_id}"


async def submit(
    request: Request, state: SandboxState, principal: Principal, run: Callable[[], Awaitable[Response]]
) -> Response:
    """Accept ``run`` as an async job: 202 with the job's ``Location`` (a path, as NetSuite sends)."""
    key = request.headers.get(IDEMPOTENCY_HEADER) or None
    owner = _owner(principal)
    if key is not None:
        with locked(state.db):
            earlier = state.db.execute(
                "SELECT id FROM _asyncjob WHERE owner = ? AND idempotencykey = ?", (owner, key)
            ).fetchone()
        if earlier is not None:
            headers = {"Location": job_path(earlier[0])}
            return JSONResponse(_DUPLICATE_KEY, status_code=400, headers=headers, media_type=ERROR_MEDIA_TYPE)
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    with locked(state.db):
        cursor = state.db.execute(
            "INSERT INTO _asyncjob (owner, idempotencykey, created, status) VALUES (?, ?, ?, 0)",
            (owner, key, created),
        )
        job_id = int(cursor.lastrowid or 0)
        state.db.commit()
    outcome = await run()
    with locked(state.db):
        state.db.execute(
            "UPDATE _asyncjob SET status = ?, location = ?, body = ? WHERE id = ?",
            (outcome.status_code, outcome.headers.get("location"), bytes(outcome.body).decode(), job_id),
        )
        state.db.commit()
    headers = {"Location": job_path(job_id), "Preference-Applied": "respond-async"}
    return Response(status_code=202, headers=headers)


def _job(request: Request) -> tuple[str, dict[str, Any]] | Response:
    auth = authorized(request)
    if isinstance(auth, Response):
        return auth
    state, principal = auth
    raw = request.path_params["job"]
    task = request.path_params.get("task")
    if not raw.isdigit() or (task is not None and task != str(_TASK_ID)):
        return error_response(404, "NONEXISTENT_ID", _NOT_FOUND, errorUrl=request.url.path)
    with locked(state.db):
        found = state.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM _asyncjob WHERE id = ? AND owner = ?",  # noqa: S608
            (int(raw), _owner(principal)),
        ).fetchone()
    if found is None:
        return error_response(404, "NONEXISTENT_ID", _NOT_FOUND, errorUrl=request.url.path)
    row = dict(zip(_COLUMNS, found, strict=True))
    return state.config.base_url.rstrip("/") + job_path(row["id"]), row


def _progress(job: dict[str, Any]) -> dict[str, Any]:
    done = job["status"] != 0
    return {
        "completed": done,
        "progress": ("succeeded" if job["status"] < 400 else "failed") if done else "pending",
    }


async def job(request: Request) -> Response:
    found = _job(request)
    if isinstance(found, Response):
        return found
    url, row = found
    body = {
        "links": [{"rel": "self", "href": url}],
        **_progress(row),
        "id": str(row["id"]),
        "task": {"links": [{"rel": "self", "href": f"{url}/task"}]},
    }
    return JSONResponse(dict(sorted(body.items())))


async def tasks(request: Request) -> Response:
    found = _job(request)
    if isinstance(found, Response):
        return found
    url, _ = found
    item = {"links": [{"rel": "self", "href": f"{url}/task/{_TASK_ID}"}], "id": str(_TASK_ID)}
    body = {
        "links": [{"rel": "self", "href": f"{url}/task"}],
        "count": 1,
        "hasMore": False,
        "items": [item],
        "offset": 0,
        "totalResults": 1,
    }
    return JSONResponse(body)


async def task(request: Request) -> Response:
    found = _job(request)
    if isinstance(found, Response):
        return found
    url, row = found
    task_url = f"{url}/task/{_TASK_ID}"
    body: dict[str, Any] = {
        "links": [{"rel": "related", "href": f"{task_url}/result"}, {"rel": "self", "href": task_url}],
        **_progress(row),
        "id": str(_TASK_ID),
        "startTime": iso_datetime(row["created"]),
    }
    if row["status"]:
        body["endTime"] = iso_datetime(row["created"])
    return JSONResponse(dict(sorted(body.items())))


async def result(request: Request) -> Response:
    """The outcome the request would have answered synchronously (204 + Location, or the error)."""
    found = _job(request)
    if isinstance(found, Response):
        return found
    _, row = found
    if not row["status"]:
        return error_response(404, "NONEXISTENT_ID", _NOT_FOUND, errorUrl=request.url.path)
    headers = {"Location": row["location"]} if row["location"] else None
    if not row["body"]:
        return Response(status_code=row["status"], headers=headers)
    return Response(row["body"], status_code=row["status"], headers=headers, media_type=ERROR_MEDIA_TYPE)


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/{{job}}", job, methods=["GET"]),
        Route(f"{PREFIX}/{{job}}/task", tasks, methods=["GET"]),
        Route(f"{PREFIX}/{{job}}/task/{{task}}", task, methods=["GET"]),
        Route(f"{PREFIX}/{{job}}/task/{{task}}/result", result, methods=["GET"]),
    ]


__all__ = ["IDEMPOTENCY_HEADER", "PREFIX", "job_path", "routes", "submit"]
