"""Every child process a test's code starts, recorded as it is started (argv and environment)."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest

Started = list[tuple[list[str], dict[str, str]]]


def record_children(monkeypatch: pytest.MonkeyPatch) -> Started:
    """Record what subprocess starts from now on (run, Popen, check_call all go through Popen)."""
    seen: Started = []
    real = subprocess.Popen

    class Recorded(real):  # type: ignore[misc,valid-type]
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            seen.append(([str(a) for a in args], dict(kwargs.get("env") or os.environ)))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    return seen
