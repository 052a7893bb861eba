"""`python -m sps_docs`: write the reference pages (`--check`: exit 1 when one is stale or left over)."""

from __future__ import annotations

import argparse
import sys

from sps_catalog import load_catalog
from sps_docs.pages import ROOT, render_docs
from sps_docs.schema import served_schema

GENERATED_DIRS = ("docs/resources", "docs/data-sources")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a page is stale")
    args = parser.parse_args(argv)
    pages = {ROOT / rel: text for rel, text in render_docs(load_catalog(), served_schema()).items()}
    stale = [path for path, text in pages.items() if not path.exists() or path.read_text() != text]
    left_over = [p for d in GENERATED_DIRS for p in sorted((ROOT / d).glob("*.md")) if p not in pages]
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(pages[path])
    for path in left_over:
        print(f"{'left over' if args.check else 'removed'}: {path.relative_to(ROOT)}")
        if not args.check:
            path.unlink()
    if args.check and (stale or left_over):
        print("the reference docs are stale: run `make generate`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
