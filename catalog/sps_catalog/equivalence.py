"""Whether two JSON values are the same value as Terraform holds them.

The provider reads bodies from the appliance and compares them with what the configuration says
(`extra_json`, the generic resources' `body`). Terraform normalizes every configuration string to
Unicode NFC and holds numbers as 512-bit floats, so a configuration can never spell an appliance's
decomposed text or a number beyond those bits exactly; comparing exactly would plan a change that
no configuration could ever settle. `equivalent` compares as Terraform can: strings and object keys
up to NFC, a float with any number as doubles, two integers up to 512 significant bits. Booleans
are never numbers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

TERRAFORM_NUMBER_BITS = 512


def nfc(text: str) -> str:
    """`text` in Unicode NFC, as Terraform holds every string."""
    return unicodedata.normalize("NFC", text)


def by_nfc(obj: Mapping[str, Any]) -> dict[str, str]:
    """The keys of `obj` by their NFC form (a key that collides with another after NFC is left out:
    a configuration names one of two such keys by its exact spelling only, see `spelling`)."""
    seen: dict[str, list[str]] = {}
    for k in obj:
        seen.setdefault(nfc(k), []).append(k)
    return {n: ks[0] for n, ks in seen.items() if len(ks) == 1}


def spelling(obj: Mapping[str, Any], name: str, keys: Mapping[str, str] | None = None) -> str | None:
    """The key of `obj` that a configuration's `name` names: `name` itself, else the one key equal
    to it up to NFC (None when there is none, or two: the one spelled exactly stays another field).
    `keys`: `by_nfc(obj)`, when the caller has it."""
    if name in obj:
        return name
    return (by_nfc(obj) if keys is None else keys).get(nfc(name))


def equivalent(a: Any, b: Any) -> bool:
    """Whether JSON values `a` and `b` are one value to Terraform (see the module docstring)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return _same_number(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b or nfc(a) == nfc(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equivalent(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        keys_a, keys_b = by_nfc(a), by_nfc(b)
        if len(keys_a) != len(a) or keys_a.keys() != keys_b.keys():
            return a == b
        return all(equivalent(a[keys_a[n]], b[keys_b[n]]) for n in keys_a)
    return bool(a is None and b is None)


def _same_number(a: int | float, b: int | float) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b)
        except OverflowError:
            return False
    return _rounded(int(a)) == _rounded(int(b))


def _rounded(n: int) -> int:
    """`n` to 512 significant bits, ties to even, as Terraform's numbers hold it."""
    extra = abs(n).bit_length() - TERRAFORM_NUMBER_BITS
    if extra <= 0:
        return n
    sign, m = (-1 if n < 0 else 1), abs(n)
    q, r = divmod(m, 1 << extra)
    half = 1 << (extra - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return sign * (q << extra)
