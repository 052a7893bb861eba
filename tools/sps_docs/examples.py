"""The CDKTF (Python) example of a resource page: a catalog example body written with the generated
structs, as `mypy --strict` accepts it (tests/unit/test_construct_examples.py runs them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sps_catalog.examples import builtin_key, is_builtin_ref, is_example_ref, is_sample_ref, sample_key
from sps_catalog.gen_constructs import Module, branch_suffix, camel, class_name
from sps_catalog.model import Catalog, TypeDef, Value


class _PythonExample:
    """An example body as Python using the generated structs (what mypy --strict accepts).
    Objects the example references (`{ref: ...}`, `{sample: ...}`) are created first."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self.classes: set[str] = {"Appliance"}
        self.prelude: list[str] = []
        self.variables: dict[str, str] = {}

    def construct(self, t: TypeDef, body: dict[str, Any], construct_id: str) -> str:
        cls = class_name(t)
        self.classes.add(cls)
        m = Module(self.cat, t)
        m.params(tuple(f for f in t.fields if not f.secret), cls)
        fields = {f.name: f for f in t.fields}
        args = ",\n".join(
            f"    {k}={self.value(m, fields[k], v, cls + camel(k)) if k in fields else repr(v)}"
            for k, v in body.items()
        )
        return f'{cls}(\n    sps,\n    "{construct_id}",\n{args},\n)'

    def variable(self, ref: str, make: Callable[[str], str]) -> str:
        if ref not in self.variables:
            name = re.sub(r"[^a-z0-9_]", "_", ref.lower().replace("/", "_"))
            self.variables[ref] = name
            self.prelude.append(f"{name} = {make(name)}")
        return self.variables[ref]

    def value(self, m: Module, spec: Value, v: Any, hint: str) -> str:
        cat = self.cat
        if v is None:
            return "None"
        if is_builtin_ref(v):
            t, name, _ = builtin_key(cat, v["builtin"])
            self.classes.add(class_name(t))
            return f'{class_name(t)}.builtin(sps, "{name}")'
        if is_example_ref(v):
            type_name, example = v["ref"].split("/", 1)
            return self.variable(
                v["ref"], lambda var: self.construct(cat[type_name], dict(cat[type_name].examples[example]), var)
            )
        if is_sample_ref(v):
            t, name, _ = sample_key(cat, v["sample"])
            self.classes.add(class_name(t))
            return self.variable(v["sample"], lambda var: f'{class_name(t)}(sps, "{var}", name="{name}")')
        if spec.type == "list" and spec.element is not None:
            hint = camel(spec.shape) if spec.shape else hint  # a shape's element struct is named after it
            return "[" + ", ".join(self.value(m, spec.element, x, hint) for x in v) + "]"
        if spec.type != "object":
            return repr(v)
        base = m.py_type(spec, hint)
        cls, branch = base, None
        if spec.union is not None:
            branch = spec.union.branch_name(v.get(spec.union.discriminator))
            cls = base + branch_suffix(spec.union, branch or "")
        self.classes.add(cls)
        args = []
        for f in spec.active_fields(branch):
            if f.secret:  # set through its write-only value and version
                args += [f"{n}={v[n]!r}" for n in (f.write_only_name, f.version_name) if n in v]
            elif f.name in v:
                args.append(f"{f.name}={self.value(m, f, v[f.name], base + camel(f.name))}")
        return f"{cls}({', '.join(args)})"


def python_example(cat: Catalog, t: TypeDef, body: dict[str, Any]) -> str:
    ex = _PythonExample(cat)
    main = ex.construct(t, body, "example")
    names = ",\n".join(f"    {c}" for c in sorted(ex.classes))
    prelude = "".join(f"{line}\n" for line in ex.prelude)
    return (
        f"from sps_constructs import (\n{names},\n)\n\n"
        'sps = Appliance(stack, "eu", url="https://sps-eu.example.net")\n'
        f"{prelude}{main}"
    )
