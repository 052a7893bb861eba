"""`make bench-export`'s script on a small appliance: the copies it adds reference objects the
first population made (they used to be created a second time: HTTP 400 "... already exists")."""

from __future__ import annotations

import json
import subprocess
import sys

from sps_catalog import load_catalog
from sps_catalog.firmware import DEFAULT_FIRMWARE
from tests.support.paths import ROOT


def test_bench_export_populates_copies_of_every_bulk_type_and_exports_them() -> None:
    bulk = [t for t in load_catalog().managed if not t.is_singleton and t.versions.writable_on(DEFAULT_FIRMWARE)]
    objects = 2 * len(bulk) + 100  # beyond what the examples alone make: every bulk type is copied
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "export.py"), "--objects", str(objects), "--reps", "1"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["objects_exported"] >= objects
