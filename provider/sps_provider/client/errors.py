"""Typed SPS errors, chosen from the HTTP status and the error body's `type`.

SPS error bodies look like `{"error": {"type", "message", "details"}, "meta": {...}}`; the
class is picked by (status, type) first, then by status alone, so unknown error names still
map to the right family. Only documented names get their own class.
"""

from __future__ import annotations

from typing import Any


class SpsError(Exception):
    """An error answer from SPS, or a failure to get one."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        error_type: str = "",
        details: Any = None,
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type
        self.details = details
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f" ({self.method} {self.path})" if self.method else ""
        kind = self.error_type or (f"HTTP {self.status}" if self.status else type(self).__name__)
        return f"{kind}: {self.message}{where}"

    def field_errors(self) -> list[tuple[str, str]]:
        """(dotted attribute path, message) pairs when the appliance reports per-field errors."""
        errors = self.details.get("errors") if isinstance(self.details, dict) else None
        if not isinstance(errors, list):
            return []
        pairs = [(str(e.get("path", "")), str(e.get("message", ""))) for e in errors if isinstance(e, dict)]
        return [(shown(path), shown(message)) for path, message in pairs]


class BadRequest(SpsError):
    """400: the request or the configuration it would produce is invalid."""


class SemanticError(BadRequest):
    """400 SemanticError: the configuration violates a constraint."""


class InvalidQuery(BadRequest):
    """400 InvalidQuery: a filter or its value is invalid."""


class Unauthenticated(SpsError):
    """401: no valid session (missing or expired cookie)."""


class AuthenticationFailure(Unauthenticated):
    """401 AuthenticationFailure: wrong username or password."""


class Unauthorized(SpsError):
    """403: the user lacks the privilege (REST server, or the page's ACL)."""


class NotFound(SpsError):
    """404: the object does not exist."""


class MethodNotAllowed(SpsError):
    """405: the endpoint does not support the method (e.g. writes to a read-only type)."""


class LockConflict(SpsError):
    """409: another session holds the configuration lock."""


class LengthRequired(SpsError):
    """411: POST /api/transaction needs a body."""


class ServerError(SpsError):
    """5xx: the appliance failed."""


class ConnectionFailed(SpsError):
    """No HTTP answer: connection refused, reset or timed out."""


class AnswerTooLarge(SpsError):
    """The appliance's answer exceeds what the provider reads (`client.http.MAX_ANSWER`): not retried."""


class TlsVerificationFailed(ConnectionFailed):
    """The appliance's certificate is not trusted."""


BY_TYPE: dict[tuple[int, str], type[SpsError]] = {
    (400, "SemanticError"): SemanticError,
    (400, "InvalidQuery"): InvalidQuery,
    (401, "AuthenticationFailure"): AuthenticationFailure,
}

BY_STATUS: dict[int, type[SpsError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Unauthorized,
    404: NotFound,
    405: MethodNotAllowed,
    409: LockConflict,
    411: LengthRequired,
}


def shown(text: str) -> str:
    """Appliance text as it may be shown on a terminal (in Terraform's diagnostics): characters
    that are not printable (escape sequences, other controls, bidirectional overrides) become
    Python escapes; line breaks stay."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else c.encode("unicode_escape").decode("ascii") for c in text)


def from_response(status: int, body: Any, method: str, path: str) -> SpsError:
    """The typed error of an answer; its type and message are appliance text, kept `shown`."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        err = {}
    error_type = str(err.get("type") or err.get("code") or "")
    message = shown(str(err.get("message") or f"HTTP {status}"))
    cls = BY_TYPE.get((status, error_type)) or BY_STATUS.get(status) or (ServerError if status >= 500 else SpsError)
    details = err.get("details")
    return cls(message, status=status, error_type=shown(error_type), details=details, method=method, path=path)
