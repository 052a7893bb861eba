"""Fill a simulator over REST from the catalog's examples, as an administrator would have.

Every managed type the firmware can write gets its examples (the `full` one for singletons, so
each differs from its defaults); `{ref: type/example}` creates that example first and
`{builtin: ...}` / `{sample: ...}` point at the documented objects; write-only secrets become
password objects. One transaction, committed. `populate_opaque` then gives every opaque endpoint
content of its own. Used by the export round trips and the export benchmark.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import requests

from sps_catalog.endpoints import Endpoint, Endpoints
from sps_catalog.examples import builtin_key, is_builtin_ref, is_example_ref, is_sample_ref, sample_key
from sps_catalog.firmware import held_on
from sps_catalog.model import Catalog, TypeDef, Value
from sps_catalog.secrets import get_in
from sps_catalog.unknown_fields import keep_unknown
from sps_catalog.walk import Path, Rebuild
from sps_provider.engine.convert import to_body


class _Resolve(Rebuild):
    """Example markers as keys (`make` creates a referenced example and returns its key)."""

    select = "present"
    keep_unselected = True
    tracks_path = False

    def __init__(self, cat: Catalog, make: Callable[[str], str]) -> None:
        self.cat = cat
        self.make = make

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        if is_builtin_ref(v):
            return builtin_key(self.cat, v["builtin"])[2]
        if is_sample_ref(v):
            return sample_key(self.cat, v["sample"])[2]
        if is_example_ref(v):
            return self.make(v["ref"])
        return v


class Populator:
    """Writes examples into one open transaction of `session` (logged in to `url`, running `firmware`)."""

    def __init__(self, cat: Catalog, session: requests.Session, url: str, firmware: str) -> None:
        self.cat = cat
        self.s = session
        self.url = url
        self.firmware = firmware
        self.made: dict[str, str] = {}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        r = self.s.request(method, self.url + path, json=body)
        if r.status_code not in (200, 201):
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:500]}")
        return r.json()

    def body(self, t: TypeDef, example: dict[str, Any]) -> Any:
        """The SPS request body of an example (Terraform attribute form), without the modelled fields
        (and their defaults) this firmware does not have, as the provider writes it (a bare value for
        a type whose body is one)."""
        attrs = copy.deepcopy(example)
        for path, f in t.secrets:
            parent = get_in(attrs, path[:-1])
            if isinstance(parent, dict):
                secret = parent.pop(f.write_only_name, None)
                parent.pop(f.version_name, None)
                if secret is not None:
                    target = self.cat[f.target or ""]
                    parent[f.name] = str(self.call("POST", target.api_path, {target.fields[0].name: secret})["key"])
        body = held_on(t.root, to_body(t.root, _Resolve(self.cat, self.example)(t.root, attrs)), self.firmware)
        return t.as_body(body)

    def example(self, ref: str) -> str:
        """Create the example `type/name` once; its key."""
        if ref not in self.made:
            type_name, name = ref.split("/", 1)
            t = self.cat[type_name]
            body = self.body(t, dict(t.examples[name]))
            if t.value_body is not None:
                self.call("PUT", t.api_path, body)
                self.made[ref] = t.singleton_key
            elif t.is_singleton:  # a PUT replaces the whole object: unmodelled fields go back as held
                held = self.call("GET", t.api_path).get("body")
                self.call("PUT", t.api_path, keep_unknown(t.root, body, held))
                self.made[ref] = t.singleton_key
            else:
                self.made[ref] = str(self.call("POST", t.api_path, body)["key"])
        return self.made[ref]

    def named(self, t: TypeDef, name: str, example: str) -> str:
        """A copy of an example under another name (for volume)."""
        body = self.body(t, {**t.examples[example], t.name_field or "name": name})
        return str(self.call("POST", t.api_path, body)["key"])

    def commit(self) -> None:
        self.call("PUT", "/api/transaction", {"status": "commit"})


def examples_to_write(t: TypeDef) -> list[str]:
    """The examples a populated appliance holds: singletons their `full` one; collections each
    example with a name of its own (`update` renames `minimal` in place, so it is left out)."""
    if t.is_singleton:
        return [e for e in ("full", "minimal") if e in t.examples][:1]
    names: dict[Any, str] = {}
    for example, body in t.examples.items():
        names.setdefault(body.get(t.name_field or "name"), example)
    return list(names.values())


def populate(cat: Catalog, session: requests.Session, url: str, firmware: str) -> Populator:
    """Every managed type writable on `firmware`, from its examples; committed."""
    p = Populator(cat, session, url, firmware)
    p.call("POST", "/api/transaction")
    for t in cat.managed:
        if t.is_typed and t.versions.writable_on(firmware):
            for example in examples_to_write(t):
                p.example(f"{t.terraform_name}/{example}")
    p.commit()
    return p


def opaque_body(p: Populator, endpoints: Endpoints, e: Endpoint) -> Any:
    """A body for an opaque endpoint that differs from its factory state: a singleton's default
    with one more field (or list item), a collection object named after its endpoint; each
    documented reference set to an object its target collection lists (write-once ones list none)."""
    if e.is_singleton and e.body == "string":
        return f"populated {e.path}"
    if e.is_singleton and e.body == "list":
        return [*e.default, {"populated": e.path}]
    base = dict(e.default) if e.is_singleton else {"name": "populated_" + e.path.replace("/", "_")}
    body: dict[str, Any] = {**base, "populated": e.path}
    for dotted, target in e.references.items():
        if endpoints[target].is_write_once:
            continue
        held = p.call("GET", f"/api/configuration/{target}").get("items") or []
        if held and "." not in dotted:
            body[dotted] = held[0]["key"]
        elif held:
            first, rest = dotted.split(".", 1)
            body[first] = {**body.get(first, {}), rest: held[0]["key"]}
    return body


def populate_opaque(p: Populator, endpoints: Endpoints, firmware: str) -> int:
    """Every opaque endpoint REST can write on `firmware` (ADR 0017): singletons changed, one object
    in each collection; committed. Returns how many objects were written."""
    written = 0
    p.call("POST", "/api/transaction")
    for e in endpoints.on(firmware):
        if not e.is_opaque or e.is_write_once or e.write_only or not e.writable_on(firmware):
            continue
        p.call("PUT" if e.is_singleton else "POST", e.api_path, opaque_body(p, endpoints, e))
        written += 1
    p.commit()
    return written
