"""The whole-tree export's pure parts: the walk of the container listings (against a fake
appliance answering from the catalog's tree plus endpoints the catalog does not know), the choice
of generic resource or skip with its reason, references inside generic bodies, both renderings
and the summary's counts."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import Any

from sps_catalog import load_catalog
from sps_catalog.endpoints import Endpoint, Endpoints, load_endpoints
from sps_catalog.firmware import DEFAULT_FIRMWARE
from sps_catalog.model import Builtin
from sps_catalog.versions import Versions
from sps_export import hcl, python
from sps_export.cli import summary
from sps_export.generic import BodyRef
from sps_export.reader import ApplianceRead, ReadObject, TypeRead
from sps_export.selection import select
from sps_export.skipped import BUILT_IN, FIRMWARE, READ_ONLY, TYPED_ONLY
from sps_export.tree import BodyObject, EndpointRead, TreeRead, walk
from sps_export.values import Ref, markers, minimal
from sps_provider.client import errors
from tests.support.responses import response_body

CATALOG = load_catalog()
ENDPOINTS = load_endpoints()
ROOT = "/api/configuration"


class FakeAppliance:
    """GET answers by href, as SPS shapes them: containers list keys and hrefs, collections their
    items (with bodies unless `bare`), singletons and objects `{body, key}`."""

    base = "https://sps.example"

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.gets: list[str] = []

    def get(self, path: str) -> Any:
        self.gets.append(path)
        if path not in self.answers:
            raise errors.NotFound("no such endpoint", status=404, method="GET", path=path)
        return self.answers[path]

    def ensure_logged_in(self) -> None:
        return None

    def firmware_version(self) -> str:
        return DEFAULT_FIRMWARE


def listing(href: str, names: list[str], bodies: dict[str, Any] | None = None) -> dict[str, Any]:
    items = [{"key": n, "meta": {"href": f"{href}/{n}"}} for n in names]
    for item in items:
        if bodies is not None:
            item["body"] = bodies[item["key"]]
    return {"items": items, "meta": {"href": href}}


def catalog_answers() -> dict[str, Any]:
    """Every endpoint the catalog has on the default firmware: containers list their children,
    collections are empty, singletons answer their default (write-once endpoints answer 405)."""
    answers: dict[str, Any] = {}
    for e in ENDPOINTS.on(DEFAULT_FIRMWARE):
        if e.is_container:
            answers[e.api_path] = listing(e.api_path, [c.name for c in ENDPOINTS.children(e.path, DEFAULT_FIRMWARE)])
        elif e.is_singleton:
            answers[e.api_path] = {"body": e.default, "key": e.name}
        elif not e.is_write_once:
            answers[e.api_path] = listing(e.api_path, [], {})
    return answers


def with_unknown_endpoints(answers: dict[str, Any]) -> dict[str, Any]:
    """Add what a newer firmware could list: a singleton, a collection (items with bodies), a
    6.x-style collection (items without), and a container holding a collection."""
    mgmt, policies = f"{ROOT}/management", f"{ROOT}/policies"
    answers[mgmt]["items"].append({"key": "quota", "meta": {"href": f"{mgmt}/quota"}})
    answers[f"{mgmt}/quota"] = {"body": {"limit": 3}, "key": "quota"}
    answers[policies]["items"] += [{"key": k, "meta": {"href": f"{policies}/{k}"}} for k in ("fresh", "old")]
    answers[f"{policies}/fresh"] = listing(f"{policies}/fresh", ["k1"], {"k1": {"name": "one"}})
    answers[f"{policies}/old"] = listing(f"{policies}/old", ["k2"])
    answers[f"{policies}/old/k2"] = {"body": {"name": "two"}, "key": "k2"}
    answers[ROOT]["items"].append({"key": "family", "meta": {"href": f"{ROOT}/family"}})
    answers[f"{ROOT}/family"] = listing(f"{ROOT}/family", ["rules"])
    answers[f"{ROOT}/family/rules"] = listing(f"{ROOT}/family/rules", ["r1"], {"r1": {"name": "rule"}})
    return answers


def test_the_walk_visits_every_endpoint_the_appliance_lists_and_asks_the_unknown_ones_what_they_are() -> None:
    fake = FakeAppliance(with_unknown_endpoints(catalog_answers()))
    tree = walk(fake, ENDPOINTS)
    on_firmware = ENDPOINTS.on(DEFAULT_FIRMWARE)
    assert set(tree.containers) == {e.path for e in on_firmware if e.is_container} | {"family"}
    visited = {r.endpoint.path: r for r in tree.endpoints}
    assert set(visited) == {e.path for e in on_firmware if not e.is_container} | {
        "management/quota",
        "policies/fresh",
        "policies/old",
        "family/rules",
    }
    assert all(r.known for p, r in visited.items() if ENDPOINTS.get(p) is not None)
    kinds = {p: (visited[p].endpoint.kind, [(o.key, o.body) for o in visited[p].objects]) for p in visited}
    assert kinds["management/quota"] == ("singleton", [("quota", {"limit": 3})])
    assert kinds["policies/fresh"] == ("collection", [("k1", {"name": "one"})])
    assert kinds["policies/old"] == ("collection", [("k2", {"name": "two"})]), "6.x items are read by key"
    assert kinds["family/rules"] == ("collection", [("r1", {"name": "rule"})])
    assert not visited["passwords"].listed and f"{ROOT}/passwords" not in fake.gets, "write-once: never listed"
    typed = {r.endpoint.path for r in tree.endpoints if r.typed is not None}
    assert typed == {e.path for e in on_firmware if e.resource_type is not None}
    assert tree.container_errors == {}
    export = select(CATALOG, tree.appliance_read(), walked=tree)
    unknown = {(g.resource_type, g.import_id) for g in export.generic if not g.known}
    assert unknown == {
        ("sps_settings", "management/quota"),
        ("sps_object", "policies/fresh/k1"),
        ("sps_object", "policies/old/k2"),
        ("sps_object", "family/rules/r1"),
    }, "written as generic resources with catalog validation off"
    assert all(g.known for g in export.generic if ENDPOINTS.get(g.path) is not None)
    assert not [s for s in export.skipped if "catalog" in s.reason], "nothing unknown is left out"
    main = hcl.render(export, {})["main.tf"]
    assert main.count("catalog_validation = false") == len(unknown)
    py = python.render(export, "sps", {})["main.py"]
    assert py.count("catalog_validation=False") == len(unknown)
    assert re.search(r"^objects: \d+ typed, \d+ generic \(4 not in the catalog\)", summary(export), re.M)


def test_an_unknown_endpoint_whose_name_is_no_endpoint_name_is_named_not_written() -> None:
    """The appliance's listing is hostile input: a child named like an HCL template or a path step
    would be written into `path`; the provider refuses such a path whatever the flag, so the export
    names it with that reason instead."""
    answers = catalog_answers()
    mgmt = f"{ROOT}/management"
    for name in ('x${file("/etc/passwd")}', ".."):
        answers[mgmt]["items"].append({"key": name, "meta": {"href": f"{mgmt}/{name}"}})
        answers[f"{mgmt}/{name}"] = {"body": {"k": "v"}, "key": name}
    export = select(CATALOG, ApplianceRead("https://sps.example", DEFAULT_FIRMWARE, []), walked=walk(
        FakeAppliance(answers), ENDPOINTS))  # fmt: skip
    refused = {s.label: s.reason for s in export.skipped if "no endpoint name" in s.reason}
    assert set(refused) == {'sps_settings management/x${file("/etc/passwd")}', "sps_settings management/.."}
    assert not [g for g in export.generic if not g.known]
    assert "passwd" not in hcl.render(export, {})["main.tf"]


def test_a_listing_that_cannot_be_read_is_named_and_the_rest_is_walked() -> None:
    answers = catalog_answers()
    del answers[f"{ROOT}/telnet"]
    tree = walk(FakeAppliance(answers), ENDPOINTS)
    assert set(tree.container_errors) == {"telnet"}
    assert not any(r.endpoint.path.startswith("telnet/") for r in tree.endpoints)
    assert any(r.endpoint.path.startswith("ssh/") for r in tree.endpoints)


def opaque(path: str, kind: str = "collection", **fields: Any) -> Endpoint:
    return Endpoint(path=path, kind=kind, description="test", **fields)  # type: ignore[arg-type]


def tree_of(*reads: tuple[Endpoint, list[tuple[str, Any]]], firmware: str = "7.5.1") -> TreeRead:
    """A walk that read these endpoints, as rows of a catalog that knows them."""
    return TreeRead(
        "https://sps.example",
        firmware,
        [EndpointRead(e, True, objects=[BodyObject(e, k, b) for k, b in objs]) for e, objs in reads],
        catalog=Endpoints({**ENDPOINTS.by_path, **{e.path: e for e, _ in reads}}),
    )


REFERRED = opaque("policies/targets")
REFERRING = opaque("policies/users", references={"target": "policies/targets", "nested.target": "policies/targets"})


def test_generic_bodies_reference_exported_objects_which_come_first() -> None:
    tree = tree_of(
        (REFERRING, [("u1", {"name": "uses", "target": "t1", "nested": {"target": "t1"}, "other": "t9"})]),
        (REFERRED, [("t1", {"name": "target one"})]),
    )
    export = select(CATALOG, ApplianceRead(tree.url, tree.firmware, []), walked=tree)
    assert [g.key for g in export.generic] == ["t1", "u1"], "the referenced object first"
    users = export.generic[1]
    assert users.body["target"] == BodyRef("policies/targets", "t1") == users.body["nested"]["target"]
    assert users.body["other"] == "t9", "not a documented reference: kept as given"
    main = hcl.render(export, {"url": "https://sps.example"})
    assert "target = sps_object.target_one.key" in main["main.tf"]
    assert 'to = sps_object.uses\n  id = "policies/users/u1"' in main["imports.tf"]
    py = python.render(export, "sps", {"url": "https://sps.example"})["main.py"]
    assert '"target": target_one.key' in py and "SpsObject(" in py
    assert 'uses.import_from("policies/users/u1", sps.provider)' in py
    ast.parse(py)


def test_singletons_become_settings_imported_by_their_path_whatever_their_body() -> None:
    zone = opaque("datetime/timezone", "singleton", body="string", default="UTC")
    rules = opaque("network/routing", "singleton", body="list", default=[])
    export = select(
        CATALOG,
        ApplianceRead("u", None, []),
        walked=tree_of((zone, [("timezone", "Europe/Budapest")]), (rules, [("routing", [{"to": "x"}])])),
    )
    tf = hcl.render(export, {})
    assert 'resource "sps_settings" "datetime_timezone"' in tf["main.tf"]
    assert 'body = jsonencode("Europe/Budapest")' in tf["main.tf"]
    assert 'to = sps_settings.network_routing\n  id = "network/routing"' in tf["imports.tf"]
    py = python.render(export, "sps", {})["main.py"]
    assert 'SpsSettings(sps, "datetime_timezone", path="datetime/timezone", body="Europe/Budapest")' in py


def test_nothing_is_skipped_without_its_reason() -> None:
    builtin = Builtin("-1", {"name": "default"})
    lists = opaque("policies/lists", builtins=(builtin,))
    fixed = opaque("aaa/acls", "singleton", writable=False)
    newer = opaque("policies/newer", versions=Versions(writable_since="8.0"))
    tree = tree_of(
        (lists, [("-1", {"name": "default"}), ("k", {"name": "mine"})]),
        (replace(lists, path="policies/changed"), [("-1", {"name": "renamed"})]),
        (fixed, [("acls", [])]),
        (newer, [("n", {"name": "later"})]),
    )
    tree.endpoints.append(EndpointRead(ENDPOINTS["passwords"], True, listed=False))
    export = select(CATALOG, ApplianceRead(tree.url, tree.firmware, []), walked=tree)
    assert [(g.path, g.key) for g in export.generic] == [("policies/lists", "k")]
    reasons = {(s.label, s.key): s.category for s in export.skipped}
    assert reasons == {
        ("sps_object policies/changed", "-1"): BUILT_IN,
        ("sps_settings aaa/acls", "acls"): READ_ONLY,
        ("sps_object policies/newer", "n"): FIRMWARE,
    }
    assert export.builtins_kept == {"sps_object policies/lists": 1, "sps_object policies/changed": 1}
    assert [where for where, _ in export.unlisted] == ["/api/configuration/passwords"]
    assert [s.label for s in export.problems()] == ["sps_object policies/changed", "sps_object policies/newer"]
    text = summary(export)
    counts = "objects: 0 typed, 1 generic (0 not in the catalog), 4 skipped (built-in 2, read-only 1, firmware 1)"
    assert f"{counts}; 1 endpoints not read" in text
    assert "not exported: sps_settings aaa/acls 'aaa_acls' (key acls): read-only over REST" in text


def test_typed_only_counts_the_generic_objects_as_skipped_by_request() -> None:
    tree = tree_of((REFERRED, [("t1", {"name": "target one"})]))
    export = select(CATALOG, ApplianceRead(tree.url, tree.firmware, []), walked=tree, typed_only=True)
    assert export.generic == [] and [s.category for s in export.skipped] == [TYPED_ONLY]
    assert export.problems() == [], "asked for: the exit code stays 0"


def test_a_typed_reference_to_an_object_exported_as_generic_names_that_resource() -> None:
    found = [
        (t, name, m)
        for t in CATALOG.managed
        if t.is_typed
        for name in t.examples
        for m in markers(t.root, minimal(t.root, response_body(t, name)))
        if isinstance(m, Ref) and CATALOG[m.target].kind == "opaque"  # untyped, writable: sps_object
    ]
    t, example, ref = found[0]
    # the examples reference built-ins, which stay lookups: here the object is an ordinary one
    target = replace(ENDPOINTS[CATALOG[ref.target].path], builtins=())
    typed = EndpointRead(ENDPOINTS[t.path], True, typed=TypeRead(t, [ReadObject(t, "t1", response_body(t, example))]))
    walked = TreeRead("https://sps.example", None, [typed])
    walked.endpoints.append(EndpointRead(target, True, objects=[BodyObject(target, ref.key, {"name": "referenced"})]))
    export = select(CATALOG, walked.appliance_read(), walked=walked)
    assert (ref.target, ref.key) not in export.lookups, "no lookup: the object is exported"
    main = hcl.render(export, {})["main.tf"]
    assert f"= {'sps_settings' if target.is_singleton else 'sps_object'}.referenced.key" in main
    py = python.render(export, "sps", {})["main.py"]
    assert py.index("referenced = SpsObject(") < py.index(f"= {t.resource_type.title().replace('_', '')[3:]}(")
    assert "=referenced," in py.replace(" ", "") or "=referenced)" in py.replace(" ", "")
