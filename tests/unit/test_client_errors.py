"""SPS error answers become typed exceptions, chosen by status and error type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pytest

from sps_provider.client import errors
from sps_provider.engine.referrers import terraform_name

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient


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


def test_appliance_text_in_an_error_cannot_drive_the_terminal() -> None:
    """An error's type and messages reach Terraform's diagnostics: escape sequences, other controls
    and bidirectional overrides are shown as escapes, line breaks and other text as they are."""
    body = {
        "error": {
            "type": "Semantic\x1b[2JError",
            "message": "name \x1b[31mred\x1b[0m\u202eevil\nnext line ü",
            "details": {"errors": [{"path": "name\x07", "message": "bad \x1b]0;title\x07"}]},
        }
    }
    exc = errors.from_response(400, body, "POST", "/api/configuration/x")
    assert "\x1b" not in str(exc) and "\u202e" not in str(exc)
    assert exc.message == "name \\x1b[31mred\\x1b[0m\\u202eevil\nnext line ü"
    assert exc.error_type == "Semantic\\x1b[2JError"
    assert exc.field_errors() == [("name\\x07", "bad \\x1b]0;title\\x07")]


def test_a_referrer_named_by_the_appliance_is_shown_escaped() -> None:
    """A refused deletion names its referrers by their names on the appliance."""

    class Reader:
        def get(self, path: str) -> dict[str, Any]:
            return {"body": {"name": "ops\x1b[2J\u202e"}}

    href = "/api/configuration/policies/audit_policies/k1"
    label = terraform_name(cast("SpsClient", Reader()), href)
    assert label == 'sps_audit_policy "ops\\x1b[2J\\u202e"'
