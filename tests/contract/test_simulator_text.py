"""Text the simulator cannot hold (lone surrogates) is refused wherever a string enters, and a
stored row no answer could carry (such text, NaN, a body that is not JSON) never bricks a list
(docs/simulator.md, "Text that is not Unicode")."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sps_harness import start_simulator
from sps_simulator.store import Delta, Store
from tests.support.simulator_api import API, Client

GROUPS = f"{API}/aaa/local_database/groups"  # typed: {name, members}
INDEXING = f"{API}/policies/indexing"  # undocumented body: anything with a name


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    sim = start_simulator(tmp_path_factory.mktemp("text-sim"))
    yield Client(sim)
    sim.stop()


def send(api: Client, method: str, path: str, data: bytes) -> tuple[int, Any]:
    r = api.call(method, path, data=data, headers={"content-type": "application/json"})
    assert r.headers["content-type"].startswith("application/json"), r.text[:200]
    return r.status_code, r.json()


def refused_at(doc: Any, field: str) -> None:
    error = doc["error"]
    assert error["type"] == "SemanticError", doc
    assert error["details"]["errors"][0]["path"] == field, doc
    assert "lone surrogate U+D800" in error["details"]["errors"][0]["message"], doc


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        (GROUPS, b'{"name": "x\\ud800"}', "name"),  # the case, as a JSON escape
        (GROUPS, '{"name": "x\ud800"}'.encode("utf-8", "surrogatepass"), "name"),  # as raw bytes
        (GROUPS, b'{"name": "ok", "members": ["a", "b\\ud800"]}', "members[1]"),
        (INDEXING, b'{"name": "ok", "x": {"deep": [{"k": "\\ud800"}]}}', "x.deep[0].k"),
        (INDEXING, b'{"name": "ok", "x": {"k\\ud800": 1}}', "x.k\\ud800"),
    ],
)
def test_a_body_holding_a_lone_surrogate_is_refused_naming_the_field(
    api: Client, path: str, data: bytes, field: str
) -> None:
    status, doc = send(api, "POST", path, data)
    assert status == 400, doc
    refused_at(doc, field)


def test_a_replacing_put_and_a_commit_message_are_checked_too(api: Client) -> None:
    key = api.ok("POST", GROUPS, {"name": "text_put"}, status=201)["key"]
    status, doc = send(api, "PUT", f"{GROUPS}/{key}", b'{"name": "x\\ud800"}')
    assert status == 400, doc
    refused_at(doc, "name")
    status, doc = send(api, "PUT", "/api/transaction", b'{"status": "commit", "commit_message": "m\\ud800"}')
    assert status == 400, doc
    refused_at(doc, "commit_message")
    assert api.ok("GET", "/api/transaction")["body"]["status"] == "open"  # nothing was committed
    assert api.ok("GET", "/api/transaction/changes")["changes"]
    api.ok("DELETE", "/api/transaction")


def test_text_outside_the_basic_plane_is_held(api: Client) -> None:
    """A surrogate pair that spells one character is text: accepted, committed and listed."""
    key = api.ok("POST", GROUPS, {"name": "ops\U0001f600", "members": ["\\ud83d"]}, status=201)["key"]
    api.commit()
    held = {item["key"]: item["body"] for item in api.ok("GET", GROUPS)["items"]}
    assert held[key] == {"name": "ops\U0001f600", "members": ["\\ud83d"]}


def test_a_url_that_is_not_utf8_is_refused(api: Client) -> None:
    r = api.call("GET", f"{INDEXING}/%ED%A0%80")
    assert r.status_code == 404 and r.json()["error"]["details"]["path"] == f"{INDEXING}/%ED%A0%80", r.text
    r = api.call("GET", "/api/authentication?login_method=%ED%A0%80")
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "InvalidQuery" and error["details"]["query"] == "login_method=%ED%A0%80", error


def test_login_credentials_that_are_not_utf8_fail_as_wrong_ones(api: Client) -> None:
    user = "admin\ud800".encode("utf-8", "surrogatepass")
    header = b"Basic " + base64.b64encode(user + b":admin")
    r = api.sim.anonymous().get(f"{api.sim.url}/api/authentication", headers={"Authorization": header.decode()})
    assert r.status_code == 401 and r.json()["error"]["type"] == "AuthenticationFailure", r.text


def test_a_stored_surrogate_is_mended_at_start_up_instead_of_failing_every_list(tmp_path: Path) -> None:
    """A state written before requests were checked: the object stays, its text is mended (and
    stored mended), and the list of its type answers."""
    sim = start_simulator(tmp_path)
    api = Client(sim)
    key = api.ok("POST", GROUPS, {"name": "stored_bad", "members": ["m"]}, status=201)["key"]
    api.commit()
    sim.stop()
    store = Store(sim.state)
    store.save([Delta("aaa/local_database/groups", {key: {"name": "x\ud800", "members": ["m\udc00"]}}, ())])
    store.close()
    sim = sim.restart()
    try:
        items = {item["key"]: item["body"] for item in Client(sim).ok("GET", GROUPS)["items"]}
        assert items[key] == {"name": "x\ufffd", "members": ["m\ufffd"]}
        assert f"mended '{GROUPS}/{key}'" in sim.log.read_text()
        store = Store(sim.state)
        row = store.load()["aaa/local_database/groups"][key]
        store.close()
        assert row == {"name": "x\ufffd", "members": ["m\ufffd"]}
    finally:
        sim.stop()


def test_stored_nan_and_rows_that_are_not_json_never_brick_a_list_or_the_start(tmp_path: Path) -> None:
    """A hand-edited state: a NaN becomes null, a body that is not JSON is set aside (a singleton's
    then starts from its initial body), and everything answers."""
    sim = start_simulator(tmp_path)
    api = Client(sim)
    nan_key = api.ok("POST", GROUPS, {"name": "stored_nan"}, status=201)["key"]
    broken_key = api.ok("POST", GROUPS, {"name": "stored_broken"}, status=201)["key"]
    api.commit()
    options = api.ok("GET", f"{API}/mssql/options")["body"]
    sim.stop()
    db = sqlite3.connect(sim.state)
    db.execute("UPDATE objects SET body=? WHERE key=?", ('{"name": "stored_nan", "members": [NaN]}', nan_key))
    db.execute("UPDATE objects SET body='{not json' WHERE key=? OR type_path='mssql/options'", (broken_key,))
    db.commit()
    db.close()
    sim = sim.restart()
    try:
        again = Client(sim)
        items = {item["key"]: item["body"] for item in again.ok("GET", GROUPS)["items"]}
        assert items[nan_key] == {"name": "stored_nan", "members": [None]}
        assert broken_key not in items
        assert again.ok("GET", f"{API}/mssql/options")["body"] == options
        log = sim.log.read_text()
        assert f"set aside '{GROUPS}/{broken_key}'" in log and f"mended '{GROUPS}/{nan_key}'" in log, log
        db = sqlite3.connect(sim.state)
        aside = sorted(db.execute("SELECT type_path, key, body FROM set_aside").fetchall())
        db.close()
        assert aside == sorted(
            [("aaa/local_database/groups", broken_key, "{not json"), ("mssql/options", "options", "{not json")]
        )
    finally:
        sim.stop()
