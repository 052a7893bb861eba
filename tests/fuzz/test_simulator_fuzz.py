"""The simulator under random and mutated requests: never a 5xx, every error in the documented
shape, nothing reaches the committed configuration or the open transaction when a request is
refused, and a mutated body is refused exactly when the independent oracle (tests/fuzz/oracle.py)
says the documented rules refuse it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from sps_catalog import TypeDef
from sps_harness import RunningSimulator
from sps_provider.engine.convert import to_body
from tests.fuzz.oracle import must_refuse
from tests.support.catalog_cases import apply_mutation, base_attrs, fuzzable_types, invalid_mutation
from tests.support.endpoints import configuration_endpoints
from tests.support.fuzzing import SCALE, count

TYPES = fuzzable_types()


@pytest.fixture(scope="module")
def http(sim: RunningSimulator) -> requests.Session:
    return sim.session()


def check_answer(sim: RunningSimulator, s: requests.Session, r: requests.Response, before: Any) -> None:
    """The invariants every answer must keep."""
    assert r.status_code < 500, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        doc = r.json()
        err = doc["error"]
        assert isinstance(err["type"], str) and err["type"], doc
        assert isinstance(err["message"], str) and err["message"], doc
        assert isinstance(doc["meta"]["href"], str), doc
        committed, changes = snapshot(sim, s)
        assert committed == before[0], "a refused request changed the committed configuration"
        if changes is not None:
            assert changes == before[1], "a refused request entered the transaction"


def snapshot(sim: RunningSimulator, s: requests.Session) -> tuple[Any, Any]:
    changes = s.get(f"{sim.url}/api/transaction/changes")
    return sim.committed(), changes.json()["changes"] if changes.status_code == 200 else None


def write(s: requests.Session, sim: RunningSimulator, t: TypeDef, body: Any, m: Any) -> requests.Response:
    """POST or PUT `body`; a type whose body is a bare value sends its field's value, unless a field
    was added beside it (then the object itself, which such a type refuses as no value)."""
    if t.value_body is not None and m.kind != "extra_field":
        body = t.as_body(body)
    if t.is_singleton:
        return s.put(f"{sim.url}{t.api_path}", json=body)
    return s.post(f"{sim.url}{t.api_path}", json=body)


@pytest.mark.parametrize("t", TYPES, ids=lambda t: t.terraform_name)
def test_mutated_bodies_are_refused_cleanly(t: TypeDef, sim: RunningSimulator, http: requests.Session) -> None:
    attrs = base_attrs(t)
    body = to_body(t.root, attrs)

    @given(invalid_mutation(t, body))
    def run(m: Any) -> None:
        count("simulator: mutated bodies")
        before = snapshot(sim, http)
        r = write(http, sim, t, apply_mutation(body, m), m)
        check_answer(sim, http, r, before)
        refused = 400 <= r.status_code < 500
        assert refused == must_refuse(t, m, body), f"{m}: {r.status_code} {r.text[:300]}"
        http.delete(f"{sim.url}/api/transaction")

    run()


ENDPOINTS = sorted(
    {"/api", "/api/authentication"} | set(configuration_endpoints(lambda t: (b.key for b in t.builtins)))
)
# Text with lone surrogates too (hypothesis leaves category Cs out unless told): JSON can spell
# them, and nothing the simulator accepts may break a later answer (docs/simulator.md, "Text that
# is not Unicode").
TEXT = st.text(st.characters(exclude_categories=()), max_size=20)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def raw_requests(draw: st.DrawFn) -> tuple[str, str, bytes | None, str]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]))
    path = draw(st.sampled_from(ENDPOINTS))
    if draw(st.booleans()):
        path += draw(st.sampled_from(["/", "/x", "/%00", "/..", "/" + "a" * 300, "/ü", "?filter=%zz", "/%ED%A0%80",
                                      "?login_method=%ED%A0%80", "?x=%FF"]))  # fmt: skip
    body = draw(st.one_of(
        st.none(),
        st.binary(max_size=64),
        st.sampled_from([b"{", b"[1,", b'{"name": }', b"\xff\xfe", b"null", b'"str"', b"{}" * 1000,
                         b"[" * 600 + b"]" * 600, b'{"name": "n", "x": NaN}', b'{"x": 1e999}', b'{"x": -Infinity}',
                         b'{"name": "x\\ud800"}', '{"name": "x\ud800"}'.encode("utf-8", "surrogatepass")]),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    ))  # fmt: skip
    cookie = draw(st.sampled_from(["valid", "none", "forged", "garbage"]))
    return method, path, body, cookie


def test_random_requests(sim: RunningSimulator, http: requests.Session) -> None:
    anonymous = sim.anonymous()

    @settings(max_examples=SCALE * 10 if SCALE else 30)
    @given(raw_requests())
    def run(req: tuple[str, str, bytes | None, str]) -> None:
        count("simulator: random requests")
        method, path, body, cookie = req
        s = http if cookie == "valid" else anonymous
        anonymous.cookies.clear()
        if cookie == "forged":
            anonymous.cookies.set("session_id", "f" * 40)
        elif cookie == "garbage":
            anonymous.cookies.set("session_id", "\u00e9; x=1")
        before = snapshot(sim, http)
        headers = {"content-type": "application/json"} if body is not None else {}
        r = s.request(method, sim.url + path, data=body, headers=headers)
        check_answer(sim, http, r, before)
        if cookie == "valid":
            http.delete(f"{sim.url}/api/transaction")
        if method == "GET" and path == "/api/authentication" and cookie == "valid":
            assert r.status_code in (200, 401)

    run()
