from __future__ import annotations

import httpx
import pytest

from graph.netsuite import (
    AuthenticationFailed,
    ConcurrencyLimited,
    DuplicateRecord,
    IdempotencyConflict,
    InvalidRequest,
    NetSuiteError,
    PermissionDenied,
    RecordNotFound,
    UpstreamUnavailable,
    error_from_response,
)


def rest_error(status: int, code: str, detail: str, **top: object) -> httpx.Response:
    body = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "x",
        "status": status,
    }
    body.update(top)
    body["o:errorDetails"] = [{"detail": detail, "o:errorCode": code}]
    return httpx.Response(status, json=body)


CASES = [
    (rest_error(401, "INVALID_LOGIN", "Invalid login attempt."), AuthenticationFailed, "INVALID_LOGIN"),
    (rest_error(403, "INSUFFICIENT_PERMISSION", "beta record"), PermissionDenied, "INSUFFICIENT_PERMISSION"),
    (
        rest_error(404, "NONEXISTENT_ID", "The record instance does not exist."),
        RecordNotFound,
        "NONEXISTENT_ID",
    ),
    (
        rest_error(400, "INVALID_ID", "Invalid record instance identifier '000'."),
        InvalidRequest,
        "INVALID_ID",
    ),
    (rest_error(400, "INVALID_PARAMETER", "Invalid search query. Unknown identifier"), InvalidRequest, None),
    (rest_error(400, "INVALID_CONTENT", "Invalid Field Value 9999"), InvalidRequest, "INVALID_CONTENT"),
    (
        rest_error(400, "USER_ERROR", "Error while accessing a resource. This entity already exists."),
        DuplicateRecord,
        None,
    ),
    (rest_error(400, "USER_ERROR", "Please enter value(s) for: Name"), InvalidRequest, "USER_ERROR"),
    (
        rest_error(
            429,
            "CONCURRENCY_LIMIT_EXCEEDED",
            "Concurrent request limit exceeded.",
            **{"o:errorCode": "USER_ERROR"},
        ),
        ConcurrencyLimited,
        "CONCURRENCY_LIMIT_EXCEEDED",
    ),
    (
        rest_error(500, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: x"),
        UpstreamUnavailable,
        None,
    ),
    (
        httpx.Response(
            400,
            content=b'{"error" : {"code" : "SSS_REQUEST_LIMIT_EXCEEDED" ,'
            b'"message" : "Request Limit Exceeded!"}}',
        ),
        ConcurrencyLimited,
        "SSS_REQUEST_LIMIT_EXCEEDED",
    ),
    (
        httpx.Response(400, json={"error": {"code": "SSS_INVALID_SCRIPTLET_ID", "message": "invalid"}}),
        InvalidRequest,
        None,
    ),
    (httpx.Response(400, json={"error": "invalid_grant"}), AuthenticationFailed, "invalid_grant"),
    (httpx.Response(400, json={"error": "invalid_request"}), InvalidRequest, "invalid_request"),
    (httpx.Response(401, json={"error": "invalid_client"}), AuthenticationFailed, "invalid_client"),
    (httpx.Response(429, json={"o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"}), ConcurrencyLimited, None),
    (httpx.Response(503, text="<html>Service Unavailable</html>"), UpstreamUnavailable, None),
    (httpx.Response(502), UpstreamUnavailable, None),
    (httpx.Response(401), AuthenticationFailed, None),
    (httpx.Response(404, text="<html>not here</html>"), RecordNotFound, None),
    (httpx.Response(405, json=[1, 2]), InvalidRequest, None),
    (httpx.Response(302, headers={"Location": "https://elsewhere"}), UpstreamUnavailable, None),
]


@pytest.mark.parametrize(("response", "kind", "code"), CASES)
def test_every_documented_shape_maps_to_its_type(
    response: httpx.Response, kind: type, code: str | None
) -> None:
    error = error_from_response(response)
    assert type(error) is kind
    assert error.status == response.status_code
    if code is not None:
        assert error.code == code


def test_rest_detail_and_code_are_kept_but_not_shown() -> None:
    secret = "Search error occurred: SELECT * FROM customer WHERE email = 'x'"
    error = error_from_response(rest_error(400, "INVALID_PARAMETER", secret))
    assert error.detail == secret
    assert error.code == "INVALID_PARAMETER"
    assert "SELECT" not in str(error) and "INVALID_PARAMETER" not in str(error)
    assert "INVALID_PARAMETER" in repr(error) and "SELECT" not in repr(error)
    assert isinstance(error, NetSuiteError)


def test_idempotency_conflict_keeps_the_earlier_job() -> None:
    response = httpx.Response(
        400,
        headers={"Location": "/services/rest/async/v1/job/77"},
        json={
            "title": "Conflict",
            "status": 400,
            "o:errorDetails": [
                {"detail": "A request with the same idempotency key", "o:errorCode": "IDEMPOTENCY_ERROR"}
            ],
        },
    )
    error = error_from_response(response)
    assert isinstance(error, IdempotencyConflict) and isinstance(error, InvalidRequest)
    assert error.location == "/services/rest/async/v1/job/77"


def test_an_unread_streamed_body_is_classified_by_status() -> None:
    response = httpx.Response(403, stream=httpx.ByteStream(b"{}"))
    assert isinstance(error_from_response(response), PermissionDenied)
