"""The provider settings exist once (`sps_catalog.provider_settings`): the served schema, the
`Appliance` construct and the docs follow them, and both layers share their checks."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from cdktf import App, TerraformStack

from sps_catalog.provider_settings import SETTINGS, seconds_problem, url_problem
from sps_catalog.scalars import SCALARS
from sps_constructs import Appliance
from sps_docs.pages import appliance_parameters, sections
from sps_docs.schema import flags, served_schema


def test_the_served_provider_schema_is_the_settings() -> None:
    served = served_schema().provider.attributes
    assert [a.name for a in served] == [s.name for s in SETTINGS]
    for a, s in zip(served, SETTINGS, strict=True):
        assert a.optional and not a.required and a.sensitive == s.sensitive
        assert a.cty == SCALARS[s.type].terraform
        assert s.description in a.description and (s.env is None or f"`{s.env}`" in a.description)


def test_the_appliance_takes_every_setting_with_its_type() -> None:
    params = appliance_parameters()  # raises when they drift apart
    assert [p.name for p in params] == [s.name for s in SETTINGS]
    assert all(p.default is None for p in params if p.name != "url")
    assert inspect.signature(Appliance.__init__).parameters["url"].default is inspect.Parameter.empty


def test_the_appliance_writes_each_setting_given_under_its_name(tmp_path: Path) -> None:
    values = {
        "url": "https://sps.example.net",
        "username": "u",
        "password": "p",
        "ca_bundle": "/ca.pem",
        "insecure": True,
        "allow_plaintext_http": False,
        "request_timeout": 5.0,
        "lock_timeout": 60.0,
        "group_commit": False,
        "commit_estimate": 0.0,
        "commit_message": "m",
    }
    assert set(values) == {s.name for s in SETTINGS}
    app = App(outdir=str(tmp_path))
    Appliance(TerraformStack(app, "s"), "eu", **values)
    app.synth()
    [provider] = json.loads((tmp_path / "stacks/s/cdk.tf.json").read_text())["provider"]["sps"]
    assert provider == {**values, "alias": "eu"}


@pytest.mark.parametrize(
    ("url", "plaintext", "problem"),
    [
        ("https://sps.example.net", False, None),
        ("https://sps.example.net:8443/", False, None),
        ("http://sps.example.net", True, None),
        ("http://sps.example.net", False, "clear text"),
        ("https://sps.example:99999", False, "is not a valid URL"),
        ("sps.example.net", False, "absolute URL"),
        ("ftp://sps.example.net", False, "absolute URL"),
        ("https://admin:pw@sps.example.net", False, "must not hold credentials"),
        ("https://sps.example.net/?a=1", False, "must not hold credentials"),
    ],
)
def test_url_problems(url: str, plaintext: bool, problem: str | None) -> None:
    found = url_problem(url, plaintext)
    assert (found is None) if problem is None else (found is not None and problem in found), found


@pytest.mark.parametrize(("value", "ok"), [(1, True), (0.5, True), (0, False), (-1, False), (float("inf"), False)])
def test_seconds_problems(value: float, ok: bool) -> None:
    assert (seconds_problem(value) is None) == ok


def test_every_served_attribute_is_on_its_page() -> None:
    """Each attribute of each resource's served schema, nested ones included, is listed on the page."""
    served = served_schema()
    root = Path(__file__).resolve().parents[2]
    for name, block in served.resources.items():
        page = (root / "docs/resources" / f"{name.removeprefix('sps_')}.md").read_text()
        for section in sections(block.attributes):
            for _, attrs in section.groups:
                for a in attrs:
                    assert f"- `{a.name}` ({flags(a)}) {a.description}" in page, (name, section.path, a.name)
