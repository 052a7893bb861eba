"""Fields capped by their protocol's global options. S000: a connection policy's
`channel_database_cleanup.days` "must not exceed ... the retention time configured in the global
settings of the protocol" (`<protocol>/options`), and S001 says the global one "must exceed ... the
connection-specific database cleanup times". One rule for the simulator (checked at commit, where
both objects are known) and the provider (a warning at plan: the same apply may raise the option).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sps_catalog.model import Catalog, TypeDef
from sps_catalog.values import get_in


@dataclass(frozen=True)
class Cap:
    field_path: tuple[str, ...]
    """Where the capped value sits in the type's body."""
    option_path: tuple[str, ...]
    """Where the cap sits in the protocol's options body."""


@dataclass(frozen=True)
class Excess:
    cap: Cap
    value: int
    limit: int


def caps(t: TypeDef) -> list[Cap]:
    return [Cap(path, tuple(str(f.at_most_option).split("."))) for path, f in t.capped_fields]


def options_path(t: TypeDef) -> str:
    """The protocol's global options: `options` beside the type's collection (mssql/options)."""
    return f"{t.path.rsplit('/', 1)[0]}/options"


def options_of(t: TypeDef, catalog: Catalog) -> TypeDef | None:
    options = catalog.by_path(options_path(t))
    return options if options is not None and options.is_singleton else None


def excesses(t: TypeDef, body: Any, options_body: Any) -> list[Excess]:
    """Each capped value of `body` above its option in `options_body` (a value or cap that is not
    set, as in a disabled union branch, caps nothing)."""
    found = []
    for cap in caps(t):
        value, limit = get_in(body, cap.field_path), get_in(options_body, cap.option_path)
        if isinstance(value, int) and isinstance(limit, int) and value > limit:
            found.append(Excess(cap, value, limit))
    return found
