"""SPS object keys: which strings can be one, and how one goes into a URL.

Keys are opaque identifiers (`78101850949e47437dd91d`, UUIDs, `-100`, `nic1.interfaces.<id>...`)
that end a URL path. A "key" such as `../ldap_servers/<k>` would address another collection,
and one holding `?` or `#` another resource, so keys holding URL delimiters are refused where
they enter (configuration, import IDs, references) and every key is escaped where a URL is built.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

FORBIDDEN = frozenset("/\\?#%")


def key_problem(key: Any) -> str | None:
    """Why `key` cannot be an SPS key, or None when it can."""
    if not isinstance(key, str) or not key:
        return "must be a non-empty key"
    if key in (".", "..") or any(c in FORBIDDEN or c.isspace() or not c.isprintable() for c in key):
        return (
            f"{key!r} is not an SPS key (keys hold no whitespace, '/', '\\', '?', '#' or '%' and are not '.' or '..')"
        )
    return None


def item_path(collection: str, key: str) -> str:
    """The URL path of the object `key` in the collection at `collection`, the key escaped."""
    return f"{collection}/{quote(key, safe='')}"
