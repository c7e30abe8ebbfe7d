"""NetSuite's REST error bodies (RFC 9110 ``type`` URIs, ``o:errorDetails``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

_SECTIONS = {
    400: "15.5.1",
    401: "15.5.2",
    403: "15.5.4",
    404: "15.5.5",
    405: "15.5.6",
    409: "15.5.10",
    415: "15.5.16",
    500: "15.6.1",
    503: "15.6.4",
}
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
ERROR_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=error"
INVALID_LOGIN = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


def error_body(status: int, code: str, detail: str, **extra: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    entry.update({f"o:{key}": value for key, value in extra.items()})
    section = _SECTIONS.get(status)
    uri = "https://www.rfc-editor.org/rfc/rfc9110.html" + (f"#section-{section}" if section else "")
    return {"type": uri, "title": _TITLES.get(status, "Error"), "status": status, "o:errorDetails": [entry]}


def error_response(
    status: int, code: str, detail: str, *, headers: dict[str, str] | None = None, **extra: str
) -> JSONResponse:
    """A NetSuite REST error; ``extra`` keys become ``o:<key>`` fields (errorQueryParam, errorPath...)."""
    return JSONResponse(
        error_body(status, code, detail, **extra),
        status_code=status,
        headers=headers,
        media_type=ERROR_MEDIA_TYPE,
    )


def concurrency_response() -> JSONResponse:
    # Oracle's documented 429: title "Bad Request", a top-level o:errorCode, no Retry-After.
    body = {
        "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": "Bad Request",
        "status": 429,
        "o:errorCode": "USER_ERROR",
        "o:errorDetails": [
            {
                "detail": "Concurrent request limit exceeded. Request blocked.",
                "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
            }
        ],
    }
    return JSONResponse(body, status_code=429, media_type=ERROR_MEDIA_TYPE)


def invalid_login_response(realm: str) -> JSONResponse:
    header = f'Bearer realm="{realm}", error="invalid_token", error_description="Invalid login attempt."'
    return error_response(401, "INVALID_LOGIN", INVALID_LOGIN, headers={"WWW-Authenticate": header})


def suiteql_error(message: str) -> JSONResponse:
    detail = f"Invalid search query. Detailed unprocessed description follows. {message}"
    return error_response(400, "INVALID_PARAMETER", detail, errorQueryParam="q")


__all__ = [
    "ERROR_MEDIA_TYPE",
    "concurrency_response",
    "error_body",
    "error_response",
    "invalid_login_response",
    "suiteql_error",
]
