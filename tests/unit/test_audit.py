"""`make audit` fails unless every package was audited (pip-audit itself exits 0 when the
vulnerability service is unreachable and nothing was audited)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def load_audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit", Path(__file__).parents[2] / "tools" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


audit = load_audit()
UNREACHABLE = "Dependency not found on PyPI and could not be audited: grpcio (1.85.3)"


@pytest.mark.parametrize(
    ("deps", "code", "says"),
    [
        ([{"name": "grpcio", "skip_reason": UNREACHABLE}], 2, "1 of 1 packages were not audited"),
        ([{"name": "grpcio", "vulns": []}, {"name": "idna", "skip_reason": UNREACHABLE}], 2, "1 of 2 packages"),
        ([{"name": "grpcio", "vulns": [{"id": "GHSA-1"}]}, {"name": "idna", "vulns": []}], 1, "grpcio: GHSA-1"),
        ([{"name": "grpcio", "vulns": []}, {"name": "idna", "vulns": []}], 0, "2 packages audited"),
    ],
)
def test_the_verdict_counts_what_was_audited(deps: list[dict[str, object]], code: int, says: str) -> None:
    got, message = audit.Audit.of({"dependencies": deps}).verdict()
    assert got == code
    assert says in message
