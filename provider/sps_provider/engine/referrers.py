"""A deletion SPS refuses because other objects still reference the object: name them as a
Terraform user knows them (`sps_mssql_connection_policy "finance_db"`) and say why one apply
could not do it.

Terraform destroys an object before it updates the resources that referenced it (its default
destroy-before-update order), so an apply that re-points a reference and removes its target
reaches the DELETE while the old reference is still committed. `create_before_destroy` on the
referenced resource makes Terraform update the referrers first (docs/transactions.md).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sps_catalog import load_catalog
from sps_catalog.model import TypeDef
from sps_provider.client import errors
from sps_provider.protocol.diagnostics import Diagnostics

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient
    from sps_provider.coordinator.group_commit import Slot

RELEASE_WAITS = (0.5, 1.0, 2.0)
"""Pauses before a refused deletion is sent again: with keys written as literals Terraform sends
the re-pointing of a referrer alongside the deletion, and under load it may reach the coordinator
after the deletion's group has gone (a group's own deletions are retried within it)."""


def delete_when_released(slot: Slot, path: str) -> None:
    """DELETE `path`; while SPS refuses it for its referrers, wait for them a few times."""
    for pause in (*RELEASE_WAITS, None):
        try:
            slot.submit_one("DELETE", path)
            return
        except errors.BadRequest as exc:
            if pause is None or not referrer_hrefs(exc):
                raise
            time.sleep(pause)


def referrer_hrefs(exc: errors.SpsError) -> list[str]:
    """The hrefs of the objects that still reference the one a refused DELETE named, when SPS
    lists them (`details.referrers`; the simulator does, a real appliance may only say so in text)."""
    found = exc.details.get("referrers") if isinstance(exc.details, dict) else None
    return [errors.shown(str(h)) for h in found] if isinstance(found, list) else []


def terraform_name(reader: SpsClient, href: str) -> str:
    """`sps_<type> "<name>"` for an object's href; the href itself when it cannot be resolved."""
    collection = href.rsplit("/", 1)[0]
    t = next((t for t in load_catalog() if t.api_path == collection), None)
    if t is None:
        return href
    try:
        body = reader.get(href).get("body")
    except errors.SpsError:
        return f"{t.resource_type} {href}"
    name = body.get(t.name_field) if t.name_field and isinstance(body, dict) else None
    return f'{t.resource_type} "{errors.shown(name)}"' if isinstance(name, str) else f"{t.resource_type} {href}"


def report_still_referenced(diags: Diagnostics, t: TypeDef, prior: Any, exc: errors.SpsError,
                            reader: SpsClient) -> bool:  # fmt: skip
    """Report a refused deletion of `prior` naming its referrers; False when SPS named none."""
    hrefs = referrer_hrefs(exc)
    if not hrefs:
        return False
    label = prior.get(t.name_field) if t.name_field else None
    this = f'{t.resource_type} "{label}"' if label else f"{t.resource_type} {prior.get('key')}"
    users = "\n".join(f"  - {terraform_name(reader, h)} ({h})" for h in hrefs)
    diags.error(
        f"Cannot destroy {this}: other objects still reference it",
        f"Still referenced by:\n{users}\n\nTerraform destroys an object before it updates the resources that "
        "referenced it, so changing those references in the same apply comes too late. Either add "
        "`lifecycle { create_before_destroy = true }` to this resource (Terraform then updates the referrers "
        "first), or apply the new references first and remove this resource in a second apply.\n\n"
        f"SPS said: {exc}",
    )
    return True
