"""Citations of ADRs by file name point at files that exist (0007 was once cited for the
relocatable package, which is 0008), and `sps-provider-dist --help` cites the package's ADR."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess

import pytest

from sps_provider import package
from tests.support.paths import ROOT

CITED = re.compile(r"adr/(\d{4}-[a-z0-9-]+)\.md")


def tracked_text_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [p for p in listed.split() if p.endswith((".py", ".md", ".j2", ".sh", ".yaml")) or p == "Makefile"]


def test_every_adr_cited_by_file_name_exists() -> None:
    missing = [
        f"{path}: adr/{name}.md"
        for path in tracked_text_files()
        for name in CITED.findall((ROOT / path).read_text(errors="replace"))
        if not (ROOT / "docs" / "adr" / f"{name}.md").exists()
    ]
    assert not missing, missing


def test_sps_provider_dist_help_cites_the_relocatable_package_adr() -> None:
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), pytest.raises(SystemExit):
        package.main(["--help"])
    cited = CITED.findall(shown.getvalue())
    assert cited == ["0008-relocatable-provider-package"], cited
