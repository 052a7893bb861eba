"""The repository's documents stand alone: nothing in it cites a design document it does not hold
(docs/architecture.md is the design of record)."""

from __future__ import annotations

import subprocess

from tests.support.paths import ROOT

ABSENT = "DESIGN" + ".md"  # spelled in two parts so this file does not cite it


def test_no_tracked_file_cites_a_design_document_the_repository_lacks() -> None:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    citing = [
        path
        for path in listed.split()
        if path.endswith((".py", ".md", ".j2", ".sh", ".yaml", ".toml"))
        and (ROOT / path).is_file()
        and ABSENT in (ROOT / path).read_text(errors="replace")
    ]
    assert citing == []
