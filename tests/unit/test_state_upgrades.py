"""Schema versions and declared state upgrades, through the provider's UpgradeResourceState."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sps_catalog import load_catalog
from sps_catalog.load import type_from_dict
from sps_provider.engine.resource import ResourceEngine
from sps_provider.protocol import cty
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.provider import Provider

RAW: dict[str, Any] = {
    "terraform_name": "thing",
    "title": "Thing",
    "path": "things",
    "kind": "collection",
    "sources": ["test"],
    "description": "d",
    "schema_version": 2,
    "state_upgrades": [
        {"version": 1, "renamed": {"label": "name"}},
        {"version": 2, "renamed": {"limits.max": "limits.maximum"}},
    ],
    "fields": [
        {"name": "name", "type": "string", "required": True, "description": "d"},
        {
            "name": "limits",
            "type": "object",
            "description": "d",
            "fields": [{"name": "maximum", "type": "int", "description": "d"}],
        },
    ],
}


@pytest.fixture(scope="module")
def provider() -> Provider:
    p = Provider()
    p.resources["sps_thing"] = ResourceEngine(type_from_dict(RAW))
    return p


def upgrade(provider: Provider, version: int, state: dict[str, Any]) -> tuple[Any, list[str]]:
    request = pb.UpgradeResourceState.Request(
        type_name="sps_thing", version=version, raw_state=pb.RawState(json=json.dumps(state).encode())
    )
    response = provider.UpgradeResourceState(request, None)
    return cty.decode(response.upgraded_state.msgpack), [d.summary for d in response.diagnostics]


def test_renamed_attributes_keep_their_values_from_every_older_version(provider: Provider) -> None:
    v0 = {"key": "k1", "label": "web", "limits": {"max": 5}, "extra_json": None}
    v1 = {"key": "k1", "name": "web", "limits": {"max": 5}, "extra_json": None}
    expected = {"key": "k1", "name": "web", "limits": {"maximum": 5}, "extra_json": None}
    assert upgrade(provider, 0, v0) == (expected, [])
    assert upgrade(provider, 1, v1) == (expected, [])


def test_current_state_is_unchanged_and_the_schema_says_its_version(provider: Provider) -> None:
    current = {"key": "k1", "name": "web", "limits": None, "extra_json": None}
    assert upgrade(provider, 2, current) == (current, [])
    schema = provider.GetProviderSchema(pb.GetProviderSchema.Request(), None).resource_schemas["sps_thing"]
    assert schema.version == 2


def test_every_catalog_type_declares_an_upgrade_per_version() -> None:
    assert all(len(t.state_upgrades) == t.schema_version for t in load_catalog())
    with pytest.raises(ValueError, match="state_upgrades must lead to versions"):
        type_from_dict({**RAW, "state_upgrades": RAW["state_upgrades"][:1]})
