"""Every catalog example, and every Python example in docs/resources, builds with the generated
constructs and synthesizes to the attributes the catalog example holds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cdktf import App, TerraformStack, Token

from sps_catalog import load_catalog
from sps_constructs.base import SpsResource
from sps_docs.examples import python_example

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
CASES = [(t, name) for t in CATALOG.managed for name in ("minimal", "full", "update")]


def run(code: str) -> dict[str, Any]:
    app = App(outdir="/tmp/sps-example-synth")
    stack = TerraformStack(app, "examples")
    scope: dict[str, Any] = {"stack": stack}
    exec(code, scope)
    return scope


def expected(v: Any) -> Any:
    """The example as the construct holds it: nulls dropped, references as tokens (checked apart)."""
    if isinstance(v, dict) and set(v) in ({"builtin"}, {"ref"}, {"sample"}):
        return TOKEN
    if isinstance(v, dict):
        return {k: expected(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [expected(x) for x in v]
    return v


def tokens_as_marker(v: Any) -> Any:
    if isinstance(v, str) and Token.is_unresolved(v):
        return TOKEN
    if isinstance(v, dict):
        return {k: tokens_as_marker(x) for k, x in v.items()}
    if isinstance(v, list):
        return [tokens_as_marker(x) for x in v]
    return v


TOKEN = "<reference token>"


@pytest.mark.parametrize(("t", "example"), CASES, ids=[f"{t.terraform_name}-{n}" for t, n in CASES])
def test_catalog_example_builds_as_constructs(t: Any, example: str) -> None:
    body = dict(t.examples[example])
    scope = run(python_example(CATALOG, t, body))
    construct = scope["sps"].node.find_child("example")
    assert isinstance(construct, SpsResource) and construct.sps_type == t  # equal: a test may clear the catalog cache
    assert tokens_as_marker(dict(construct.sps_attributes)) == expected(body)


@pytest.mark.parametrize("page", sorted((ROOT / "docs" / "resources").glob("*.md")), ids=lambda p: p.stem)
def test_reference_pagepython_example_runs(page: Path) -> None:
    match = re.search(r"```python\n(.*?)```", page.read_text(), re.S)
    assert match, f"{page.name} has no Python example"
    run(match.group(1))
