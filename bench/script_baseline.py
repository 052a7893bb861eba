"""Baseline (c): what a user without this project writes, a plain `requests` script doing the
documented per-object workflow: log in, then for each object POST it and commit (one transaction
per object), parents before children; deletion in reverse order, one commit each.

It creates exactly what the cdktf stack declares: the bodies are the synthesized resources'
attributes (defaults filled in as the provider does), references resolved to the keys it got
back. One thread per appliance, as a user would run one script per box.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import requests

from sps_catalog import load_catalog
from sps_provider.engine.convert import to_body

REF = re.compile(r"^\$\{(data\.)?(sps_\w+)\.(\w+)\.key\}$")


@dataclass
class Obj:
    address: str
    resource_type: str
    attrs: dict[str, Any]
    deps: set[str] = field(default_factory=set)


def objects_by_appliance(stack: dict[str, Any]) -> dict[str, list[Obj]]:
    """The stack's SPS resources per provider alias, in creation (topological) order."""
    per: dict[str, dict[str, Obj]] = {}
    for rtype, resources in stack.get("resource", {}).items():
        for name, attrs in resources.items():
            body = {k: v for k, v in attrs.items() if k not in ("//", "provider")}
            obj = Obj(f"{rtype}.{name}", rtype, body)
            _walk_refs(body, obj.deps)
            per.setdefault(attrs["provider"].split(".", 1)[1], {})[obj.address] = obj
    return {alias: _ordered(objs) for alias, objs in per.items()}


def _walk_refs(v: Any, deps: set[str]) -> None:
    if isinstance(v, dict):
        for x in v.values():
            _walk_refs(x, deps)
    elif isinstance(v, list):
        for x in v:
            _walk_refs(x, deps)
    elif isinstance(v, str) and (m := REF.match(v)) and not m.group(1):
        deps.add(f"{m.group(2)}.{m.group(3)}")


def _ordered(objs: dict[str, Obj]) -> list[Obj]:
    done: list[Obj] = []
    seen: set[str] = set()
    pending = list(objs.values())
    while pending:
        ready = [o for o in pending if o.deps <= seen]
        if not ready:
            raise ValueError("reference cycle in the stack")
        for o in ready:
            done.append(o)
            seen.add(o.address)
        pending = [o for o in pending if o.address not in seen]
    return done


def _resolve(v: Any, keys: dict[str, str], fixed: dict[str, str]) -> Any:
    if isinstance(v, dict):
        return {k: _resolve(x, keys, fixed) for k, x in v.items()}
    if isinstance(v, list):
        return [_resolve(x, keys, fixed) for x in v]
    if isinstance(v, str) and (m := REF.match(v)):
        return (fixed if m.group(1) else keys)[f"{m.group(2)}.{m.group(3)}"]
    return v


class Script:
    def __init__(self, stack: dict[str, Any], appliances: dict[str, dict[str, Any]]) -> None:
        self.appliances = appliances
        self.objects = objects_by_appliance(stack)
        self.fixed = {f"{t}.{n}": d["key"] for t, ds in stack.get("data", {}).items() for n, d in ds.items()}
        self.keys: dict[str, dict[str, str]] = {}

    def _session(self, alias: str) -> tuple[requests.Session, str]:
        a = self.appliances[alias]
        s = requests.Session()
        s.trust_env = False
        s.verify = a.get("ca") or True
        s.get(f"{a['url']}/api/authentication", auth=(a["username"], a["password"])).raise_for_status()
        return s, a["url"]

    def create(self) -> None:
        self._per_appliance(self._create_on)

    def delete(self) -> None:
        self._per_appliance(self._delete_on)

    def _per_appliance(self, work: Any) -> None:
        errors: list[BaseException] = []

        def run(alias: str) -> None:
            try:
                work(alias)
            except BaseException as exc:  # reported by the caller's thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(alias,)) for alias in self.objects]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def _create_on(self, alias: str) -> None:
        catalog = load_catalog()
        s, url = self._session(alias)
        keys = self.keys.setdefault(alias, {})
        for o in self.objects[alias]:
            t = catalog.by_resource_type(o.resource_type)
            assert t is not None
            body = to_body(t.root, _resolve(o.attrs, keys, self.fixed))
            resp = s.post(f"{url}{t.api_path}", json=body)
            resp.raise_for_status()
            keys[o.address] = resp.json()["key"]
            s.put(f"{url}/api/transaction", json={"status": "commit"}).raise_for_status()

    def _delete_on(self, alias: str) -> None:
        catalog = load_catalog()
        s, url = self._session(alias)
        keys = self.keys.get(alias, {})
        for o in reversed(self.objects[alias]):
            t = catalog.by_resource_type(o.resource_type)
            assert t is not None
            s.delete(f"{url}{t.api_path}/{keys[o.address]}").raise_for_status()
            s.put(f"{url}/api/transaction", json={"status": "commit"}).raise_for_status()
