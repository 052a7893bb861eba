"""Backup policies accept an rsync `host_key` as a plain public key string (S004: "you can enter
the public key of the host in the host_key element without using the selection and value
elements"); SPS stores, and answers with, the object form `{selection, value}`."""

from __future__ import annotations

import base64
import binascii
import copy
import struct
from typing import Any

from sps_simulator.overlays import Hooks

ALGORITHMS = {"ssh-rsa": "rsa", "ssh-dss": "dss"}


def _algorithm(blob: str) -> str | None:
    """The key type named inside an OpenSSH public key blob (its first length-prefixed string)."""
    try:
        raw = base64.b64decode(blob, validate=True)
        (length,) = struct.unpack(">I", raw[:4])
        return raw[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError):
        return None


def host_key_object(text: str) -> Any:
    """`ssh-rsa AAAA... [comment]` or a bare `AAAA...` blob as `{selection, value}`; the string
    unchanged when it names no algorithm SPS offers (validation then refuses it)."""
    parts = text.split()
    if not parts:
        return text
    named = parts[0] if parts[0] in ALGORITHMS else None
    blob = parts[1] if named and len(parts) > 1 else parts[0]
    selection = ALGORITHMS.get(named or _algorithm(blob) or "")
    return {"selection": selection, "value": blob} if selection else text


def request_form(body: Any) -> Any:
    """The body with a plain-string rsync host key in object form."""
    target = body.get("target") if isinstance(body, dict) else None
    if not isinstance(target, dict) or not isinstance(target.get("host_key"), str):
        return body
    out = copy.deepcopy(body)
    out["target"]["host_key"] = host_key_object(target["host_key"])
    return out


HOOKS = Hooks(before_write=request_form)
