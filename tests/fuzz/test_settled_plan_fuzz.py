"""A plan after apply is empty, by property, for every managed type (no perpetual diff).

One example is two valid configurations of a type, generated from its catalog examples (references
resolved as tests/contract/test_inprocess_lifecycle.py does: the referenced example created first)
and varied where the catalog's model allows: strings within their format (unicode, decomposed (NFD)
text, quotes, `${`, long, leading and trailing spaces where the format allows them), ints at their
bounds, optional fields set, unset or null, lists of other lengths and orders (every catalog list is
a Terraform list: its order is the configuration's), other union branches, and an `extra_json` with
unmodelled fields (at the top level and inside a modelled object; nested objects, numbers such as
1e300 and 2**60, unicode keys; partly documented types only, as SPS refuses unknown fields
elsewhere). Strings reach the provider in NFC, as Terraform normalizes every configuration string.
Through the provider's servicer in process (sps_harness.inprocess) against one real simulator per firmware:

- create, then a plan with the same configuration is empty (the state, no requires-replace);
- a read (refresh) changes nothing, and an import by key gives the same state;
- an update to the second configuration (destroy and create where the plan requires replacement),
  then the same three again.

A configuration the catalog's model holds valid (`sps_catalog.values.validate`, `extra_problems`)
must not be refused by the provider at validate or plan; one the simulator refuses at apply fails
the test too (the catalog would be documenting a value SPS refuses).

Left out: none of the managed types; the secret-holding types (backup_policy, ldap_server) keep
their examples' secret attributes as they are (write-only values are not read back, so they have
no diff to settle), and an import is compared without `extra_json` and secret versions (see
`modelled`). `make test` runs one seeded example per type; `make fuzz` SPS_FUZZ_SCALE.
"""

from __future__ import annotations

import contextlib
import copy
import json
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sps_catalog import TypeDef, Value, load_catalog
from sps_catalog.equivalence import nfc
from sps_catalog.firmware import DEFAULT_FIRMWARE, fields_on
from sps_catalog.unknown_fields import EXTRA_JSON, extra_problems
from sps_catalog.values import apply_defaults, validate
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.firmware import firmware_for
from tests.support.fuzzing import SCALE, count
from tests.support.inprocess import Appliance, appliances_by_firmware, example

TYPES = list(load_catalog().managed)

# -- values within the model --------------------------------------------------------------------
DECOMPOSED = [unicodedata.normalize("NFD", s) for s in ("Café", "Ångström", "naïve", "Ǆemal")]
STRING_SAMPLES = [
    *DECOMPOSED,
    "名前",
    "\u212b",  # ANGSTROM SIGN: Å after NFC
    'say "hi"',
    "it's",
    "${var.x}",
    "%{ if true }x%{ endif }",
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "emoji 🦀",
    "x" * 2000,
]


def _free_text(padding: bool) -> st.SearchStrategy[str]:
    base = st.one_of(st.sampled_from(STRING_SAMPLES), st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]),
                                                              min_size=1, max_size=30))  # fmt: skip
    if not padding:
        return base
    return st.builds(lambda lead, s, trail: lead + s + trail, st.sampled_from(["", " ", "  "]), base,
                     st.sampled_from(["", " ", "\t"]))  # fmt: skip


NO_WHITESPACE = st.one_of(
    st.sampled_from(["Café", unicodedata.normalize("NFD", "Café"), '"quoted"', "${x}", "名前", "a" * 300]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Zs", "Zl", "Zp", "Cc"]), min_size=1, max_size=20),
)
IPS = st.sampled_from(["10.0.0.1", "192.168.100.254", "0.0.0.0", "2001:db8::1", "2001:DB8:0:0:0:0:0:2", "::1",
                       "fe80::1", "::ffff:10.1.2.3"])  # fmt: skip
CIDRS = st.sampled_from(["10.0.0.0/8", "10.1.2.3/16", "192.168.0.0/24", "0.0.0.0/0", "2001:db8::/32",
                         "2001:DB8::1/64", "10.0.0.1/32"])  # fmt: skip
HOSTS = st.one_of(IPS, st.sampled_from(["example.com", "Host-1.Example.COM", "a", "x" * 63 + ".example"]))
TIME_ZONES = st.sampled_from(["UTC", "Europe/Budapest", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
HHMM = st.builds(lambda h, m: f"{h}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
IDENTIFIERS = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,20}", fullmatch=True)


class NoValue(Exception):
    """No value of this spec can be made without what the examples hold (an inner reference)."""


def _string(draw: st.DrawFn, spec: Value) -> str:
    if spec.enum is not None:
        return str(draw(st.sampled_from(spec.enum)))
    fmt = spec.format
    if fmt in ("ip", "cidr", "ip_or_cidr"):
        pick = {"ip": IPS, "cidr": CIDRS, "ip_or_cidr": st.one_of(IPS, CIDRS)}[fmt]
        return draw(pick)
    if fmt == "host":
        return draw(HOSTS)
    if fmt == "time_zone":
        return draw(TIME_ZONES)
    if fmt == "hhmm":
        return draw(HHMM)
    if fmt == "identifier":
        return draw(IDENTIFIERS)
    if fmt == "no_whitespace":
        return draw(NO_WHITESPACE)
    if fmt == "nic_address":
        raise NoValue
    return draw(_free_text(padding=True).filter(lambda s: fmt != "filled" or bool(s.strip())))


def _int(draw: st.DrawFn, spec: Value) -> int:
    low = 1 if spec.format == "port" else spec.min
    high = 65535 if spec.format == "port" else spec.max
    bounds = [b for b in (low, high) if b is not None]
    inside = st.integers(min_value=low if low is not None else -(2**31), max_value=high if high is not None else 2**31)
    return draw(st.one_of(st.sampled_from(bounds), inside) if bounds else inside)


def _reference(draw: st.DrawFn, spec: Value, on: Appliance) -> str:
    if spec.is_inner_reference or spec.target is None:
        raise NoValue
    target = load_catalog()[spec.target]
    keys = [b.key for b in target.builtins]
    if not keys:
        raise NoValue
    return str(draw(st.sampled_from(keys)))


def fresh(draw: st.DrawFn, spec: Value, on: Appliance, depth: int = 0) -> Any:
    """A value of `spec` made from nothing (its required fields, some optional ones)."""
    if spec.type == "string":
        return _string(draw, spec)
    if spec.type == "int":
        return _int(draw, spec)
    if spec.type == "bool":
        return draw(st.booleans())
    if spec.type == "reference":
        return _reference(draw, spec, on)
    if spec.type == "list":
        assert spec.element is not None
        low = spec.min or 0
        high = max(low, min(spec.max if spec.max is not None else 3, 3))
        n = draw(st.integers(low, high))
        return [fresh(draw, spec.element, on, depth + 1) for _ in range(n)]
    obj: dict[str, Any] = {}
    branch = None
    if spec.union is not None:
        branch = draw(st.sampled_from(sorted(spec.union.branches)))
        obj[spec.union.discriminator] = _discriminator_value(spec, branch)
    for f in spec.active_fields(branch):
        if spec.union is not None and f.name == spec.union.discriminator:
            continue
        if f.must_be_given or f.required_when is not None or (depth < 2 and draw(st.booleans())):
            obj[f.name] = fresh(draw, f, on, depth + 1)
    return obj


def _discriminator_value(spec: Value, branch: str) -> Any:
    assert spec.union is not None
    if spec.union.is_bool:
        return branch == "true"
    return branch


def vary(draw: st.DrawFn, spec: Value, v: Any, on: Appliance, depth: int = 0) -> Any:
    """`v` (a valid value of `spec`) changed where the model allows."""
    if v is None:
        return v
    if spec.type == "object" and isinstance(v, dict):
        return _vary_object(draw, spec, v, on, depth)
    if spec.type == "list" and isinstance(v, list):
        assert spec.element is not None
        items = [vary(draw, spec.element, x, on, depth + 1) for x in v]
        action = draw(st.sampled_from(["keep", "reverse", "shuffle", "grow", "cut", "fresh"]))
        if action == "reverse":
            items.reverse()
        elif action == "shuffle":
            items = draw(st.permutations(items))
        elif action == "grow" and items:
            items.append(copy.deepcopy(draw(st.sampled_from(items))))
        elif action == "cut" and items:
            items = items[: draw(st.integers(0, len(items) - 1))]
        elif action == "fresh":
            with contextlib.suppress(NoValue):
                items = fresh(draw, spec, on, depth)
        low, high = spec.min or 0, spec.max if spec.max is not None else 10**6
        return items if low <= len(items) <= high else v
    if spec.type == "reference" or (spec.type == "string" and spec.format == "nic_address"):
        return v  # keys the examples made stay
    if draw(st.integers(0, 2)) == 0:
        return v
    try:
        return fresh(draw, spec, on, depth)
    except NoValue:
        return v


def _vary_object(draw: st.DrawFn, spec: Value, v: dict[str, Any], on: Appliance, depth: int) -> dict[str, Any]:
    if spec.union is not None and draw(st.integers(0, 3)) == 0:
        try:
            other: dict[str, Any] = fresh(draw, spec, on, depth)
            return other
        except NoValue:
            pass
    branch = spec.union.branch_name(v.get(spec.union.discriminator)) if spec.union else None
    out = dict(v)
    for f in spec.active_fields(branch):
        if spec.union is not None and f.name == spec.union.discriminator:
            continue
        if f.secret or f.name in (f.write_only_name, f.version_name):
            continue
        action = draw(st.sampled_from(["vary", "vary", "unset", "null", "set"]))
        optional = not f.must_be_given and f.required_when is None
        if action in ("unset", "null") and optional:
            if action == "unset":
                out.pop(f.name, None)
            else:
                out[f.name] = None
        elif f.name in out and out[f.name] is not None:
            out[f.name] = vary(draw, f, out[f.name], on, depth + 1)
        elif action == "set":
            with contextlib.suppress(NoValue):
                out[f.name] = fresh(draw, f, on, depth + 1)
    return out


# -- extra_json -----------------------------------------------------------------------------------
EXTRA_KEYS = st.sampled_from(["zz_extra", "Café", unicodedata.normalize("NFD", "Zoë"), "名前", "with space", "${k}",
                              'q"uote', "n"])  # fmt: skip
EXTRA_LEAVES = st.one_of(
    st.sampled_from(
        [
            1e300,
            2**60,
            -(2**53) - 1,
            0.1,
            1.5e-300,
            0,
            -0.0,
            True,
            False,
            None,
            "",
            "Café",
            unicodedata.normalize("NFD", "Café"),
        ]
    ),
    st.integers(-(2**63), 2**63),
    st.text(max_size=10),
)
EXTRA_VALUES = st.recursive(
    EXTRA_LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(EXTRA_KEYS, inner, max_size=3)),
    max_leaves=6,
)


@st.composite
def extra_json(draw: st.DrawFn, t: TypeDef, config: dict[str, Any]) -> str | None:
    """Unmodelled fields at the top level and inside a modelled object `config` sets."""
    if t.value_body is not None or not t.partly_documented or draw(st.booleans()):
        return None  # SPS refuses fields it does not know on fully documented types (docs/simulator.md)
    modelled = {nfc(f.name) for f in t.root.all_fields()}
    extra = draw(st.dictionaries(EXTRA_KEYS.filter(lambda k: nfc(k) not in modelled), EXTRA_VALUES, min_size=1,
                                 max_size=3))  # fmt: skip
    objects = [f for f in t.root.all_fields() if f.type == "object" and isinstance(config.get(f.name), dict)]
    if objects and draw(st.booleans()):
        inside = draw(st.sampled_from(objects))
        known = {nfc(f.name) for f in inside.all_fields()}
        extra[inside.name] = draw(st.dictionaries(EXTRA_KEYS.filter(lambda k: nfc(k) not in known), EXTRA_VALUES,
                                                  min_size=1, max_size=2))  # fmt: skip
    # the text as a configuration spells it: unicode as such or escaped (escapes keep NFD in the JSON)
    return json.dumps(extra, ensure_ascii=draw(st.booleans()))


def as_terraform_gives(v: Any) -> Any:
    """`v` as Terraform hands it to the provider: every string in NFC."""
    if isinstance(v, str):
        return nfc(v)
    if isinstance(v, dict):
        return {nfc(k): as_terraform_gives(x) for k, x in v.items()}
    if isinstance(v, list):
        return [as_terraform_gives(x) for x in v]
    return v


@st.composite
def configuration(draw: st.DrawFn, t: TypeDef, on: Appliance) -> dict[str, Any]:
    """A valid configuration of `t` (by the catalog's model), varied from one of its examples."""
    name = draw(st.sampled_from(sorted(t.examples)))
    base = example(t, name, on)
    assert base is not None
    root = model_on(t)
    config: dict[str, Any] = vary(draw, root, base, on)
    if t.name_field and t.name_field in base:
        config[t.name_field] = f"{base[t.name_field]}_settle"  # collections: one name for every example
    config = as_terraform_gives(config)
    attrs = {k: v for k, v in config.items() if not _is_secret_attr(t, k)}
    problems = validate(root, apply_defaults(root, {k: v for k, v in attrs.items() if v is not None}))
    assume(not problems)
    extra = draw(extra_json(t, config))
    if extra is not None:
        parsed = json.loads(nfc(extra))
        assume(not extra_problems(t.root, parsed, values=apply_defaults(t.root, attrs)))
        config[EXTRA_JSON] = nfc(extra)
    return config


def model_on(t: TypeDef) -> Value:
    """`t`'s model on the firmware `firmware_for([t])` starts (fields of other versions left out)."""
    args = firmware_for([t])
    return fields_on(t.root, args[args.index("--firmware") + 1] if args else DEFAULT_FIRMWARE)


def _is_secret_attr(t: TypeDef, name: str) -> bool:
    return any(f.name == name or name in (f.write_only_name, f.version_name) for f in t.root.all_fields() if f.secret)


# -- the property ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def appliance_for(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[TypeDef], Appliance]]:
    yield from appliances_by_firmware(tmp_path_factory, "settle")


def settled(provider: InProcessProvider, t: TypeDef, state: dict[str, Any], config: dict[str, Any], what: str) -> None:
    name = t.resource_type
    planned, replace = provider.plan_change(name, state, config)
    assert replace == [], f"{what}: the plan after apply requires replacement of {replace}"
    assert planned == state, f"{what}: the plan after apply is a change"
    provider.new_run()  # the next terraform command reads the appliance afresh
    assert provider.read(name, state) == state, f"{what}: a refresh after apply changes the state"
    imported = provider.import_(name, t.singleton_key if t.is_singleton else state["key"])
    assert modelled(t, imported) == modelled(t, state), f"{what}: import gives another state"
    if not t.secrets:  # an imported secret's version is unknown: the next apply sets it
        planned, replace = provider.plan_change(name, imported, config)
        assert replace == [], f"{what}: the plan after import requires replacement of {replace}"
        assert modelled(t, planned) == modelled(t, imported), f"{what}: the plan after import is a change"


def modelled(t: TypeDef, state: dict[str, Any]) -> dict[str, Any]:
    """What an import can know of a state: not `extra_json` (an import holds every unmodelled
    field the appliance has, those no configuration set included) nor a secret's version (a
    configuration's counter, never on the appliance)."""
    return {
        k: v for k, v in state.items() if k != EXTRA_JSON and not (_is_secret_attr(t, k) and k.endswith("_version"))
    }


@pytest.mark.parametrize("t", TYPES, ids=lambda t: t.terraform_name)
@settings(max_examples=SCALE or 1)  # some 15 requests each: the default run stays at 20-30 s
@given(data=st.data())
def test_plan_after_apply_is_empty(appliance_for: Callable[[TypeDef], Appliance], t: TypeDef,
                                   data: st.DataObject) -> None:  # fmt: skip
    on = appliance_for(t)
    provider, name = on.provider, t.resource_type
    first = data.draw(configuration(t, on), label="first")
    second = data.draw(configuration(t, on), label="second")
    provider.validate(name, first)  # the model holds both valid: the provider must take them
    provider.validate(name, second)
    state = provider.create(name, first)
    try:
        settled(provider, t, state, first, "create")
        _, replace = provider.plan_change(name, state, second)
        if replace and not t.is_singleton:
            provider.delete(name, state)
            state = provider.create(name, second)
        else:
            state = provider.update(name, state, second)
        settled(provider, t, state, second, "update")
    finally:
        with contextlib.suppress(ProviderError):
            provider.delete(name, state)
    count("settled plan: create, update, refresh, import")
