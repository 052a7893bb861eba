"""Where write-once secrets sit in a body, and how their write-only inputs map onto them.

A secret field `x` (a reference to a password or private key object) is set through two
Terraform attributes next to it: `x_wo` (write-only, the secret itself) and `x_wo_version`.
Secrets may sit in nested objects and union branches, never inside lists.
"""

from __future__ import annotations

import copy
from typing import Any

from sps_catalog.model import Field, Value
from sps_catalog.values import UNKNOWN, get_in

__all__ = [
    "as_body_values",
    "get_in",
    "secret_input",
    "secret_key_description",
    "selects",
    "set_in",
    "version_description",
    "write_only_description",
]

Path = tuple[str, ...]


def set_in(v: Any, path: Path, item: Any) -> None:
    """Set `path` inside `v` when its parent object exists (a secret of an unselected branch has none)."""
    parent = get_in(v, path[:-1])
    if isinstance(parent, dict):
        parent[path[-1]] = item


def secret_input(tf: Any, path: Path, f: Field) -> tuple[Any, Any]:
    """(write-only value, version) given next to the secret at `path`."""
    parent = get_in(tf, path[:-1])
    if not isinstance(parent, dict):
        return None, None
    return parent.get(f.write_only_name), parent.get(f.version_name)


def selects(value: Value, tf: Any, path: Path) -> bool:
    """Whether the field at `path` belongs to the union branches `tf` selects (a secret of an
    rsync target is no field of an nfs one); an unknown discriminator may select it."""
    spec: Value = value
    for depth, name in enumerate(path):
        here = get_in(tf, path[:depth])
        if spec.union is not None and isinstance(here, dict):
            disc = here.get(spec.union.discriminator)
            if disc is not UNKNOWN:
                branch = spec.union.branch_name(disc)
                if name not in {f.name for f in spec.active_fields(branch)}:
                    return False
        spec = {f.name: f for f in spec.all_fields()}[name]
    return True


def as_body_values(value: Value, tf: Any, prior: Any = None) -> Any:
    """`tf` without the write-only inputs, each secret being UNKNOWN when its `_wo` is given (a new
    object will be made) or else the key it already had while its branch stays selected: the
    shape validation expects."""
    if not value.secrets:
        return tf  # nothing to rewrite (validation only reads it)
    out = copy.deepcopy(tf)
    for path, f in value.secrets:
        wo, _ = secret_input(tf, path, f)
        parent = get_in(out, path[:-1])
        if isinstance(parent, dict):
            parent.pop(f.write_only_name, None)
            parent.pop(f.version_name, None)
            kept = get_in(prior, path) if selects(value, tf, path) else None
            parent[f.name] = UNKNOWN if wo is not None else kept
    return out


# How the three attributes of a secret are described, once: the served schema (hence the docs)
# and the construct signatures use these.
def secret_key_description(f: Field) -> str:
    return f"{f.description} The key of the write-once object the provider created from `{f.write_only_name}`."


def write_only_description(f: Field) -> str:
    return (
        f"The secret for `{f.name}`. Write-only (Terraform >= 1.11): never stored in plan or state. SPS keeps "
        f"it as a write-once object, so change `{f.version_name}` to send a new one."
    )


def version_description(f: Field) -> str:
    return (
        f"Change it to send `{f.write_only_name}` again (a new write-once object on SPS). After `terraform "
        "import` the first apply sends it once, as SPS never reveals a secret."
    )
