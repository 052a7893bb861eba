"""SPS error answers become typed exceptions, chosen by status and error type."""

from __future__ import annotations

import pytest

from sps_provider.client import errors


@pytest.mark.parametrize(
    ("status", "error_type", "cls"),
    [
        (400, "SemanticError", errors.SemanticError),
        (400, "InvalidQuery", errors.InvalidQuery),
        (400, "SyntacticError", errors.BadRequest),
        (401, "AuthenticationFailure", errors.AuthenticationFailure),
        (401, "Unauthenticated", errors.Unauthenticated),
        (403, "Unauthorized", errors.Unauthorized),
        (404, "NotFound", errors.NotFound),
        (405, "MethodNotAllowed", errors.MethodNotAllowed),
        (409, "SomeLockName", errors.LockConflict),
        (411, "", errors.LengthRequired),
        (503, "", errors.ServerError),
    ],
)
def test_class_by_status_and_type(status: int, error_type: str, cls: type[errors.SpsError]) -> None:
    body = {"error": {"type": error_type, "message": "m", "details": {"path": "/api/x"}}}
    exc = errors.from_response(status, body, "POST", "/api/x")
    assert type(exc) is cls
    assert exc.status == status and exc.error_type == error_type and exc.details == {"path": "/api/x"}


def test_legacy_code_field_and_non_json_bodies() -> None:
    assert errors.from_response(400, {"error": {"code": "SemanticError"}}, "PUT", "/x").error_type == "SemanticError"
    exc = errors.from_response(502, {"error": {"type": "", "message": "<html>bad gateway"}}, "GET", "/x")
    assert isinstance(exc, errors.ServerError) and "bad gateway" in str(exc)


def test_field_errors() -> None:
    exc = errors.from_response(
        400,
        {"error": {"type": "SemanticError", "details": {"errors": [{"path": "a.b", "message": "bad"}]}}},
        "POST",
        "/x",
    )
    assert exc.field_errors() == [("a.b", "bad")]
