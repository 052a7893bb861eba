"""The CDKTF (Python) example of a resource page: a catalog example body written with the classes
`sps_constructs` has (found through `sps_constructs.introspect`, as sps-export finds them), as
`mypy --strict` accepts it; tests/unit/test_construct_examples.py runs every page's example."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sps_catalog.examples import builtin_key, is_builtin_ref, is_example_ref, is_sample_ref, sample_key
from sps_catalog.model import Catalog, TypeDef, Value
from sps_constructs.introspect import construct_classes, hints_of, home, struct_for


class _PythonExample:
    """Objects the example references (`{ref: ...}`, `{sample: ...}`) are created first."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self.imports: dict[str, set[str]] = {"sps_constructs": {"Appliance"}}
        self.prelude: list[str] = []
        self.variables: dict[str, str] = {}

    def use(self, cls: type | None) -> str:
        assert cls is not None
        self.imports.setdefault(home(cls), set()).add(cls.__name__)
        return cls.__name__

    def construct(self, t: TypeDef, body: dict[str, Any], construct_id: str) -> str:
        cls = construct_classes()[t.terraform_name][0]
        hints = hints_of(cls, init=True) if cls is not None else {}
        fields = t.root.fields_by_name
        args = ",\n".join(
            f"    {k}={self.value(fields[k], v, hints[k]) if k in fields else repr(v)}" for k, v in body.items()
        )
        return f'{self.use(cls)}(\n    sps,\n    "{construct_id}",\n{args},\n)'

    def variable(self, ref: str, make: Callable[[str], str]) -> str:
        if ref not in self.variables:
            name = re.sub(r"[^a-z0-9_]", "_", ref.lower().replace("/", "_"))
            self.variables[ref] = name
            self.prelude.append(f"{name} = {make(name)}")
        return self.variables[ref]

    def value(self, spec: Value, v: Any, hint: Any) -> str:
        cat = self.cat
        if v is None:
            return "None"
        if is_builtin_ref(v):
            t, name, _ = builtin_key(cat, v["builtin"])
            res, data = construct_classes()[t.terraform_name]
            return f'{self.use(res or data)}.builtin(sps, "{name}")'
        if is_example_ref(v):
            type_name, example = v["ref"].split("/", 1)
            return self.variable(
                v["ref"], lambda var: self.construct(cat[type_name], dict(cat[type_name].examples[example]), var)
            )
        if is_sample_ref(v):
            t, name, _ = sample_key(cat, v["sample"])
            data = construct_classes()[t.terraform_name][1]
            return self.variable(v["sample"], lambda var: f'{self.use(data)}(sps, "{var}", name="{name}")')
        if spec.type == "list" and spec.element is not None:
            return "[" + ", ".join(self.value(spec.element, x, hint) for x in v) + "]"
        if spec.type != "object":
            return repr(v)
        cls = struct_for(hint, v)
        branch = spec.union.branch_name(v.get(spec.union.discriminator)) if spec.union is not None else None
        hints = hints_of(cls, init=False)
        args = []
        for f in spec.active_fields(branch):
            if f.secret:  # set through its write-only value and version
                args += [f"{n}={v[n]!r}" for n in (f.write_only_name, f.version_name) if n in v]
            elif f.name in v:
                args.append(f"{f.name}={self.value(f, v[f.name], hints[f.name])}")
        return f"{self.use(cls)}({', '.join(args)})"


def python_example(cat: Catalog, t: TypeDef, body: dict[str, Any]) -> str:
    ex = _PythonExample(cat)
    return _text(ex, ex.construct(t, body, "example"))


def order_example(cat: Catalog, o: TypeDef, names: tuple[str, ...]) -> str:
    """An order type's example: objects of its collection (its minimal example, renamed), then
    the order construct listing them."""
    ex = _PythonExample(cat)
    collection = cat[o.orders or ""]
    minimal = dict(collection.examples["minimal"])
    field = collection.name_field or "name"
    keys = [
        ex.variable(name, lambda var: ex.construct(collection, {**minimal, field: f"{minimal[field]}_{var}"}, var))
        for name in names
    ]
    return _text(ex, f'{ex.use(construct_classes()[o.terraform_name][0])}(sps, "example", keys=[{", ".join(keys)}])')


def _text(ex: _PythonExample, main: str) -> str:
    imports = "".join(
        f"from {module} import (\n" + "".join(f"    {name},\n" for name in sorted(names)) + ")\n"
        for module, names in sorted(ex.imports.items())
    )
    prelude = "".join(f"{line}\n" for line in ex.prelude)
    return f'{imports}\nsps = Appliance(stack, "eu", url="https://sps-eu.example.net")\n{prelude}{main}'
