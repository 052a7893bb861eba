"""`make audit`: pip-audit over the installed dependency set that fails unless every package was
actually audited. pip-audit exits 0 when the vulnerability service cannot be reached and every
package is "not found on PyPI and could not be audited"; a check that cannot fail is no check.

Exit codes: 0 every package audited, none vulnerable; 1 known vulnerabilities; 2 some or all
packages not audited (the service is unreachable: run where PyPI's JSON API or osv.dev answers).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Audit:
    audited: list[str]
    skipped: dict[str, str]
    vulnerable: dict[str, list[str]]

    @classmethod
    def of(cls, report: dict[str, Any]) -> Audit:
        audited, skipped, vulnerable = [], {}, {}
        for dep in report["dependencies"]:
            if "skip_reason" in dep:
                skipped[dep["name"]] = dep["skip_reason"]
                continue
            audited.append(dep["name"])
            if dep.get("vulns"):
                vulnerable[dep["name"]] = [v["id"] for v in dep["vulns"]]
        return cls(audited, skipped, vulnerable)

    def verdict(self) -> tuple[int, str]:
        if self.vulnerable:
            found = "; ".join(f"{name}: {', '.join(ids)}" for name, ids in sorted(self.vulnerable.items()))
            return 1, f"known vulnerabilities: {found}"
        if self.skipped:
            first = next(iter(self.skipped.values()))
            return 2, (f"{len(self.skipped)} of {len(self.skipped) + len(self.audited)} packages were not audited "
                       f"(e.g. {first!r}); the vulnerability service is not reachable from here")  # fmt: skip
        return 0, f"{len(self.audited)} packages audited, no known vulnerabilities"


def main(argv: list[str]) -> int:
    pip_audit = Path(sys.executable).parent / "pip-audit"
    cmd = [str(pip_audit), "--local", "--skip-editable", "--progress-spinner", "off", "--format", "json", *argv]
    result = subprocess.run(cmd, capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit failed (exit {result.returncode}):\n{result.stderr}", file=sys.stderr)
        return 2
    code, message = Audit.of(report).verdict()
    print(f"audit: {message}", file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
