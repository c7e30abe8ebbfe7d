"""NetSuite failures as a small typed hierarchy.

Every error keeps what NetSuite said (``status``, ``code`` = ``o:errorCode``, ``detail``) for logs,
while ``str(error)`` is a fixed, safe sentence: no NetSuite detail, token or SuiteQL text reaches a
client unless a caller copies it out on purpose.

Our exception hierarchy::

    NetSuiteError
      + AuthenticationFailed   401, INVALID_LOGIN, invalid_token / invalid_grant / invalid_client
      + PermissionDenied       403, INSUFFICIENT_PERMISSION
      + RecordNotFound         404, NONEXISTENT_ID
      + InvalidRequest         other 4xx: INVALID_PARAMETER, INVALID_ID, INVALID_CONTENT, USER_ERROR ...
      |   + DuplicateRecord      400 USER_ERROR "... already exists"
      |   + IdempotencyConflict  IDEMPOTENCY_ERROR (``location`` names the earlier job)
      + ConcurrencyLimited     429, CONCURRENCY_LIMIT_EXCEEDED, RESTlet 400 SSS_REQUEST_LIMIT_EXCEEDED
      + UpstreamUnavailable    5xx, redirects, transport errors, undecodable bodies
      + UpstreamBusy           no slot before the request deadline, or the deadline is spent
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx


class NetSuiteError(Exception):
    """Base of every NetSuite failure; ``str()`` is safe to show, the attributes are for logs."""

    message = "The NetSuite request failed."

    def __init__(
        self, *, status: int | None = None, code: str | None = None, detail: str | None = None
    ) -> None:
        super().__init__(self.message)
        self.status = status
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r})"


class AuthenticationFailed(NetSuiteError):
    message = "NetSuite did not accept the credentials."


class PermissionDenied(NetSuiteError):
    message = "NetSuite denied access to this resource."


class RecordNotFound(NetSuiteError):
    message = "The NetSuite record does not exist."


class InvalidRequest(NetSuiteError):
    message = "NetSuite rejected the request as invalid."


class DuplicateRecord(InvalidRequest):
    message = "The NetSuite record already exists."


class IdempotencyConflict(InvalidRequest):
    message = "A request with the same idempotency key was already submitted."

    def __init__(
        self,
        *,
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(status=status, code=code, detail=detail)
        self.location = location


class ConcurrencyLimited(NetSuiteError):
    message = "NetSuite's concurrency limit was exceeded."


class UpstreamUnavailable(NetSuiteError):
    message = "NetSuite is unavailable."


class UpstreamBusy(NetSuiteError):
    message = "NetSuite is busy; the request could not be served in time."


CONCURRENCY_CODES = frozenset(
    {"CONCURRENCY_LIMIT_EXCEEDED", "SSS_REQUEST_LIMIT_EXCEEDED", "WS_REQUEST_BLOCKED"}
)
AUTHENTICATION_CODES = frozenset(
    {"INVALID_LOGIN", "INVALID_LOGIN_ATTEMPT", "invalid_token", "invalid_grant", "invalid_client"}
)
PERMISSION_CODES = frozenset({"INSUFFICIENT_PERMISSION"})
NOT_FOUND_CODES = frozenset({"NONEXISTENT_ID"})
# REST says USER_ERROR "... This entity already exists."; the SOAP-era codes may surface as well.
DUPLICATE_CODES = frozenset({"DUP_ENTITY", "DUP_RCRD"})
_CHALLENGE_ERROR = re.compile(r'\berror\s*=\s*"?([A-Za-z_]+)')
_TEXT_CODE = re.compile(r"(?:error code:\s*|<error>\s*<code>\s*)([A-Za-z][A-Za-z0-9_]*)", re.IGNORECASE)


def parse_error_body(content: bytes) -> tuple[str | None, str | None]:
    """(code, detail) from any documented NetSuite error body; (None, None) when there is none."""
    try:
        data: Any = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return _text_error(content)
    if not isinstance(data, dict):
        return None, None

    code: str | None = None
    detail: str | None = None
    details = data.get("o:errorDetails")
    if isinstance(details, dict):
        details = [details]
    if isinstance(details, list):
        # REST: a detail carries the specific code; the top level (if any) is generic.
        entries = [entry for entry in details if isinstance(entry, dict)]
        first = next((entry for entry in entries if _text(entry.get("o:errorCode"))), None)
        first = first or (entries[0] if entries else {})
        code = _text(first.get("o:errorCode"))
        detail = _text(first.get("detail"))
    error = data.get("error")
    if isinstance(error, dict):  # RESTlet: {"error": {"code": ..., "message": ...}}
        code = code or _text(error.get("code"))
        detail = detail or _text(error.get("message"))
    elif isinstance(error, str):  # OAuth: {"error": "invalid_grant"[, "error_description": ...]}
        code = code or error
        detail = detail or _text(data.get("error_description"))
    code = code or _text(data.get("o:errorCode"))
    detail = detail or _text(data.get("detail")) or _text(data.get("title"))
    return code, detail


def challenge_error(header: str | None) -> str | None:
    """The ``error`` of a ``WWW-Authenticate`` challenge (``Bearer realm="1", error="invalid_token"``)."""
    match = _CHALLENGE_ERROR.search(header or "")
    return match.group(1) if match else None


def _text_error(content: bytes) -> tuple[str | None, str | None]:
    """A RESTlet answers in the format of the request: its error may be plain text or XML."""
    text = content[:4096].decode("utf-8", "replace")
    match = _TEXT_CODE.search(text)
    return (match.group(1), None) if match else (None, None)


def error_from_response(response: httpx.Response) -> NetSuiteError:
    """The typed error for a failed NetSuite response (reads the body, which must be loaded)."""
    status = response.status_code
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    code, detail = parse_error_body(content)
    code = code or challenge_error(response.headers.get("WWW-Authenticate"))
    kwargs: dict[str, Any] = {"status": status, "code": code, "detail": detail}

    if status == 429 or code in CONCURRENCY_CODES:
        return ConcurrencyLimited(**kwargs)
    # Oracle documents the duplicate key as "HTTP 400 Conflict"; a 409 is just as plausible.
    if code == "IDEMPOTENCY_ERROR" or (status in (400, 409) and _mentions(detail, "idempotency key")):
        return IdempotencyConflict(**kwargs, location=response.headers.get("Location"))
    if status == 401 or code in AUTHENTICATION_CODES:
        return AuthenticationFailed(**kwargs)
    if status == 403 or code in PERMISSION_CODES:
        return PermissionDenied(**kwargs)
    if status == 404 or code in NOT_FOUND_CODES:
        return RecordNotFound(**kwargs)
    if status >= 500 or status < 400:
        return UpstreamUnavailable(**kwargs)
    if code in DUPLICATE_CODES or _mentions(detail, "already exists"):
        return DuplicateRecord(**kwargs)
    return InvalidRequest(**kwargs)


def _mentions(detail: str | None, phrase: str) -> bool:
    return detail is not None and phrase in detail.lower()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


__all__ = [
    "AuthenticationFailed",
    "ConcurrencyLimited",
    "DuplicateRecord",
    "IdempotencyConflict",
    "InvalidRequest",
    "NetSuiteError",
    "PermissionDenied",
    "RecordNotFound",
    "UpstreamBusy",
    "UpstreamUnavailable",
    "challenge_error",
    "error_from_response",
    "parse_error_body",
]
