"""Generate typed construct classes from the catalog: one module per catalog type, and one shared
module, `sps_constructs.shapes`, with one struct per shape (catalog/shapes) that every type using
the shape takes, so users learn `Network` or `ServerAddressFix` once.

Generated code only declares typed, keyword-only signatures and structs (one per union branch,
so e.g. a `fix` server address cannot be built without `address` and `port`); conversion and
validation live once in `sps_constructs.base`. A type's keyword arguments are a TypedDict
(`<Type>Args`, taken as `**args: Unpack[...]`, which mypy checks like named parameters); the
arguments every member of a catalog family shares, written alike, are declared once in
`sps_constructs.families` (`ConnectionPolicyArgs`), which each member's TypedDict extends, and
`extra_json`, which every resource takes, once in `sps_constructs.arguments` (`ResourceArgs`). The
text comes from the Jinja templates in `templates/constructs`; this module decides what they
show, imports included.
"""

from __future__ import annotations

import json
import keyword
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from sps_catalog.firmware import limited_fields
from sps_catalog.model import Catalog, Field, TypeDef, Union, Value, nodes
from sps_catalog.paths import dotted
from sps_catalog.scalars import SCALARS
from sps_catalog.secrets import version_description, write_only_description
from sps_catalog.unknown_fields import EXTRA_JSON, EXTRA_JSON_DESCRIPTION

META_ARGUMENTS = {"count", "provider", "lifecycle", "depends_on", "for_each", "connection", "provisioners"}
SHAPES_MODULE = "sps_constructs.shapes"
FAMILIES_MODULE = "sps_constructs.families"
TEMPLATES = Path(__file__).resolve().parent / "templates" / "constructs"


def camel(s: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in s.replace("-", "_").split("_") if p)


def class_name(t: TypeDef) -> str:
    return camel(t.terraform_name)


def ref_alias(t: TypeDef) -> str:
    return f"{class_name(t)}Ref"


def doc(text: str, indent: int) -> str:
    """`text` as a docstring at `indent`, wrapped at 100 columns."""
    pad = " " * indent
    body = textwrap.fill(
        text.replace('"""', "'''").replace("\\", "\\\\"), 100 - indent, initial_indent="", subsequent_indent=pad
    )
    return f'{pad}"""{body}"""'


@dataclass(frozen=True)
class Param:
    """A keyword parameter (a struct's field): the template writes `name: hint`, and `| None =
    None` when it is optional."""

    name: str
    hint: str
    optional: bool
    doc: str


EXTRA_JSON_PARAM = Param(EXTRA_JSON, "Mapping[str, Any]", True, EXTRA_JSON_DESCRIPTION)
META_PARAMS = (
    Param(
        "depends_on",
        "Sequence[cdk.ITerraformDependable]",
        True,
        "Terraform's `depends_on`: what must be applied before this resource beyond what it references.",
    ),
    Param(
        "lifecycle",
        "cdk.TerraformResourceLifecycle",
        True,
        "Terraform's `lifecycle` block (`create_before_destroy`, `prevent_destroy`, `ignore_changes`, ...).",
    ),
)
META_ARGS = "MetaArgs"
"""The TypedDict of Terraform's meta-arguments every resource construct takes (order resources too)."""
RESOURCE_ARGS = "ResourceArgs"
"""The TypedDict of the keyword argument every resource takes (`extra_json`), in the arguments
module: below the shapes and the families, which the shapes' types do not import."""


@dataclass(frozen=True)
class SharedStruct:
    """The fields of a nested object (a family's slot, e.g. `policies`) that every member writes
    alike: the base struct `name` in the families module, which each member's struct extends."""

    name: str
    field: str
    fields: frozenset[str]


@dataclass(frozen=True)
class FamilyArgs:
    """The keyword arguments every managed member of a catalog family takes alike: the TypedDict
    `name` in the families module, and the fields it covers (each member's own TypedDict leaves
    them out); and the base structs of the nested objects its members share in part."""

    family: str
    name: str
    fields: frozenset[str]
    params: tuple[Param, ...]
    structs: tuple[SharedStruct, ...] = ()


@dataclass(frozen=True)
class Struct:
    """A dataclass for an object, or for one branch of an object's union."""

    name: str
    doc: str
    branch: tuple[str, Any] | None
    params: tuple[Param, ...]
    base: str = "SpsStruct"


@dataclass(frozen=True)
class Alias:
    """The union of an object's branch structs."""

    name: str
    members: tuple[str, ...]


@dataclass
class Module:
    """What one generated module declares and what it uses. A type's module takes the structs of
    shapes from the shapes module (`owns_shapes` False); the shapes module defines them."""

    cat: Catalog
    t: TypeDef | None
    owns_shapes: bool = False
    items: list[Struct | Alias] = field(default_factory=list)
    seen: dict[tuple[str | None, str], str] = field(default_factory=dict)
    refs: set[str] = field(default_factory=set)
    shapes: set[str] = field(default_factory=set)
    typing: set[str] = field(default_factory=set)
    abc: set[str] = field(default_factory=set)
    bases: dict[str, SharedStruct] = field(default_factory=dict)
    """Struct name -> the family's base struct it extends (it leaves out the base's fields)."""

    @property
    def names(self) -> list[str]:
        return [item.name for item in self.items]

    def py_type(self, f: Value, name_hint: str, shape: str | None = None) -> str:
        """The Python type of `f`; structs are named `name_hint` (a shape's: after the shape)."""
        if f.shape is not None:
            shape, name_hint = f.shape, camel(f.shape)
        if f.enum is not None and f.type in ("string", "int"):
            self.typing.add("Literal")
            return f"Literal[{', '.join(json.dumps(e) for e in f.enum)}]"  # mypy then rejects other values
        if f.type in SCALARS and (f.type != "reference" or f.is_inner_reference):
            return SCALARS[f.type].python  # a key pointing inside an object (nic1.interfaces.<id>.addresses.<n>)
        if f.type == "reference":
            target = self.cat[f.target or ""]
            if self.t is None or target.terraform_name != self.t.terraform_name:
                self.refs.add(target.terraform_name)
            return ref_alias(target)
        if f.type == "list":
            assert f.element is not None
            self.abc.add("Sequence")
            return f"Sequence[{self.py_type(f.element, name_hint, shape)}]"
        return self.struct(f, name_hint, shape)

    def struct(self, v: Value, name: str, shape: str | None = None) -> str:
        if shape is not None and not self.owns_shapes:
            self.shapes.add(name)
            return name
        key = (shape, repr((v.fields, v.union)))  # structurally equal objects (YAML anchors) share one class
        if key in self.seen:
            return self.seen[key]
        self.seen[key] = name
        shared = self.bases.get(name)
        if v.union is None and shared is not None:
            own = tuple(f for f in v.fields if f.name not in shared.fields)
            text = f"Nested object `{name}` (and `{shared.name}`'s fields)."
            self.emit_struct(name, name, own, None, text, base=shared.name)
            return name
        if v.union is None:
            self.emit_struct(name, name, v.fields, None, f"Nested object `{name}`.")
            return name
        u = v.union
        branches: list[str] = []
        for branch, bfields in u.branches.items():
            value = (branch == "true") if u.is_bool else branch
            cls = f"{name}{branch_suffix(u, branch)}"
            self.emit_struct(
                cls,
                name,
                v.fields + bfields,
                (u.discriminator, value),
                f"`{u.discriminator} = {str(value).lower() if u.is_bool else value}`. {u.description}",
            )
            branches.append(cls)
        self.items.append(Alias(name, tuple(branches)))
        return name

    def params(self, fields: tuple[Field, ...], prefix: str) -> list[Param]:
        """The parameters for `fields`: required ones first, as Python demands. A secret
        reference becomes its write-only value and version (`x_wo`, `x_wo_version`)."""
        required: list[Param] = []
        optional: list[Param] = []
        for f in fields:
            check_name(self.t, f.name)
            if f.secret:
                optional += [
                    Param(f.write_only_name, "str", True, f"{write_only_description(f)} {f.description}"),
                    Param(f.version_name, "int", True, version_description(f)),
                ]
                continue
            param = Param(f.name, self.py_type(f, prefix + camel(f.name)), not f.must_be_given, f.description)
            (optional if param.optional else required).append(param)
        return required + optional

    def emit_struct(
        self,
        name: str,
        prefix: str,
        fields: tuple[Field, ...],
        branch: tuple[str, Any] | None,
        text: str,
        base: str = "SpsStruct",
    ) -> None:
        if branch is not None:
            self.typing.update(("Any", "ClassVar"))
        self.items.append(Struct(name, text, branch, tuple(self.params(fields, prefix)), base))

    def args_typing(self, params: list[Param], *, extends: str | None) -> None:
        """What a TypedDict of `params` needs: `Required` for the required ones, `TypedDict` when it
        extends no family's, `Mapping` and `Any` for `extra_json`."""
        self.typing |= {"Required"} if any(not p.optional for p in params) else set()
        self.typing |= {"TypedDict"} if extends is None else set()
        if EXTRA_JSON_PARAM in params:
            self.abc.add("Mapping")
            self.typing.add("Any")

    def imports(
        self,
        *,
        managed: bool = False,
        data_source: bool = False,
        builtins: bool = False,
        family: str | None = None,
    ) -> dict[str, Any]:
        """What the module imports, for the template (grouped and ordered as ruff's isort wants)."""
        type_only = [("sps_constructs.appliance", ["Appliance"])] if builtins else []
        type_only += [(f"sps_constructs.types.{r}", [ref_alias(self.cat[r])]) for r in sorted(self.refs)]
        typing = set(self.typing) | ({"ClassVar", "Unpack"} if managed else {"ClassVar"} if data_source else set())
        typing |= {"Literal"} if builtins else set()
        typing |= {"TYPE_CHECKING"} if type_only else set()
        abc = set(self.abc)
        base = [n for n, used in (("SpsDataSource", data_source), ("SpsResource", managed)) if used]
        struct_bases = {item.base for item in self.items if isinstance(item, Struct)}
        return {
            "arguments": [family] if family in (META_ARGS, RESOURCE_ARGS) else [],
            "families": [family] if family and family not in (META_ARGS, RESOURCE_ARGS) else [],
            "dataclasses": any(isinstance(item, Struct) for item in self.items),
            "abc": sorted(abc),
            "typing": sorted(typing, key=lambda n: (n != "TYPE_CHECKING", n)),
            "constructs": managed,
            "base": [*base, *(["SpsStruct"] if "SpsStruct" in struct_bases else [])],
            "struct_bases": sorted(struct_bases - {"SpsStruct"}),
            "cdk": False,
            "generic": data_source,  # a type's reference alias takes the generic constructs too
            "shapes": sorted(self.shapes),
            "type_only": type_only,
        }


def branch_suffix(union: Union, branch: str) -> str:
    """How a union branch's struct is named after its object: `...Enabled`, `...Fix`."""
    if union.is_bool:
        return "Enabled" if branch == "true" else "Disabled"
    return camel(branch)


def check_name(t: TypeDef | None, name: str) -> None:
    if name in META_ARGUMENTS or keyword.iskeyword(name):
        where = t.terraform_name if t is not None else "a shape"
        raise ValueError(f"{where}: field {name!r} clashes with a Terraform meta-argument or Python keyword")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["doc"] = doc
    env.filters["json"] = json.dumps
    env.filters["pyrepr"] = repr
    return env


def family_args(cat: Catalog) -> dict[str, FamilyArgs]:
    """For each catalog family with two or more managed members: the fields whose keyword
    arguments (name, type, optional, description) are alike in every member, in the first
    member's order."""
    members: dict[str, list[TypeDef]] = {}
    for t in cat.managed:
        if t.family is not None:
            members.setdefault(t.family, []).append(t)
    out: dict[str, FamilyArgs] = {}
    for family, types in sorted(members.items()):
        if len(types) < 2:
            continue
        written = [{f.name: Module(cat, t).params((f,), class_name(t)) for f in t.fields} for t in types]
        alike = [name for name, params in written[0].items() if all(w.get(name) == params for w in written[1:])]
        params = tuple(p for name in alike for p in written[0][name])
        shared = [_shared_struct(cat, family, name, types) for name in written[0] if name not in alike]
        structs = tuple(s for s in shared if s is not None)
        out[family] = FamilyArgs(family, f"{camel(family)}Args", frozenset(alike), params, structs)
    return out


def _shared_struct(cat: Catalog, family: str, name: str, types: list[TypeDef]) -> SharedStruct | None:
    """The fields of nested object `name` that every member of `family` writes alike, if any (an
    object without union or shape that every member has)."""
    objects = [t.root.fields_by_name.get(name) for t in types]
    if any(f is None or f.type != "object" or f.union is not None or f.shape is not None for f in objects):
        return None
    written = [
        {sub.name: Module(cat, t).params((sub,), class_name(t) + camel(name)) for sub in f.fields}
        for t, f in zip(types, objects, strict=True)
        if f is not None
    ]
    alike = frozenset(n for n, params in written[0].items() if all(w.get(n) == params for w in written[1:]))
    return SharedStruct(f"{camel(family)}{camel(name)}", name, alike) if alike else None


def render_module(
    env: jinja2.Environment, cat: Catalog, t: TypeDef, families: dict[str, FamilyArgs]
) -> tuple[str, list[str]]:
    """The module of `t` and the names it exports."""
    m = Module(cat, t)
    cls = class_name(t)
    extends = families.get(t.family or "")
    base = extends.name if extends is not None else RESOURCE_ARGS
    if extends is not None and t.is_managed:
        m.bases = {cls + camel(shared.field): shared for shared in extends.structs}
    params: list[Param] = []
    if t.is_managed:
        params = m.params(tuple(f for f in t.fields if extends is None or f.name not in extends.fields), cls)
        m.args_typing(params, extends=base)
    builtins = [str(b.body.get(t.name_field or "name")) for b in t.builtins if t.name_field]
    managed = [cls, f"{cls}Args", f"Data{cls}"] if t.is_managed else [cls]
    exported = sorted([*m.names, *managed, ref_alias(t)])
    text = env.get_template("type_module.py.j2").render(
        t=t,
        cls=cls,
        ref=ref_alias(t),
        params=params,
        extends=extends,
        builtins=builtins,
        firmware_note=_firmware_note(t),
        items=m.items,
        exported=exported,
        imports=m.imports(
            managed=t.is_managed, data_source=True, builtins=bool(builtins), family=base if t.is_managed else None
        ),
    )
    return text, exported


def render_families(env: jinja2.Environment, cat: Catalog, families: dict[str, FamilyArgs]) -> tuple[str, list[str]]:
    """The families module: one TypedDict per family of the arguments its members share."""
    m = Module(cat, None)
    for args in families.values():
        first = next(t for t in cat.managed if t.family == args.family)
        for shared in args.structs:
            obj = first.root.fields_by_name[shared.field]
            fields = tuple(f for f in obj.fields if f.name in shared.fields)
            text = f"The `{shared.field}` every {args.family.replace('_', ' ')} construct's own extends."
            m.emit_struct(shared.name, shared.name, fields, None, text)
        m.params(tuple(f for f in first.fields if f.name in args.fields), class_name(first))
        m.args_typing(list(args.params), extends=RESOURCE_ARGS)
    exported = sorted([*(args.name for args in families.values()), *m.names])
    imports = m.imports()
    imports["arguments"] = [RESOURCE_ARGS]
    text = env.get_template("families.py.j2").render(
        resource_args=RESOURCE_ARGS, families=list(families.values()), items=m.items, exported=exported, imports=imports
    )
    return text, exported


def render_arguments(env: jinja2.Environment, cat: Catalog) -> tuple[str, list[str]]:
    """The arguments module: the TypedDicts of Terraform's meta-arguments, which every resource
    takes, and of `extra_json`, which every resource of a catalog type takes."""
    m = Module(cat, None)
    m.abc.add("Sequence")
    m.args_typing([EXTRA_JSON_PARAM], extends=None)
    imports = m.imports()
    imports["cdk"] = True
    exported = [META_ARGS, RESOURCE_ARGS]
    text = env.get_template("arguments.py.j2").render(
        meta_args=META_ARGS,
        meta=META_PARAMS,
        resource_args=RESOURCE_ARGS,
        extra_json=EXTRA_JSON_PARAM,
        exported=exported,
        imports=imports,
    )
    return text, exported


def render_order_module(env: jinja2.Environment, cat: Catalog, t: TypeDef) -> tuple[str, list[str]]:
    """The module of an order type (`sps_catalog.orders`): one resource class taking the ordered
    collection's constructs (no data source, no extra_json: an order is a list of keys)."""
    m = Module(cat, t)
    cls = class_name(t)
    params = m.params(t.fields, cls)
    m.args_typing(params, extends=META_ARGS)
    text = env.get_template("order_module.py.j2").render(
        t=t,
        cls=cls,
        params=params,
        firmware_note=_firmware_note(t),
        exported=[cls, f"{cls}Args"],
        imports=m.imports(managed=True, family=META_ARGS),
    )
    return text, [cls, f"{cls}Args"]


def _firmware_note(t: TypeDef) -> str:
    """The firmware versions the catalog gives for `t` and its fields (the provider refuses others at plan)."""
    notes = [t.versions.describe()] if t.versions.is_limited else []
    notes += [f"`{'.'.join(p)}` {f.versions.describe()}" for p, f in limited_fields(t.root)]
    return f" SPS firmware: {'; '.join(notes)}." if notes else ""


def shapes_in_use(cat: Catalog) -> dict[str, Value]:
    """Every shape a type uses, with its definition (each use of a shape must have the same structure)."""
    found: dict[str, Value] = {}
    for t in cat:
        for path, v in nodes(t.root):
            if v.shape is None or v.type not in ("object", "list"):
                continue
            first = found.setdefault(v.shape, v)
            if (first.element, first.fields, first.union) != (v.element, v.fields, v.union):
                where = dotted((t.terraform_name, *path))
                raise ValueError(f"{where}: shape {v.shape} differs in structure from its first use")
    return found


def render_shapes(env: jinja2.Environment, cat: Catalog) -> tuple[str, list[str]]:
    m = Module(cat, None, owns_shapes=True)
    for name, v in sorted(shapes_in_use(cat).items()):
        m.py_type(v, camel(name), name)
    exported = sorted(m.names)
    text = env.get_template("shapes.py.j2").render(items=m.items, exported=exported, imports=m.imports())
    return text, exported


def render_constructs(cat: Catalog) -> dict[str, str]:
    """{relative path: text} for every generated constructs module. Every name is exported once
    from `sps_constructs` (a shape's struct and a type's class of the same name would shadow)."""
    env = _environment()
    files: dict[str, str] = {}
    owner: dict[str, str] = {}
    families = family_args(cat)
    modules = [("constructs/sps_constructs/shapes.py", *render_shapes(env, cat))]
    modules += [("constructs/sps_constructs/arguments.py", *render_arguments(env, cat))]
    modules += [("constructs/sps_constructs/families.py", *render_families(env, cat, families))]
    modules += [
        (f"constructs/sps_constructs/types/{t.terraform_name}.py", *render_module(env, cat, t, families)) for t in cat
    ]
    orders = sorted(cat.orders.values(), key=lambda t: t.terraform_name)
    modules += [
        (f"constructs/sps_constructs/types/{t.terraform_name}.py", *render_order_module(env, cat, t)) for t in orders
    ]
    for path, text, exported in modules:
        for name in exported:
            if name in owner:
                raise ValueError(f"{name} is generated twice: {owner[name]} and {path}")
            owner[name] = path
        files[path] = text
    files["constructs/sps_constructs/types/__init__.py"] = env.get_template("types_init.py.j2").render(
        modules=sorted([*cat.types, *cat.orders])
    )
    return files
