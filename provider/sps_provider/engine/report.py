"""SPS errors as Terraform diagnostics: resource type, attribute path, SPS error type and message."""

from __future__ import annotations

import re

from sps_catalog.model import TypeDef
from sps_provider.client import errors
from sps_provider.coordinator.outcomes import OutcomeUnknown, Stopped
from sps_provider.protocol.cty import Unencodable, dotted
from sps_provider.protocol.diagnostics import Diagnostics


def parse_dotted(path: str) -> list[str | int]:
    """`a.b[2].c` -> ["a", "b", 2, "c"] (the simulator's per-field error paths)."""
    steps: list[str | int] = []
    for name, index in re.findall(r"([A-Za-z0-9_@-]+)|\[(\d+)\]", path):
        steps.append(int(index) if index else name)
    return steps


def report_sps_error(diags: Diagnostics, t: TypeDef, action: str, exc: errors.SpsError) -> None:
    summary = f"SPS refused to {action} {t.resource_type}: {exc.error_type or type(exc).__name__}"
    if isinstance(exc, OutcomeUnknown):
        summary = f"Outcome unknown: {t.resource_type} may have been applied on SPS"
    elif isinstance(exc, Stopped):
        summary = f"Stopped: {t.resource_type} was not applied"
    elif isinstance(exc, errors.TlsVerificationFailed):
        summary = f"Untrusted SPS certificate: cannot {action} {t.resource_type}"
    elif isinstance(exc, errors.ConnectionFailed):
        summary = f"Cannot reach SPS to {action} {t.resource_type}"
    field_errors = exc.field_errors()
    if not field_errors:
        diags.error(summary, str(exc))
        return
    for path, message in field_errors:
        diags.error(summary, f"{path}: {message}\n\n{exc}", parse_dotted(path))


def report_unencodable(diags: Diagnostics, t: TypeDef, action: str, exc: Unencodable, key: object = None) -> None:
    """A value the appliance holds that Terraform cannot be sent (cty.Unencodable)."""
    where = dotted(exc.path)
    obj = f"{t.api_path}/{key}" if isinstance(key, str) and not t.is_singleton else t.api_path
    diags.error(
        f"Cannot {action} {t.resource_type}: SPS holds a value of {where} Terraform cannot hold",
        f"{obj} answers {where} that {exc.reason}. Correct it on the appliance (within the field's "
        "documented range), then run Terraform again.",
        exc.path,
    )
