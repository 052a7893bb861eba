"""Fuzz cases generated from the catalog: a valid base body per type (its minimal example with
built-ins resolved) and hypothesis strategies that break it in one place, remembering where."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from sps_catalog import TypeDef, Value, load_catalog
from sps_catalog.examples import builtin_key, is_builtin_ref, is_example_ref, is_sample_ref, sample_key
from sps_catalog.values import apply_defaults, dotted, validate
from sps_catalog.walk import fields_of

Path = tuple[str | int, ...]


def example_stand_in(ref: str) -> str:
    """The key standing for the object another example makes (`{ref: type/example}`), for the
    constructs' fuzzing, which creates that object; no appliance holds it."""
    return f"example:{ref}"


def resolved(v: Any) -> Any:
    """An example with its references as keys."""
    cat = load_catalog()
    if is_builtin_ref(v):
        return builtin_key(cat, v["builtin"])[2]
    if is_sample_ref(v):
        return sample_key(cat, v["sample"])[2]
    if is_example_ref(v):
        return example_stand_in(v["ref"])
    if isinstance(v, dict):
        return {k: resolved(x) for k, x in v.items()}
    if isinstance(v, list):
        return [resolved(x) for x in v]
    return v


def _has(v: Any, pred: Any) -> bool:
    if pred(v):
        return True
    if isinstance(v, dict):
        return any(_has(x, pred) for x in v.values())
    if isinstance(v, list):
        return any(_has(x, pred) for x in v)
    return False


def fuzzable_types(constructs: bool = False) -> list[TypeDef]:
    """Managed, typed types with a minimal example. Requests and Terraform runs take only those
    whose example stands alone (references no other example, has no secret); the constructs'
    fuzzing takes all, as it creates the referenced objects itself."""
    out = []
    for t in load_catalog():
        example = t.examples.get("minimal")
        if not (t.is_managed and t.is_typed and example):
            continue
        if not constructs and (t.secrets or _has(example, is_example_ref)):
            continue
        out.append(t)
    return out


def base_attrs(t: TypeDef) -> dict[str, Any]:
    """The minimal example in Terraform attribute form, references as keys."""
    attrs: dict[str, Any] = resolved(copy.deepcopy(dict(t.examples["minimal"])))
    return attrs


def _spec_paths(spec: Value, v: Any, at: Path) -> Iterator[tuple[Path, Value]]:
    """Every (path, spec) present in `v`, following only the branch it uses."""
    if spec.type == "object" and isinstance(v, dict):
        for f in fields_of(spec, v, "active"):
            if f.name in v:
                yield (*at, f.name), f
                yield from _spec_paths(f, v[f.name], (*at, f.name))
    elif spec.type == "list" and isinstance(v, list) and spec.element is not None:
        for i, el in enumerate(v):
            yield (*at, i), spec.element
            yield from _spec_paths(spec.element, el, (*at, i))


def has_reference(t: TypeDef) -> bool:
    """Whether the minimal example holds a reference (which the reference kinds can break)."""
    return any(spec.type == "reference" for _, spec in _spec_paths(t.root, base_attrs(t), ()))


@dataclass(frozen=True)
class Mutation:
    path: Path
    kind: str
    value: Any = None
    spec_type: str = ""

    def terraform_converts(self) -> bool:
        """Whether Terraform's own type conversion turns the value into a valid type (a number
        or bool given for a string, a string for a number or bool), so it may not be an error."""
        if self.kind != "wrong_type":
            return False
        if self.spec_type in ("string", "reference"):
            return isinstance(self.value, (int, float, bool))
        return self.spec_type in ("int", "bool") and isinstance(self.value, str)

    def dotted(self) -> str:
        return dotted(self.path)


NON_INTEGRAL_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f != int(f))
WRONG_TYPE_VALUES = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
BAD_STRINGS = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "a b",
            "\t",
            "名前 空白",
            "x" * 20_000,
            "\u0000",
            "999.1.1.1/33",
            "10.0.0.0/99",
            "25:61",
            "not-an-ip",
            "-1",
            "${var.x}",
            "%s%n",
            "../../etc",
        ]
    ),
)


def _wrong_for(spec: Value) -> st.SearchStrategy[Any]:
    """Values a field of this spec must refuse."""
    if spec.type in ("string", "reference"):
        return WRONG_TYPE_VALUES.filter(lambda v: not isinstance(v, str))
    if spec.type == "int":
        low, high = spec.min, spec.max
        out_of_range = []
        if low is not None:
            out_of_range.append(st.integers(max_value=int(low) - 1, min_value=int(low) - 10**6))
        if high is not None:
            out_of_range.append(st.integers(min_value=int(high) + 1, max_value=int(high) + 10**6))
        return st.one_of(st.text(max_size=5), st.booleans(), NON_INTEGRAL_FLOATS,
                         *out_of_range)  # fmt: skip
    if spec.type == "bool":
        return st.one_of(st.text(max_size=5), st.integers(min_value=2))
    if spec.type == "list":
        return st.one_of(st.text(max_size=5), st.integers(), st.booleans())
    return st.one_of(st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=2))


REFERENCE_KINDS = ("missing_reference", "wrong_reference")


@st.composite
def invalid_mutation(
    draw: st.DrawFn, t: TypeDef, attrs: dict[str, Any], kinds: tuple[str, ...] | None = None
) -> Mutation:
    """One change that makes `attrs` invalid for `t`, with the path it breaks; `kinds` limits
    the kinds of change (the reference kinds need a reference in `attrs`)."""
    paths = list(_spec_paths(t.root, attrs, ()))
    choices = ["wrong_type", "extra_field"]
    if paths:
        choices += ["wrong_type", "bad_string", "drop_required", *REFERENCE_KINDS]
    kind = draw(st.sampled_from([k for k in choices if kinds is None or k in kinds]))
    if kind == "extra_field":
        return Mutation((draw(st.sampled_from(["unknown_field", "zz_extra", "Name", "name "])),), kind, 1)
    path, spec = draw(st.sampled_from(paths))
    if kind == "drop_required":
        required = [(p, s) for p, s in paths if getattr(s, "required", False) and not isinstance(p[-1], int)]
        if not required:
            kind = "wrong_type"
        else:
            return Mutation(draw(st.sampled_from(required))[0], kind)
    refs = [(p, s) for p, s in paths if s.type == "reference"]
    if kind in ("missing_reference", "wrong_reference") and refs:
        path, spec = draw(st.sampled_from(refs))
        if kind == "missing_reference":
            return Mutation(path, kind, "no-such-key-" + draw(st.text("abcdef0123456789", min_size=4, max_size=8)))
        others = [b.key for o in load_catalog() if o.terraform_name != spec.target for b in o.builtins]
        return Mutation(path, kind, draw(st.sampled_from(others)))
    if kind == "bad_string":
        constrained = [(p, s) for p, s in paths if s.type == "string" and (s.format or s.enum)]
        if constrained:
            path, spec = draw(st.sampled_from(constrained))
            allowed = set(spec.enum or ())
            return Mutation(path, kind, draw(BAD_STRINGS.filter(lambda v: v not in allowed)))
    return Mutation(path, "wrong_type", draw(_wrong_for(spec)), spec.type)


def is_invalid(t: TypeDef, m: Mutation, attrs: dict[str, Any], python: bool = False) -> bool:
    """Whether the catalog refuses the mutated attributes (a random string may happen to be
    valid). Terraform converts some wrong types itself; Python arguments (`python`) are not
    converted, and an unknown keyword is an error there."""
    if m.kind == "extra_field":
        return python
    if m.terraform_converts() and not python:
        return False
    try:
        return bool(validate(t.root, apply_defaults(t.root, attrs)))
    except (TypeError, AttributeError, KeyError):
        return True  # the shape itself is wrong: Terraform's type check refuses it


def apply_mutation(attrs: dict[str, Any], m: Mutation) -> dict[str, Any]:
    out = copy.deepcopy(attrs)
    parent: Any = out
    for p in m.path[:-1]:
        parent = parent[p]
    last = m.path[-1]
    if m.kind == "drop_required":
        del parent[last]
    else:
        parent[last] = m.value
    return out
