"""Refusing at plan what the connected appliance's firmware cannot do.

The catalog says from which and until which SPS version a type exists and is writable over REST,
and which fields exist (`sps_catalog.firmware`); the provider reads the appliance's version once
(`GET /api/info`) and turns a write the appliance would refuse into a plan error naming the
appliance, its version and what to do instead; a destroy is such a write too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sps_catalog.firmware import absent_fields
from sps_catalog.model import TypeDef
from sps_catalog.values import dotted
from sps_provider.protocol.diagnostics import Diagnostics


@dataclass(frozen=True)
class Target:
    """The appliance a plan is for: its URL and the firmware version it reports (None if it does not)."""

    url: str
    firmware: str | None


def check_plan(t: TypeDef, target: Target, values: dict[str, Any], writes: bool, diags: Diagnostics) -> None:
    """Errors for a write `t`'s versions do not allow on `target`, and for fields set in `values`
    that do not exist there. `writes` is False for a plan that changes nothing (only a warning then)."""
    version = target.firmware
    if version is None:
        return
    where = f"{target.url} runs SPS {version}"
    if not t.versions.exists_on(version):
        diags.error(
            f"{t.resource_type} does not exist on this appliance",
            f"{where}; {t.title} objects {t.versions.describe()}. Remove this resource from the configuration for "
            "this appliance.",
        )
        return
    if not t.versions.writable_on(version):
        detail = (
            f"{where}, where {t.title} objects are read-only over REST ({t.versions.describe()}). Change them in the "
            f'SPS web interface and read them with the data source (data "{t.resource_type}" by key or name) '
            "instead of this resource; to stop managing one Terraform already holds, remove it from state "
            "(`terraform state rm`, or a `removed` block with `destroy = false`)."
        )
        if writes:
            diags.error(f"{t.resource_type} is read-only on this appliance", detail)
        else:
            diags.warning(f"{t.resource_type} is read-only on this appliance", detail)
        return
    for path, f in absent_fields(t.root, values, version):
        diags.error(
            f"{t.resource_type}: {dotted(path)} does not exist on this appliance",
            f"{where}; `{dotted(path)}` {f.versions.describe()}. Leave it unset for this appliance (fields only that "
            "version has can be set through extra_json).",
            list(path),
        )


def check_destroy(t: TypeDef, target: Target, key: Any, diags: Diagnostics) -> None:
    """An error for destroying an object of a collection the appliance's firmware lets REST read
    but not delete (the DELETE would answer MethodNotAllowed at apply, e.g. a VNC connection policy
    after an upgrade to 7.5), with the ways to stop managing it instead. A singleton's destroy
    only forgets it; a type that does not exist there has nothing to delete."""
    version = target.firmware
    if version is None or t.is_singleton or not t.versions.exists_on(version) or t.versions.writable_on(version):
        return
    diags.error(
        f"{t.resource_type} cannot be destroyed on this appliance",
        f"{target.url} runs SPS {version}, where {t.title} objects are read-only over REST "
        f"({t.versions.describe()}), so deleting {t.api_path}/{key} would fail at apply. To stop managing it "
        "and leave it on the appliance, remove it from the state: a `removed` block naming it with "
        "`lifecycle { destroy = false }`, or `terraform state rm <address>`. To delete it, use the SPS web "
        "interface, then remove it from the state the same way.",
    )
