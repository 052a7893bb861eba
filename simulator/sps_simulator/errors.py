"""Errors the simulated appliance answers with: HTTP status plus the SPS error `type`.

Documented names: Unauthenticated, AuthenticationFailure, Unauthorized, NotFound,
MethodNotAllowed, InvalidQuery, SemanticError. Not documented, chosen here (docs/simulator.md):
SyntacticError (malformed JSON or wrong value types), ConfigurationLocked (409, another session
holds the configuration lock), LengthRequired (411, POST /api/transaction without a body).
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def unauthenticated(path: str) -> ApiError:
    return ApiError(401, "Unauthenticated", "The requested resource requires authentication.", {"path": path})


def not_found(path: str) -> ApiError:
    return ApiError(404, "NotFound", "The requested object does not exist.", {"path": path})


def method_not_allowed(path: str, method: str) -> ApiError:
    return ApiError(405, "MethodNotAllowed", f"The {method} method is not allowed on this endpoint.", {"path": path})


def semantic(path: str, message: str, errors: list[dict[str, str]] | None = None) -> ApiError:
    details: dict[str, Any] = {"path": path}
    if errors:
        details["errors"] = errors
    return ApiError(400, "SemanticError", message, details)


def syntactic(path: str, message: str) -> ApiError:
    return ApiError(400, "SyntacticError", message, {"path": path})
