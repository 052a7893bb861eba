"""`make fuzz` rewrites docs/reliability.md's counts and keeps its hand-written threat model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.fuzz import report
from tests.support.paths import ROOT


def test_the_report_rewrites_the_counts_and_keeps_the_threat_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reliability.md"
    out.write_text((ROOT / "docs" / "reliability.md").read_text())
    counts = tmp_path / "counts.json"
    counts.write_text(json.dumps({"simulator: random requests": 7}))
    monkeypatch.setattr(sys, "argv", ["report", str(counts), str(out)])
    assert report.main() == 0
    written = out.read_text()
    assert "| simulator: random requests | 7 |" in written and "| **total** | **7** |" in written
    threat_model = (ROOT / "docs" / "reliability.md").read_text().split(report.KEPT, 1)[1]
    assert written.endswith(report.KEPT + threat_model)
