"""A transaction's overlay behaves like a copy of the committed collection, and the store writes
only the changed rows yet loads back the same ordered configuration."""

from __future__ import annotations

from pathlib import Path

from sps_simulator.candidate import Candidate, Overlay
from sps_simulator.store import Store


def test_overlay_reads_like_an_edited_copy_and_leaves_the_base_alone_until_applied() -> None:
    base = {"a": 1, "b": 2, "c": 3}
    o = Overlay(base)
    o["b"] = 20
    o["d"] = 4
    del o["a"]
    assert list(o.items()) == [("b", 20), ("c", 3), ("d", 4)]
    assert len(o) == 3 and "a" not in o and "d" in o
    assert base == {"a": 1, "b": 2, "c": 3}
    o.apply()
    assert list(base.items()) == [("b", 20), ("c", 3), ("d", 4)]


def test_a_deleted_key_written_again_goes_to_the_end() -> None:
    o = Overlay({"a": 1, "b": 2})
    del o["a"]
    o["a"] = 10
    assert list(o.items()) == [("b", 2), ("a", 10)]
    o.apply()
    assert list(o.base.items()) == [("b", 2), ("a", 10)]


def test_a_reorder_then_writes_and_deletes_keep_the_new_order() -> None:
    o = Overlay({"a": 1, "b": 2, "c": 3})
    o.reorder(["c", "a", "b"])
    o["d"] = 4
    del o["a"]
    assert list(o) == ["c", "b", "d"]
    o.apply()
    assert list(o.base) == ["c", "b", "d"]


def test_a_candidate_reports_only_the_collections_it_changed() -> None:
    committed = {"x": {"a": 1}, "y": {"b": 2}}
    c = Candidate(committed)
    assert c.get("x", {}).get("a") == 1 and c.get("missing") is None
    c["y"]["b"] = 3
    assert list(c.changed()) == ["y"]


def test_store_writes_the_delta_and_loads_the_same_order(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.initialize({"x": {"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}}, "y": {"k": {"n": 0}}})
    committed = store.load()
    cand = Candidate(committed)
    cand["x"]["b"] = {"n": 20}
    cand["x"]["d"] = {"n": 4}
    del cand["x"]["a"]
    store.save([o.delta(path) for path, o in cand.changed().items()])
    for o in cand.changed().values():
        o.apply()
    assert store.load() == committed
    assert list(store.load()["x"]) == ["b", "c", "d"]
    cand = Candidate(committed)
    cand["x"].reorder(["d", "b", "c"])
    cand["x"]["e"] = {"n": 5}
    store.save([o.delta(path) for path, o in cand.changed().items()])
    store.close()
    assert list(Store(tmp_path / "s.sqlite3").load()["x"]) == ["d", "b", "c", "e"]
