"""Invalid construct arguments fail when the construct is created, naming the construct path and
the attribute: the earliest layer that can see them, before synth and before any Terraform runs.

Each case is a catalog example in construct form (built-ins as their data-source constructs,
nested objects as mappings) broken in one place by the same mutations the other fuzz tests use;
in construct form a reference given as a key string, or as a construct of another type, is
itself the mistake.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from cdktf import App, TerraformStack
from hypothesis import given, settings
from hypothesis import strategies as st

import sps_constructs
from sps_catalog import TypeDef, load_catalog
from sps_catalog.examples import builtin_key, is_builtin_ref, is_example_ref, is_sample_ref, sample_key
from sps_catalog.gen_constructs import class_name
from sps_constructs import Appliance
from sps_constructs.errors import SpsConfigError
from tests.support.catalog_cases import (
    Mutation,
    apply_mutation,
    base_attrs,
    example_stand_in,
    fuzzable_types,
    invalid_mutation,
    is_invalid,
    resolved,
)
from tests.support.fuzzing import SCALE, count

CATALOG = load_catalog()
TYPES = fuzzable_types(constructs=True)
IDS = itertools.count()


class Scope:
    """One appliance for all cases; the objects examples reference are made once."""

    def __init__(self) -> None:
        self.stack = TerraformStack(App(outdir="/tmp/sps-construct-fuzz"), "fuzz")
        self.sps = Appliance(self.stack, "eu", url="https://sps-eu.example.net")
        self.by_key: dict[str, Any] = {}

    def construct_for(self, t: TypeDef, name: str, key: str, sample: bool) -> Any:
        """The construct a key stands for: a built-in lookup, or an object created by name."""
        if key not in self.by_key:
            cls = construct_class(t)
            self.by_key[key] = (
                cls(self.sps, f"sample_{len(self.by_key)}", name=name) if sample else cls.builtin(self.sps, name)
            )
        return self.by_key[key]

    def example_construct(self, ref: str) -> Any:
        """The object another example describes, created from that example."""
        key = example_stand_in(ref)
        if key not in self.by_key:
            type_name, example = ref.split("/", 1)
            body = dict(CATALOG[type_name].examples[example])
            args = self.as_args(body, resolved(body))
            self.by_key[key] = construct_class(CATALOG[type_name])(self.sps, f"example_{len(self.by_key)}", **args)
        return self.by_key[key]

    def as_args(self, example: Any, attrs: Any) -> Any:
        """`attrs` (keys for references) in construct form, following the example's references."""
        if is_example_ref(example):
            return self.example_construct(example["ref"]) if attrs == example_stand_in(example["ref"]) else attrs
        if is_builtin_ref(example) or is_sample_ref(example):
            sample = is_sample_ref(example)
            t, name, key = (sample_key if sample else builtin_key)(CATALOG, example["sample" if sample else "builtin"])
            return self.construct_for(t, name, key, sample) if attrs == key else attrs
        if isinstance(example, dict) and isinstance(attrs, dict):
            return {k: self.as_args(example.get(k), v) for k, v in attrs.items()}
        if isinstance(example, list) and isinstance(attrs, list):
            return [self.as_args(example[i] if i < len(example) else None, v) for i, v in enumerate(attrs)]
        return attrs


def construct_class(t: TypeDef) -> Any:
    return getattr(sps_constructs, class_name(t))


def other_type_construct(scope: Scope, key: Any) -> Any:
    """A wrong-type reference in construct form: the built-in construct that owns `key`."""
    for t in CATALOG:
        for b in t.builtins:
            if b.key == key and t.name_field and isinstance(b.body.get(t.name_field), str):
                return scope.construct_for(t, b.body[t.name_field], b.key, sample=False)
    return key


@pytest.fixture(scope="module")
def scope() -> Scope:
    return Scope()


def names_attribute(message: str, attribute: str, m: Mutation) -> bool:
    """The error's attribute is the broken one, or (for a dropped or mistyped object) on its path."""
    want = m.dotted()
    return attribute == want or attribute.startswith((want + ".", want + "[")) or want.startswith(attribute + ".")


@settings(max_examples=SCALE * 10 if SCALE else 15)  # no process, no request: cheap enough for many
@given(data=st.data(), t=st.sampled_from(TYPES))
def test_invalid_arguments_fail_at_construction_naming_the_attribute(scope: Scope, data: st.DataObject,
                                                                     t: TypeDef) -> None:  # fmt: skip
    attrs = base_attrs(t)
    m = data.draw(invalid_mutation(t, attrs))
    broken = apply_mutation(attrs, m)
    if not is_invalid(t, m, broken, python=True):
        return
    count("constructs: invalid arguments")
    args = scope.as_args(dict(t.examples["minimal"]), broken)
    if m.kind == "wrong_reference":
        parent = args
        for p in m.path[:-1]:
            parent = parent[p]
        parent[m.path[-1]] = other_type_construct(scope, m.value)
    cls = construct_class(t)
    construct_id = f"c{next(IDS)}"
    with pytest.raises((SpsConfigError, TypeError)) as caught:
        cls(scope.sps, construct_id, **args)
    err = caught.value
    if isinstance(err, SpsConfigError):
        assert err.where.startswith(f"fuzz/eu/{construct_id} ({t.resource_type})"), str(err)
        assert names_attribute(str(err), err.attribute, m), f"broken at {m.dotted()} ({m.kind}: {m.value!r}): {err}"
    else:  # Python's own check of keyword arguments: an unknown or missing top-level attribute
        assert m.path[0] in str(err) and len(m.path) == 1, f"broken at {m.dotted()} ({m.kind}): {err}"
