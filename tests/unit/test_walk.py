"""The one traversal of catalog values: field selection, definition nodes, rebuilding and leaves."""

from __future__ import annotations

from typing import Any

from sps_catalog.model import Field, Union, Value, nodes
from sps_catalog.paths import LIST_ELEMENT, Path, dotted
from sps_catalog.walk import OMIT, UNKNOWN, Rebuild, fields_of, leaves

REF = Field(type="reference", name="ref", target="audit_policy", nullable=True)
ADDRESS = Field(
    type="object",
    name="address",
    union=Union(
        discriminator="selection",
        description="Which address.",
        branches={"fix": (Field(type="string", name="ip"), REF), "original": ()},
    ),
    fields=(Field(type="int", name="port", default=22),),
)
ROOT = Value(
    type="object",
    fields=(ADDRESS, Field(type="list", name="targets", element=Value(type="object", fields=(REF,)))),
)
BODY: dict[str, Any] = {
    "address": {"selection": "fix", "ip": "10.0.0.1", "ref": "k1", "extra": 1},
    "targets": [{"ref": "k2"}],
}


def test_fields_of_selects_all_active_or_present_fields() -> None:
    obj = {"selection": "original", "ref": "k", "unmodelled": 1}
    assert [f.name for f in fields_of(ADDRESS, obj, "all")] == ["selection", "port", "ip", "ref"]
    assert [f.name for f in fields_of(ADDRESS, obj, "active")] == ["selection", "port"]
    assert [f.name for f in fields_of(ADDRESS, obj, "present")] == ["selection", "ref"]


def test_nodes_walk_every_branch_and_mark_list_elements() -> None:
    paths = [dotted(p) for p, _ in nodes(ROOT)]
    assert paths == [
        "address",
        "address.selection",
        "address.port",
        "address.ip",
        "address.ref",
        "targets",
        "targets[]",
        "targets[].ref",
    ]
    assert (("targets", LIST_ELEMENT, "ref"), REF) in list(nodes(ROOT))


def test_rebuild_keeps_null_and_unknown_and_applies_hooks_on_the_selected_fields() -> None:
    class Upper(Rebuild):
        select = "active"

        def field(self, parent: Value, f: Field, item: Any, path: Path) -> Any:
            return OMIT if item is None else item

        def leaf(self, spec: Value, v: Any, path: Path) -> Any:
            return v.upper() if spec.type == "reference" else v

    assert Upper()(ROOT, BODY) == {
        "address": {"selection": "fix", "ip": "10.0.0.1", "ref": "K1"},
        "targets": [{"ref": "K2"}],
    }
    assert Upper()(ROOT, {"address": UNKNOWN, "targets": None}) == {"address": UNKNOWN}


def test_rebuild_keep_unselected_copies_what_it_does_not_visit() -> None:
    class Keep(Rebuild):
        select = "present"
        keep_unselected = True

    assert Keep()(ROOT, BODY) == BODY


def test_leaves_follow_only_the_active_branch() -> None:
    body = {"address": {"selection": "original", "ref": "stale"}, "targets": [{"ref": "k2"}]}
    assert [(dotted(p), v) for p, _, v in leaves(ROOT, body)] == [
        ("address.selection", "original"),
        ("targets[0].ref", "k2"),
    ]
