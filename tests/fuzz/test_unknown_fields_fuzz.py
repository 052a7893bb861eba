"""Fields the catalog does not model survive every PUT (ADR 0007), by property, for every managed type.

One example is an appliance body (one of the type's examples as the provider would send it, in the
API's response form, with unmodelled fields injected at every level: top level, modelled objects,
list elements, union objects; values of every JSON kind; hostile names: NFC/NFD twins, empty,
`${`, quotes, very long) and a configuration (an example, its lists reordered, cut or repeated,
plus an `extra_json` that sets unmodelled fields, in part and nested, never a modelled one). It
runs through the engine's real update, `ResourceEngine.apply`, against a transaction that does
what `coordinator/transactions.py` does with a PUT step (`Step.merge` with the object it holds),
and checks the body that would be PUT:

- every unmodelled leaf the appliance held is sent back unchanged, unless `extra_json` sets it
  (its value wins), it lives in a union object whose branch changes (its own fields; common
  fields are followed), in a list element whose modelled content is in the sent list no more, or
  in a modelled object the configuration removes;
- its modelled fields are exactly the configuration's (`extra_json` adds no modelled object);
- building the PUT again from what the appliance then holds changes nothing, the state's
  `extra_json` is the configured text, and the next plan is no change;
- an `extra_json` that sets fields inside a modelled object the configuration leaves null is
  refused at validate (and any other is accepted).

A type some of whose fields exist on some firmware only runs on a drawn seed firmware (or none):
the fields that firmware lacks are held as unmodelled ones (an appliance the catalog's version
ranges underrate) and must survive too. Bare-value bodies (`value_body`) have no other fields
and are left out. The generic resources' body (`sps_object` / `sps_settings`: the held body with
the configured one laid over it) is checked the same way. `make test` runs 15 seeded examples
per type (about 8 s); `make fuzz` SPS_FUZZ_SCALE (300: about 3 min).
"""

from __future__ import annotations

import copy
import json
import unicodedata
from collections.abc import Collection, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sps_catalog import TypeDef, Value, load_catalog
from sps_catalog.endpoints import load_endpoints
from sps_catalog.equivalence import by_nfc, nfc
from sps_catalog.firmware import SEED_VERSIONS, absent_fields, fields_on, held_on
from sps_catalog.generic import SHAPES, GenericKind, fits, normalized
from sps_catalog.secrets import get_in, set_in
from sps_catalog.unknown_fields import EXTRA_JSON, extra_problems, modelled_only
from sps_catalog.values import apply_defaults
from sps_catalog.walk import UNKNOWN, Rebuild
from sps_provider.coordinator.changes import Step
from sps_provider.engine.convert import complete, to_body
from sps_provider.engine.firmware_gate import Target
from sps_provider.engine.generic import BODY, CATALOG_VALIDATION, KEY, PATH, GenericEngine
from sps_provider.engine.refresh import RefreshReader
from sps_provider.engine.resource import ResourceEngine
from sps_provider.protocol.diagnostics import Diagnostics
from tests.support.catalog_cases import resolved
from tests.support.fuzzing import count

CATALOG = load_catalog()
TYPES = [t for t in CATALOG.managed if t.value_body is None]
ENGINES = {t.terraform_name: ResourceEngine(t) for t in TYPES}
Path = tuple[str | int, ...]
OPAQUE = Value(type="object")
"""What the generic resources model of a body: nothing."""

# -- hostile JSON -----------------------------------------------------------------------------
HOSTILE_NAMES = [
    "Café",
    unicodedata.normalize("NFD", "Café"),
    "Å",
    "\u212b",  # ANGSTROM SIGN: Å after NFC
    "A\u030a",
    "",
    " ",
    "\u200b",
    "${var.x}",
    "%{ if }",
    '"',
    "'",
    "\\",
    "key",
    "meta",
    "new",
    "x" * 300,
]
names = st.sampled_from(HOSTILE_NAMES) | st.text(st.characters(blacklist_categories=["Cs"]), max_size=6)
leaf_values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(HOSTILE_NAMES)
    | st.text(st.characters(blacklist_categories=["Cs"]), max_size=6)
)
json_values = st.recursive(
    leaf_values, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3), max_leaves=8
)


# -- the appliance ----------------------------------------------------------------------------
class _Responded(Rebuild):
    """A request body in the API's response form: references as `{key, meta}`."""

    tracks_path = False
    select = "present"
    keep_unselected = True

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        if spec.type == "reference" and isinstance(v, str):
            return {"key": v, "meta": {"href": f"/api/configuration/x/{v}"}}
        return v


responded = _Responded()


class Appliance:
    """One object and the transaction that writes it: a PUT step's body is merged (`Step.merge`)
    with the object as held just before the write, as `Transactions._write_step` does; a POST (a
    new password object) answers a new key. The object then holds the body in response form."""

    def __init__(self, held: Any, root: Value) -> None:
        self.held, self.root = copy.deepcopy(held), root
        self.sent: list[Any] = []
        self.unmerged: Any = None
        self.merge: Any = None
        self.posted = 0

    def submit(self, steps: list[Step]) -> list[Any]:
        results: list[Any] = []
        for step in steps:
            body = step.body_for(results)
            if step.method == "POST":
                self.posted += 1
                results.append(f"secret-{self.posted}")
                continue
            assert step.method == "PUT" and step.merge is not None, step
            self.unmerged, self.merge = body, step.merge
            body = step.merge(body, self.held)
            self.sent.append(body)
            self.held = responded_body(self.root, body)
            results.append(None)
        return results

    def get(self, path: str) -> Any:
        return {"key": "k1", "body": copy.deepcopy(self.held)}


def responded_body(root: Value, body: Any) -> Any:
    return responded(root, copy.deepcopy(body))


# -- generation -------------------------------------------------------------------------------
def example_config(t: TypeDef, name: str) -> dict[str, Any]:
    config: dict[str, Any] = resolved(copy.deepcopy(dict(t.examples[name])))
    return config


def modelled_body(t: TypeDef, config: dict[str, Any]) -> Any:
    """The body the provider sends for `config`, secrets as held keys."""
    engine = ENGINES[t.terraform_name]
    body = to_body(t.root, complete(t.root, apply_defaults(t.root, engine.config_fields(config, None))))
    for path, _ in t.secrets:
        if isinstance(get_in(body, path[:-1]), dict):
            set_in(body, path, "secret-held")
    return body


def free_name(draw: st.DrawFn, known: set[str], taken: set[str]) -> str:
    """An unmodelled name: hostile, or one equal to a modelled name up to NFC (KELVIN SIGN for K)."""
    lookalikes = sorted(n.replace("K", "\u212a") for n in known if "K" in n)
    choices = st.sampled_from(lookalikes) | names if lookalikes else names
    return draw(choices.filter(lambda n: n not in known and n not in taken))


def with_unknowns(draw: st.DrawFn, spec: Value, v: Any) -> Any:
    """`v` (a body along `spec`) with unmodelled fields added to any of its objects, at any depth."""
    if spec.type == "list" and spec.element is not None and isinstance(v, list):
        return [with_unknowns(draw, spec.element, x) for x in v]
    if spec.type != "object" or not isinstance(v, dict):
        return v
    known = spec.fields_by_name
    out = {k: with_unknowns(draw, known[k], x) if k in known else x for k, x in v.items()}
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            name = free_name(draw, set(known), set(out))
            out[name] = draw(json_values)
            if draw(st.booleans()):  # its NFC/NFD twin beside it
                twin = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), name)
                if twin not in known and twin not in out:
                    out[twin] = draw(json_values)
    return out


def varied(draw: st.DrawFn, spec: Value, v: Any) -> Any:
    """`v` (Terraform form) with lists of objects reordered, cut or repeated, at any depth."""
    if spec.type == "list" and spec.element is not None and isinstance(v, list):
        items = [varied(draw, spec.element, x) for x in v]
        if items and spec.element.type == "object" and draw(st.booleans()):
            picks = draw(st.lists(st.integers(-len(items), len(items) - 1), max_size=len(items) + 1))
            items = [copy.deepcopy(items[i]) if i >= 0 else changed(spec.element, items[i]) for i in picks]
        return items
    if spec.type == "object" and isinstance(v, dict):
        known = spec.fields_by_name
        return {k: varied(draw, known[k], x) if k in known else x for k, x in v.items()}
    return v


def changed(spec: Value, element: Any) -> Any:
    """A copy of a list element with a free-text field of it changed: another element."""
    out = copy.deepcopy(element)
    disc = spec.union.discriminator if spec.union is not None else None
    for f in spec.all_fields():
        if f.type == "string" and not f.enum and f.name != disc and isinstance(out.get(f.name), str):
            out[f.name] += "-changed"
            break
    return out


def partly(draw: st.DrawFn, held: Any) -> Any:
    """A value `extra_json` sets over `held`: part of a held object (nested), or any value."""
    if isinstance(held, dict) and held and draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(sorted(held)), min_size=1, max_size=len(held), unique=True))
        out = {nfc(k): partly(draw, held[k]) for k in keys}
        if draw(st.booleans()):
            out[nfc(draw(names))] = draw(json_values)
        return out
    return draw(json_values)


def extra_for(draw: st.DrawFn, spec: Value, held: Any, sent: Any) -> dict[str, Any]:
    """An `extra_json` object for an object along `spec`: unmodelled names only (the held ones
    in NFC, as Terraform holds them, and new ones), and into modelled objects the configuration
    sends (or leaves null while the appliance holds one: validate refuses that), never into lists."""
    known = spec.fields_by_name
    held = held if isinstance(held, dict) else {}
    out: dict[str, Any] = {}
    unknown_held = [k for k in held if k not in known and nfc(k) not in known]
    for k in draw(st.lists(st.sampled_from(unknown_held), max_size=3, unique=True)) if unknown_held else []:
        out[nfc(k)] = partly(draw, held[k])
    if draw(st.booleans()):
        name = nfc(draw(names))
        if name not in known:
            out[name] = draw(json_values)
    if isinstance(sent, dict):
        for f in spec.all_fields():
            inside = sent.get(f.name)
            into = isinstance(inside, dict) or (inside is None and isinstance(held.get(f.name), dict))
            if f.type == "object" and into and draw(st.booleans()):
                inner = extra_for(draw, f, held.get(f.name), inside)
                if inner:
                    out[f.name] = inner
    return out


def into_null(spec: Value, extra: dict[str, Any], values: Any) -> bool:
    """Whether `extra` sets fields inside a modelled object `values` (the configuration) leaves null."""
    known = spec.fields_by_name
    for name, item in extra.items():
        f, inner = known.get(name), values.get(name) if isinstance(values, dict) else None
        if f is not None and isinstance(item, dict) and item and (inner is None or into_null(f, item, inner)):
            return True
    return False


# -- the invariant ----------------------------------------------------------------------------
def lost(spec: Value, held: Any, sent: Any, extra: Any, at: Path = ()) -> Iterator[str]:
    """Where an unmodelled field `held` holds is missing from or changed in `sent` without a
    reason the rules give (`extra`: what `extra_json` sets at this level)."""
    if spec.type == "list" and spec.element is not None and isinstance(held, list):
        yield from _lost_in_list(spec.element, held, sent if isinstance(sent, list) else [], at)
        return
    if spec.type != "object" or not isinstance(held, dict) or not isinstance(sent, dict):
        return  # not an object, or one the configuration removes
    known = spec.fields_by_name
    extra = extra if isinstance(extra, dict) else {}
    same_branch = spec.union is None or held.get(spec.union.discriminator) == sent.get(spec.union.discriminator)
    if same_branch:
        yield from _lost_unmodelled({k: v for k, v in held.items() if k not in known}, sent, extra, at, set(known))
    follow = known if same_branch else {f.name: f for f in spec.fields}
    for name, f in follow.items():
        if name in held and name in sent:
            yield from lost(f, held[name], sent[name], extra.get(name), (*at, name))


def _lost_unmodelled(held: dict[str, Any], sent: dict[str, Any], extra: dict[str, Any], at: Path,
                     known: Collection[str] = ()) -> Iterator[str]:  # fmt: skip
    """Unmodelled fields (and their content): kept unless `extra` names them, objects field by
    field (`known`: the modelled names beside them, which no unmodelled field is)."""
    extra_names, held_names = by_nfc(extra), by_nfc(held)
    for k, v in held.items():
        # named by the same spelling, else by the one unmodelled name equal up to NFC when
        # neither side has another
        spelled = k if k in extra else extra_names.get(nfc(k))
        if (
            spelled is not None
            and spelled != k
            and (spelled in held or spelled in known or held_names.get(nfc(k)) != k)
        ):
            spelled = None
        if spelled is None:
            if k not in sent or not _same(sent[k], v):
                yield f"{(*at, k)}: held {v!r}, sent {sent.get(k, '<missing>')!r}"
            continue
        wanted = extra[spelled]
        if isinstance(wanted, dict) and isinstance(v, dict):
            inner = sent.get(spelled)
            if not isinstance(inner, dict):
                yield f"{(*at, k)}: extra_json sets part of an object, sent {inner!r}"
                continue
            yield from _lost_unmodelled(v, inner, wanted, (*at, k))
        elif spelled not in sent or not _same(sent[spelled], wanted):
            yield f"{(*at, k)}: extra_json sets {wanted!r}, sent {sent.get(spelled, '<missing>')!r}"


def _lost_in_list(element: Value, held: list[Any], sent: list[Any], at: Path) -> Iterator[str]:
    """Each held element whose modelled content is still sent keeps its fields in one such element."""
    used: set[int] = set()
    for i, h in enumerate(held):
        mine = modelled_only(element, h)
        same = [j for j, s in enumerate(sent) if j not in used and modelled_only(element, s) == mine]
        if not same:
            continue  # no longer in the list: its fields went with it
        keeper = next((j for j in same if not any(lost(element, h, sent[j], None))), None)
        if keeper is None:
            yield f"{(*at, i)}: element {h!r} is sent as {[sent[j] for j in same]!r}"
            continue
        used.add(keeper)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# -- the property -----------------------------------------------------------------------------
@st.composite
def case(draw: st.DrawFn, t: TypeDef, version: str | None) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """(the appliance's body, the configuration, extra_json's object) on firmware `version`: the
    fields the catalog has on other firmware only are held as unmodelled ones, never configured."""
    examples = sorted(t.examples)
    root = fields_on(t.root, version) if version else t.root
    held = responded_body(t.root, modelled_body(t, example_config(t, draw(st.sampled_from(examples)))))
    if version:
        held = held_on(t.root, held, version)
        for f in t.root.all_fields():
            if not f.versions.exists_on(version) and draw(st.booleans()):
                held[f.name] = draw(json_values)
    held = with_unknowns(draw, root, held)
    config = varied(draw, t.root, example_config(t, draw(st.sampled_from(examples))))
    for path, _ in absent_fields(t.root, config, version) if version else []:
        parent = get_in(config, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    extra = extra_for(draw, t.root, held, modelled_body(t, config))
    return held, config, extra


@pytest.mark.parametrize("name", [t.terraform_name for t in TYPES])
@given(data=st.data())
def test_an_update_keeps_every_field_the_catalog_does_not_model(name: str, data: st.DataObject) -> None:
    t = CATALOG[name]
    engine = ENGINES[t.terraform_name]
    version = data.draw(st.sampled_from([None, *SEED_VERSIONS])) if engine.fields_limited else None
    target = Target("https://sps.example", version)
    root = engine.root_on(target)
    held, config, extra = data.draw(case(t, version))
    if extra or data.draw(st.booleans()):
        # Terraform holds every string in NFC: the text SPS's names are written in too
        text = nfc(json.dumps(extra, ensure_ascii=False, indent=data.draw(st.sampled_from([None, 1]))))
        config, extra = {**config, EXTRA_JSON: text}, json.loads(text)
    assert not extra_problems(t.root, extra), "the generator names only unmodelled fields"
    refusals = Diagnostics()
    engine.validate(config, refusals)
    refused = [d.detail for d in refusals.items if d.detail.startswith(EXTRA_JSON)]
    if into_null(t.root, extra, apply_defaults(t.root, engine.config_fields(config, None))):
        assert refused, "extra_json inside a modelled object the configuration leaves null is refused"
        count("unknown fields: extra_json refused")
        return
    assert not refused, refused
    key = t.singleton_key if t.is_singleton else "k1"
    appliance = Appliance(held, t.root)
    prior = engine.state_from_body(key, held, target=target)
    diags = Diagnostics()
    planned = engine.plan(prior, config, diags, target).state
    state = engine.apply(appliance, RefreshReader(appliance), prior, planned, config, diags, target)  # type: ignore[arg-type]
    [sent] = appliance.sent

    problems = list(lost(root, held, sent, extra))
    assert not problems, "\n".join(problems)
    assert modelled_only(root, sent) == modelled_only(root, _configured(engine, root, planned, appliance)), (
        "the modelled fields sent are the configuration's"
    )
    again = appliance.merge(appliance.unmerged, appliance.held)
    assert _same(again, sent), "a second PUT from what the appliance then holds changes nothing"
    assert state[EXTRA_JSON] == config.get(EXTRA_JSON), "extra_json reads back as configured"
    assert engine.plan(state, config, Diagnostics(), target).state == state, "the next plan is no change"
    count("unknown fields: typed updates")


def _configured(engine: ResourceEngine, root: Value, planned: dict[str, Any], appliance: Appliance) -> Any:
    """The body the planned values alone make (new secrets as the keys their POSTs answered)."""
    values = copy.deepcopy(engine.body_fields(planned))
    new = [path for path, _ in engine.t.secrets if get_in(values, path) is UNKNOWN]
    for n, path in enumerate(new):
        set_in(values, path, f"secret-{n + 1}")
    return to_body(root, values)


# -- the generic resources --------------------------------------------------------------------
ENDPOINTS = load_endpoints()
GENERIC = {kind: sorted(e.path for e in ENDPOINTS if fits(e, kind) and e.body == "object") for kind in SHAPES}


@pytest.mark.parametrize("kind", sorted(GENERIC))
@given(data=st.data())
def test_a_generic_put_keeps_every_field_the_body_does_not_name(kind: GenericKind, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(GENERIC[kind]))
    held = data.draw(st.dictionaries(names, json_values, max_size=5))
    for name in list(held):  # a twin up to NFC beside some
        twin = unicodedata.normalize(data.draw(st.sampled_from(["NFC", "NFD"])), name)
        if twin not in held and data.draw(st.booleans()):
            held[twin] = data.draw(json_values)
    text = nfc(json.dumps(extra_for(data.draw, OPAQUE, held, None), ensure_ascii=False))
    body = json.loads(text)
    engine = GenericEngine(kind)
    config = {PATH: path, BODY: text, CATALOG_VALIDATION: True}
    prior = {**config, KEY: "k1"} if kind == "object" else None
    planned = engine.plan(prior, config, Diagnostics()).state
    appliance = Appliance(held, OPAQUE)
    diags = Diagnostics()
    state = engine.apply(appliance, RefreshReader(appliance), prior, planned, config, diags)  # type: ignore[arg-type]
    assert not diags.items, diags.items
    [sent] = appliance.sent

    problems = list(_lost_unmodelled(normalized(held), sent, body, ()))
    assert not problems, "\n".join(problems)
    assert _same(appliance.merge(appliance.unmerged, appliance.held), sent), "a second PUT changes nothing"
    assert state[BODY] == text, "the body reads back as configured"
    assert engine.plan(state, config, Diagnostics()).state == state, "the next plan is no change"
    count("unknown fields: generic updates")
