"""What pyproject.toml declares against what requirements.lock pins (docs/adr/0018).

uv writes the lock (`make relock`); this module reads it without a network: a test fails when the
two disagree, `make relock` takes the cdktn extra from here, and `sps-init` ships the runtime part
of the lock (the project's own dependencies and what they require, with every hash) so a team's
repository installs exactly what this commit was tested with.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
CDKTN_LOCK = ROOT / "requirements-cdktn.lock"
PROJECT = "sps-as-code"
#: uv's `# via` line for a requirement that pyproject.toml itself names.
FROM_PYPROJECT = f"{PROJECT} (pyproject.toml)"
#: Extras locked apart: cdktn is installed without cdktf, so it cannot share requirements.lock.
LOCKED_APART = ("cdktn",)
#: What a team's repository installs beside the wheel: the provider and constructs' dependencies, and
#: the simulator's, so `sps-simulator` runs there too.
RUNTIME_EXTRAS = ("simulator",)
#: The runtime part of the lock as sps-init ships it (package data of sps_init).
RUNTIME_TEMPLATE = ROOT / "tools" / "sps_init" / "template" / "requirements.txt"

_ENTRY = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


@dataclass(frozen=True)
class Pin:
    """One entry of a uv lock: `name==version ; marker`, its hash lines and who requires it."""

    name: str
    version: str
    marker: str | None
    text: str
    via: tuple[str, ...]


def _project(root: Path = ROOT) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    return project


def declared(extras: tuple[str, ...] | None = None, root: Path = ROOT) -> list[Requirement]:
    """The base dependencies plus the named extras (all but those locked apart when None), with the
    project's references to its own extras followed."""
    project = _project(root)
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})  # type: ignore[assignment]
    todo = [name for name in optional if name not in LOCKED_APART] if extras is None else list(extras)
    base: list[str] = project["dependencies"]  # type: ignore[assignment]
    out, seen = [Requirement(text) for text in base], set(todo)
    while todo:
        for text in optional[todo.pop()]:
            req = Requirement(text)
            if canonicalize_name(req.name) == PROJECT:
                todo.extend(sorted(set(req.extras) - seen))
                seen |= req.extras
            else:
                out.append(req)
    return out


def parse(path: Path) -> list[Pin]:
    """The entries of a lock written by `uv pip compile --generate-hashes`."""
    pins: list[Pin] = []
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        match = _ENTRY.match(lines[i])
        if not match:
            i += 1
            continue
        block = [lines[i]]
        i += 1
        while i < len(lines) and lines[i].startswith("    --hash="):
            block.append(lines[i])
            i += 1
        via: list[str] = []
        while i < len(lines) and lines[i].startswith("    #"):
            text = lines[i].strip("# ").removeprefix("via").strip()
            if text:
                via.append(text)
            i += 1
        name = canonicalize_name(match["name"])
        pins.append(Pin(name, match["version"], match["marker"], "\n".join(block), tuple(via)))
    return pins


def disagreements(lock: Path = LOCK, requirements: list[Requirement] | None = None) -> list[str]:
    """Why `lock` does not match pyproject.toml (empty when it does): a declared requirement the lock
    leaves out or pins outside its range, an entry pinned for pyproject that pyproject no longer
    names, an entry without hashes, an entry nothing requires."""
    reqs = declared() if requirements is None else requirements
    pins = parse(lock)
    by_name: dict[str, list[Pin]] = {}
    for pin in pins:
        by_name.setdefault(pin.name, []).append(pin)
    problems = []
    for req in reqs:
        found = by_name.get(canonicalize_name(req.name), [])
        if not found:
            problems.append(f"{req} is declared in pyproject.toml but not pinned in {lock.name}")
        elif not any(req.specifier.contains(pin.version, prereleases=True) for pin in found):
            pinned = ", ".join(pin.version for pin in found)
            problems.append(f"{req} is declared in pyproject.toml but {lock.name} pins {pinned}")
    names = {canonicalize_name(req.name) for req in reqs}
    for pin in pins:
        if "--hash=sha256:" not in pin.text:
            problems.append(f"{pin.name}=={pin.version} has no hash in {lock.name}")
        if FROM_PYPROJECT in pin.via and pin.name not in names:
            problems.append(f"{pin.name} is pinned for pyproject.toml in {lock.name}, which no longer declares it")
        if not pin.via and pin.name not in names:
            problems.append(f"{pin.name}=={pin.version} in {lock.name} is required by nothing")
    return problems


def runtime_pins(lock: Path = LOCK, extras: tuple[str, ...] = RUNTIME_EXTRAS) -> list[Pin]:
    """The base dependencies, the named extras and everything they require, as the lock pins them
    (uv's `# via` lines are the edges): what a user of the wheel installs."""
    pins = parse(lock)
    wanted: set[str] = {canonicalize_name(req.name) for req in declared(extras=extras)}
    while True:
        more = {p.name for p in pins if p.name not in wanted and any(canonicalize_name(v) in wanted for v in p.via)}
        if not more:
            return [p for p in pins if p.name in wanted]
        wanted |= more


def runtime_requirements(lock: Path = LOCK) -> str:
    """The text of RUNTIME_TEMPLATE: a requirements file for `pip install --require-hashes`."""
    header = (
        f"# Generated from {lock.name} by `make relock` (python -m sps_harness.locks runtime): the runtime\n"
        f"# dependencies of {PROJECT} and its extras {', '.join(RUNTIME_EXTRAS)}, exact versions with hashes.\n"
    )
    return header + "".join(f"{pin.text}\n" for pin in runtime_pins(lock))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["runtime"]:
        RUNTIME_TEMPLATE.write_text(runtime_requirements())
        return 0
    if args == ["cdktn"]:
        print("\n".join(str(req) for req in _cdktn_only()))
        return 0
    if args == ["check"]:
        problems = disagreements() + disagreements(CDKTN_LOCK, _cdktn_only())
        print("\n".join(problems) or "requirements.lock and requirements-cdktn.lock match pyproject.toml")
        return 1 if problems else 0
    print("usage: python -m sps_harness.locks cdktn|check|runtime", file=sys.stderr)
    return 2


def _cdktn_only() -> list[Requirement]:
    base = {str(req) for req in declared(extras=())}
    return [req for req in declared(extras=LOCKED_APART) if str(req) not in base]


if __name__ == "__main__":
    sys.exit(main())
