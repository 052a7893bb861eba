"""`sps-export`: write a running appliance's configuration as Python (CDKTF) and HCL, or with
`--check` judge it against the security baseline.

Exit codes: 0 everything exported; 1 written, but some types could not be read or some objects
could not be represented (all named on stderr and in the README); 2 nothing written (bad
arguments, login or connection failure).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sps_catalog import load_catalog
from sps_catalog.baseline import SEVERITIES, at_least
from sps_catalog.endpoints import endpoints_of
from sps_catalog.model import Catalog, TypeDef
from sps_export import check, hcl, python, readme
from sps_export.generic import label
from sps_export.literals import comment_text
from sps_export.reader import TypeRead, name_reader, read_appliance
from sps_export.selection import Export, select
from sps_export.skipped import BUILT_IN, WRITE_ONCE
from sps_export.tree import EndpointRead, TreeRead, walk
from sps_provider.client import errors
from sps_provider.client.session import Settings, SpsClient


def parse_args(cat: Catalog, argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="sps-export",
        description="Export a running SPS appliance as code (read-only: one login and GETs, nothing written). "
        "Credentials come from SPS_USERNAME and SPS_PASSWORD, as for the provider.",
    )
    p.add_argument("--url", default=os.environ.get("SPS_URL"), help="the appliance, https://... (env SPS_URL)")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument(
        "--ca-bundle", default=os.environ.get("SPS_CA_BUNDLE"), help="PEM file of the CA (env SPS_CA_BUNDLE)"
    )
    tls.add_argument("--insecure", action="store_true", help="skip certificate verification (lab use only)")
    p.add_argument("--out", type=Path, help="directory to write into (python/ and hcl/ below it)")
    p.add_argument(
        "--check",
        action="store_true",
        help="run the security baseline against the appliance instead of exporting (findings on stdout)",
    )
    p.add_argument("--json", action="store_true", help="with --check: findings as JSON")
    p.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="low",
        help="with --check: exit 1 when a finding is at least this severe (default low: any finding)",
    )
    p.add_argument("--format", choices=("python", "hcl", "both"), default="both")
    p.add_argument(
        "--force",
        action="store_true",
        help="export even where --out/python or --out/hcl holds files: those folders are moved aside to "
        "<folder>.replaced-<UTC time> (nothing is deleted), then written afresh",
    )
    p.add_argument(
        "--appliance-name",
        default="sps",
        type=_appliance_name,
        help="the Appliance id and stack name: letters, digits, _ and -, starting with a letter (default sps)",
    )
    p.add_argument(
        "--only",
        nargs="+",
        metavar="TYPE",
        choices=sorted(t.resource_type for t in cat.managed),
        help="export these resource types only (e.g. sps_audit_policy); references to others become lookups",
    )
    p.add_argument(
        "--typed-only",
        action="store_true",
        help="walk the whole tree but write typed resources only: objects no typed resource manages are "
        "counted and named as skipped, not written as sps_object/sps_settings",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one HTTP answer")
    args = p.parse_args(argv)
    if args.out is None and not args.check:
        p.error("give --out DIR (or --check)")
    return args


FIRMWARE = re.compile(r"\d+(\.\d+)*[A-Za-z0-9.+~-]*")
"""What an SPS firmware version looks like (`7.5.1`); anything else is still written, escaped."""


def _appliance_name(text: str) -> str:
    """The rule `Appliance` applies to its id (it becomes the provider alias), checked before any read."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", text):
        raise argparse.ArgumentTypeError(f"{text!r}: use letters, digits, _ and -, starting with a letter")
    return text


def _progress(err: TextIO) -> Any:
    def report(r: TypeRead, done: int, total: int) -> None:
        what = f"error: {r.error}" if r.error else f"{len(r.objects)} objects"
        print(f"[{done}/{total}] {r.t.resource_type}: {what}", file=err, flush=True)

    return report


def _tree_progress(err: TextIO) -> Any:
    def report(r: EndpointRead, done: int, total: int) -> None:
        e = r.endpoint
        n = len(r.typed.objects) if r.typed is not None else len(r.objects)
        what = (
            f"error: {r.error}"
            if r.error
            else f"{n} objects"
            if r.listed
            else "not read (write-once or write-only secrets)"
        )
        where = label(e) if e.resource_type is not None else f"{label(e)}{'' if r.known else ' (not in the catalog)'}"
        note = "" if e.writable else " (read-only)"
        print(f"[{done}/{total}] {comment_text(where)}{note}: {what}", file=err, flush=True)

    return report


def summary(export: Export) -> str:
    """A table per type (or generic endpoint): objects written, built-ins left to lookups, objects
    not exported; then what the walk visited and the counts by reason, and each object skipped."""
    rows: dict[str, list[int]] = {}
    for res in export.resources:
        rows.setdefault(res.t.resource_type, [0, 0, 0])[0] += 1
    for g in export.generic:
        rows.setdefault(label(g.endpoint), [0, 0, 0])[0] += 1
    for name, n in export.builtins_kept.items():
        rows.setdefault(name, [0, 0, 0])[1] += n
    for s in export.skipped:
        rows.setdefault(s.label, [0, 0, 0])[2] += 1
    width = max([len("type"), *(len(n) for n in rows)])
    lines = [f"{'type'.ljust(width)}  written  built-in  not exported"]
    lines += [f"{n.ljust(width)}  {a:7d}  {b:8d}  {c:12d}" for n, (a, b, c) in sorted(rows.items())]
    total = [sum(r[i] for r in rows.values()) for i in range(3)]
    lines.append(f"{'total'.ljust(width)}  {total[0]:7d}  {total[1]:8d}  {total[2]:12d}")
    if export.visited:
        lines.append(
            f"endpoints visited: {sum(export.visited.values())} ("
            + ", ".join(f"{n} {kind}" for kind, n in export.visited.items())
            + ")"
        )
    reasons: dict[str, int] = {BUILT_IN: sum(export.builtins_kept.values())}
    for s in export.skipped:
        if s.category != BUILT_IN:
            reasons[s.category] = reasons.get(s.category, 0) + 1
    lines.append(
        f"objects: {len(export.resources)} typed, {len(export.generic)} generic"
        f" ({sum(not g.known for g in export.generic)} not in the catalog), "
        f"{sum(reasons.values())} skipped ("
        + ", ".join(f"{reason} {n}" for reason, n in reasons.items())
        + f"); {len(export.unlisted)} endpoints not read ({WRITE_ONCE}s)"
    )
    for s in export.skipped:
        lines.append(f"not exported: {s.label} {s.name!r} (key {s.key}): {s.reason}")
    for where, why in export.unlisted:
        lines.append(f"not read: {where}: {why}")
    for name, error in export.read_errors.items():
        lines.append(f"not read: {name}: {error}")
    return "\n".join(lines)


def occupied(folder: Path) -> bool:
    """Whether `folder` exists as anything but an empty directory."""
    return folder.exists() and (not folder.is_dir() or any(folder.iterdir()))


def write(folder: Path, files: dict[str, str], err: TextIO) -> None:
    """The export's files, and only them, in `folder`: written into a new sibling directory, which
    then takes the folder's place; a folder already there is moved aside, never merged or deleted."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.sps-export-"))
    for name, text in files.items():
        (fresh / name).write_text(text, encoding="utf-8")
    if folder.exists() or folder.is_symlink():
        if occupied(folder):
            aside = folder.with_name(f"{folder.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}")
            folder.rename(aside)
            print(f"sps-export: moved the previous {folder} to {aside} (nothing deleted)", file=err)
        else:
            folder.rmdir()
    fresh.rename(folder)


def main(argv: list[str] | None = None, err: TextIO = sys.stderr) -> int:
    cat = load_catalog()
    args = parse_args(cat, argv)
    username, password = os.environ.get("SPS_USERNAME"), os.environ.get("SPS_PASSWORD")
    if not args.url or not username or not password:
        print("sps-export: give --url (or SPS_URL), and SPS_USERNAME and SPS_PASSWORD", file=err)
        return 2
    formats = ("python", "hcl") if args.format == "both" else (args.format,)
    if not args.check and not args.force:
        taken = [args.out / fmt for fmt in formats if occupied(args.out / fmt)]
        if taken:
            print(
                f"sps-export: {', '.join(map(str, taken))} already holds files: choose another --out, or give "
                "--force to move the existing folder aside (to <folder>.replaced-<UTC time>) and write afresh",
                file=err,
            )
            return 2
    verify: bool | str = False if args.insecure else (args.ca_bundle or True)
    client = SpsClient(
        Settings(args.url, username, password, verify=verify, timeout=args.timeout, user_agent="sps-export"),
        relogin=True,
    )
    wanted: list[TypeDef] = [t for t in cat.managed if not args.only or t.resource_type in args.only]
    started = time.monotonic()
    tree: TreeRead | None = None
    try:
        if args.check or args.only:
            read = read_appliance(client, wanted, _progress(err))
        else:
            tree = walk(client, endpoints_of(cat), _tree_progress(err))
            read = tree.appliance_read()
    except errors.TlsVerificationFailed as exc:
        print(
            f"sps-export: the certificate of {args.url} is not trusted ({exc.__cause__ or exc}). Pass the CA that "
            "signed it with --ca-bundle FILE (a PEM file; or SPS_CA_BUNDLE), or, for a lab appliance only, --insecure.",
            file=err,
        )
        return 2
    except errors.SpsError as exc:
        print(f"sps-export: {exc}", file=err)
        return 2
    if args.check:
        found = check.findings(read)
        print(check.as_json(found) if args.json else check.as_text(found))
        unread = read.read_errors()
        for name, error in unread.items():
            print(f"not read: {name}: {error}", file=err)
        failed = any(at_least(f.rule.severity, args.fail_on) for f in found)
        return 1 if failed or unread else 0
    if read.firmware is not None and not FIRMWARE.fullmatch(read.firmware):
        print(
            f"sps-export: warning: the appliance reports firmware {comment_text(read.firmware)!r}, which is not a "
            "version number; it is written escaped into the generated files' first line",
            file=err,
        )
    export = select(cat, read, name_reader(client), {args.appliance_name}, tree, args.typed_only)
    provider = {"url": args.url, "ca_bundle": args.ca_bundle, "insecure": True if args.insecure else None}
    for fmt in formats:
        files = (
            python.render(export, args.appliance_name, provider) if fmt == "python" else hcl.render(export, provider)
        )
        files["README.md"] = readme.render(export, fmt, args.appliance_name)  # type: ignore[arg-type]
        write(args.out / fmt, files, err)
    print(summary(export), file=err)
    seconds = time.monotonic() - started
    written = len(export.resources) + len(export.generic)
    print(f"wrote {written} objects as {' and '.join(formats)} to {args.out} in {seconds:.1f} s", file=err)
    return 1 if export.problems() or export.read_errors else 0


if __name__ == "__main__":
    sys.exit(main())
