"""Terraform configuration text the end-to-end tests write: the provider block for a simulator."""

from __future__ import annotations

from sps_harness import RunningSimulator


def provider_block(sim: RunningSimulator, alias: str | None = None, **extra: object) -> str:
    lines = [
        'provider "sps" {',
        *([f'  alias = "{alias}"'] if alias else []),
        f'  url = "{sim.url}"',
        '  username = "admin"',
        '  password = "admin"',
        f'  ca_bundle = "{sim.ca}"',
        *[f"  {k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in extra.items()],
        "}",
    ]
    return "\n".join(lines) + "\n"


REQUIRED_PROVIDERS = 'terraform {\n  required_providers {\n    sps = { source = "oneidentity/sps" }\n  }\n}\n'
