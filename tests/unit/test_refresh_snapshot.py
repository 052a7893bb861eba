"""The refresh snapshot (`engine/refresh.py`) across this process's own writes: a committed write is
applied to the snapshot (and its name index) instead of fetching the collection again; one that
lands while the list is on its way is applied to that answer; a drop forgets one type's snapshot
and keeps a fetch under way out; a snapshot ages from its GET, not from the writes; a singleton is
a snapshot of one object, a write-once secret is never kept; on a reader thread (`no_wait`) a
read that needs a request or waits for another thread's fetch stops before either."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from sps_catalog import load_catalog
from sps_provider import no_wait
from sps_provider.client import errors
from sps_provider.engine import refresh as refresh_module
from sps_provider.engine.refresh import RefreshReader
from sps_provider.protocol import cty
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.provider import Provider
from sps_provider.server import methods

CATALOG = load_catalog()
AUDIT = CATALOG["audit_policy"]
CONTENT = CATALOG["content_policy"]
SINGLETON = next(t for t in CATALOG if t.is_singleton)
SECRET = next(t for t in CATALOG if t.is_write_once)


class Lists:
    """A reader session: list answers from `collections`, object answers for anything else; every
    GET recorded. `during` runs once inside the next GET, after its answer was taken (a commit
    landing while the list is on its way). Like `SpsClient`, it sends nothing on a thread that
    must not wait."""

    def __init__(self, collections: dict[str, dict[str, Any]]) -> None:
        self.collections = collections
        self.gets: list[str] = []
        self.during: Callable[[], None] | None = None

    def get(self, path: str) -> Any:
        no_wait.check()
        self.gets.append(path)
        if path in self.collections:
            answer: Any = {"items": [{"key": k, "body": b} for k, b in self.collections[path].items()]}
        else:
            answer = {"key": path.rsplit("/", 1)[-1], "body": {"from": "object GET"}}
        if self.during is not None:
            during, self.during = self.during, None
            during()
        return answer

    def firmware_version(self) -> str | None:
        return str(self.get("/api/info")["body"]["from"])


def reader(**extra: Any) -> tuple[Lists, RefreshReader]:
    audits = {"k1": {"name": "x"}, "k2": {"name": "y"}, "k3": {"name": "x"}}
    client = Lists({AUDIT.api_path: audits, CONTENT.api_path: {"c1": {"name": "c"}}})
    return client, RefreshReader(client, **extra)  # type: ignore[arg-type]


def body_of(r: RefreshReader, key: str) -> Any:
    return r.get(AUDIT, f"{AUDIT.api_path}/{key}", key)["body"]


def test_committed_writes_are_applied_to_the_snapshot_and_its_name_index() -> None:
    client, r = reader()
    assert r.named(AUDIT, "x") == [("k1", {"name": "x"}), ("k3", {"name": "x"})]
    r.committed(AUDIT, "k9", {"name": "x", "v": 1})  # created: listed last, as SPS lists it
    assert r.named(AUDIT, "x") == [("k1", {"name": "x"}), ("k3", {"name": "x"}), ("k9", {"name": "x", "v": 1})]
    r.committed(AUDIT, "k1", {"name": "z"})  # renamed
    assert [k for k, _ in r.named(AUDIT, "x") or ()] == ["k3", "k9"]
    assert r.named(AUDIT, "z") == [("k1", {"name": "z"})] and body_of(r, "k1") == {"name": "z"}
    r.committed(AUDIT, "k9", {"name": "x", "v": 2})  # updated, same name: keeps its place
    assert r.named(AUDIT, "x") == [("k3", {"name": "x"}), ("k9", {"name": "x", "v": 2})]
    r.deleted(AUDIT, "k3")
    with pytest.raises(errors.NotFound):
        r.get(AUDIT, f"{AUDIT.api_path}/k3", "k3")
    assert r.named(AUDIT, "x") == [("k9", {"name": "x", "v": 2})]
    assert r.objects(AUDIT) == {"k1": {"name": "z"}, "k2": {"name": "y"}, "k9": {"name": "x", "v": 2}}
    assert client.gets == [AUDIT.api_path]


def test_writes_before_the_name_index_is_built_are_in_it() -> None:
    client, r = reader()
    assert body_of(r, "k2") == {"name": "y"}
    r.committed(AUDIT, "k2", {"name": "x"})
    r.committed(AUDIT, "k8", {"name": "y"})
    assert [k for k, _ in r.named(AUDIT, "x") or ()] == ["k1", "k2", "k3"]
    assert r.named(AUDIT, "y") == [("k8", {"name": "y"})] and client.gets == [AUDIT.api_path]


def test_a_write_committed_while_the_list_is_fetched_is_applied_to_its_answer() -> None:
    client, r = reader()

    def commits() -> None:
        r.committed(AUDIT, "k9", {"name": "new"})
        r.deleted(AUDIT, "k1")

    client.during = commits
    assert r.named(AUDIT, "new") == [("k9", {"name": "new"})]
    assert [k for k, _ in r.named(AUDIT, "x") or ()] == ["k3"]
    with pytest.raises(errors.NotFound):
        r.get(AUDIT, f"{AUDIT.api_path}/k1", "k1")
    assert client.gets == [AUDIT.api_path]  # the snapshot was kept


def test_a_drop_forgets_only_that_types_snapshot() -> None:
    client, r = reader()
    r.named(AUDIT, "x"), r.named(CONTENT, "c")
    r.invalidate(AUDIT)
    r.named(AUDIT, "x"), r.named(CONTENT, "c")
    assert client.gets == [AUDIT.api_path, CONTENT.api_path, AUDIT.api_path]
    r.invalidate()
    r.named(AUDIT, "x"), r.named(CONTENT, "c")
    assert client.gets[3:] == [AUDIT.api_path, CONTENT.api_path]


@pytest.mark.parametrize("drop", [lambda r: r.invalidate(AUDIT), lambda r: r.invalidate()], ids=["type", "all"])
def test_a_drop_while_the_list_is_fetched_keeps_its_answer_out(drop: Callable[[RefreshReader], None]) -> None:
    client, r = reader()
    client.during = lambda: drop(r)
    assert [k for k, _ in r.named(AUDIT, "x") or ()] == ["k1", "k3"]  # this read gets the answer
    r.named(AUDIT, "x")
    assert client.gets == [AUDIT.api_path, AUDIT.api_path]


def test_a_snapshot_ages_from_its_get_not_from_the_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(refresh_module.time, "monotonic", lambda: now[0])
    client, r = reader(max_age=60.0)
    r.named(AUDIT, "x")
    now[0] = 159.0
    r.committed(AUDIT, "k9", {"name": "x"})
    assert len(r.named(AUDIT, "x") or ()) == 3 and client.gets == [AUDIT.api_path]
    now[0] = 160.0
    client.collections[AUDIT.api_path]["k9"] = {"name": "x"}
    client.collections[AUDIT.api_path]["k7"] = {"name": "x", "by": "another session"}
    assert [k for k, _ in r.named(AUDIT, "x") or ()] == ["k1", "k3", "k9", "k7"]
    assert client.gets == [AUDIT.api_path, AUDIT.api_path]


def test_a_singleton_is_read_once_and_follows_this_processs_writes() -> None:
    client, r = reader()
    path, key = SINGLETON.api_path, SINGLETON.singleton_key
    assert r.get(SINGLETON, path, key)["body"] == {"from": "object GET"}
    assert r.get(SINGLETON, path, key)["body"] == {"from": "object GET"}
    r.committed(SINGLETON, key, {"v": 1})
    assert r.get(SINGLETON, path, key) == {"key": key, "body": {"v": 1}}
    assert r.objects(SINGLETON) is None and r.named(SINGLETON, "x") is None
    assert client.gets == [path]
    r.invalidate(SINGLETON)
    assert r.get(SINGLETON, path, key)["body"] == {"from": "object GET"}
    assert client.gets == [path, path]


def test_a_write_once_secret_is_read_object_by_object() -> None:
    client, r = reader()
    path = f"{SECRET.api_path}/s1"
    r.committed(SECRET, "s1", {"v": 1})
    assert r.get(SECRET, path, "s1")["body"] == {"from": "object GET"}
    assert r.get(SECRET, path, "s1")["body"] == {"from": "object GET"}
    assert client.gets == [path, path]


def test_a_read_that_must_not_wait_is_answered_only_from_a_fresh_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(refresh_module.time, "monotonic", lambda: now[0])
    client, r = reader(max_age=60.0)
    waited: list[bool] = []

    def read_during_the_fetch() -> None:  # as a reader thread would, while the list is on its way
        try:
            with no_wait.without_waiting():
                body_of(r, "k1")
        except no_wait.WouldWait:
            waited.append(True)

    client.during = read_during_the_fetch
    body_of(r, "k1")
    assert waited == [True], "a read waiting for another fetch of its type stops instead"
    with no_wait.without_waiting():
        assert body_of(r, "k1") == {"name": "x"}
    now[0] = 160.0
    with no_wait.without_waiting(), pytest.raises(no_wait.WouldWait):
        body_of(r, "k1")  # expired: it needs a GET
    assert client.gets == [AUDIT.api_path]
    assert body_of(r, "k1") == {"name": "x"}  # the pool fetches it, nothing left over from the stopped fetch
    assert client.gets == [AUDIT.api_path, AUDIT.api_path]


def test_a_call_that_must_not_wait_stops_before_any_request() -> None:
    client, r = reader()
    with no_wait.without_waiting(), pytest.raises(no_wait.WouldWait):
        body_of(r, "k1")
    assert client.gets == []
    body_of(r, "k1")
    with no_wait.without_waiting():
        assert body_of(r, "k1") == {"name": "x"}
        with pytest.raises(no_wait.WouldWait):
            r.get(SECRET, f"{SECRET.api_path}/s1", "s1")  # read object by object: always a request
    assert client.gets == [AUDIT.api_path]


def test_reads_and_plans_are_answered_on_the_reader_thread_only_without_waiting() -> None:
    provider = Provider()
    client, provider.refresh = reader()
    provider.reader, provider.group_commit = client, object()  # type: ignore[assignment]
    current = pb.DynamicValue(msgpack=cty.encode(("object", {"key": "string"}), {"key": "k1"}))
    read = pb.ReadResource.Request(type_name=CONTENT.resource_type, current_state=current)
    table = methods(provider, threading.Event())
    attempt = table["/tfplugin6.Provider/ReadResource"].attempt
    assert attempt is not None and table["/tfplugin6.Provider/PlanResourceChange"].attempt is not None
    assert no_wait.attempt(attempt, read, None) is None and client.gets == []  # the pool reads it
    provider.refresh.named(CONTENT, "c")
    request = pb.ReadResource.Request(type_name=CONTENT.resource_type, current_state=current)
    answered = no_wait.attempt(attempt, request, None)
    assert answered is not None and not answered.diagnostics  # k1 is not a content policy: gone
    order = next(iter(CATALOG.orders.values()))
    assert no_wait.attempt(attempt, pb.ReadResource.Request(type_name=order.resource_type), None) is None
    with no_wait.without_waiting(), pytest.raises(no_wait.WouldWait):
        provider.target()  # the firmware version is not known yet
