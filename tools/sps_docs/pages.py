"""Every page's context, rendered through the Jinja2 templates next to this module.

Attr names, types, flags and descriptions come from the served schema only; the catalog adds
what a schema cannot hold (endpoint, examples, built-ins, firmware versions, import).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from sps_catalog.endpoints import load_endpoints
from sps_catalog.examples import HclConfig, hcl_resource
from sps_catalog.firmware import limited_fields
from sps_catalog.generic import RESOURCE_TYPES, GenericKind, fits
from sps_catalog.model import Catalog, TypeDef
from sps_catalog.provider_settings import SETTINGS
from sps_catalog.values import dotted
from sps_constructs.appliance import Appliance
from sps_constructs.introspect import construct_classes
from sps_docs.examples import order_example, python_example
from sps_docs.schema import Block, ServedSchema, flags, group
from sps_provider.protocol.schema import Attr

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"
ORDER_EXAMPLE = ("first", "second", "third")
PROVIDER_EXAMPLES = {"hcl": "examples/two_appliances/main.tf", "python": "examples/cdktf/two_appliances.py"}

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=False,  # Markdown, not HTML
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ENV.filters["flags"] = flags


@dataclass(frozen=True)
class Section:
    """One block of the schema: the top level (`path` empty) or a nested object's attributes."""

    path: tuple[str, ...]
    groups: tuple[tuple[str, tuple[Attr, ...]], ...]

    @property
    def anchor(self) -> str:
        return "nestedatt--" + "--".join(self.path)

    def child_anchor(self, name: str) -> str:
        return "nestedatt--" + "--".join((*self.path, name))


def sections(attrs: tuple[Attr, ...], path: tuple[str, ...] = ()) -> list[Section]:
    """The block at `path`, then each nested object's block, depth first (the registry's layout)."""
    order = ("Required", "Optional", "Read-Only")
    groups = tuple((g, tuple(a for a in attrs if group(a) == g)) for g in order)
    out = [Section(path, tuple((g, members) for g, members in groups if members))]
    for a in attrs:
        if a.nested is not None:
            out += sections(a.nested, (*path, a.name))
    return out


def firmware(t: TypeDef) -> dict[str, Any]:
    return {
        "type": t.versions.describe() if t.versions.is_limited else "",
        "note": t.versions.note,
        "fields": [(dotted(p), f.versions.describe(), f.versions.note) for p, f in limited_fields(t.root)],
    }


def render(template: str, **context: Any) -> str:
    """The page, with runs of blank lines outside code blocks made one (the templates' optional
    sections leave them), so optional parts need no whitespace bookkeeping in the templates."""
    parts = ENV.get_template(template).render(**context).split("```")
    text = "```".join(re.sub(r"\n{3,}", "\n\n", p) if i % 2 == 0 else p for i, p in enumerate(parts))
    return text.strip("\n") + "\n"


def _type_page(template: str, t: TypeDef, block: Block, **context: Any) -> str:
    return render(
        template,
        source=f"the schema the provider serves and catalog/types/{t.terraform_name}.yaml",
        t=t,
        block=block,
        sections=sections(block.attributes),
        firmware=firmware(t),
        **context,
    )


def resource_page(cat: Catalog, t: TypeDef, block: Block) -> str:
    example = dict(t.examples.get("minimal") or {})
    cfg = HclConfig()
    hcl_resource(cat, t, "example", example, cfg)
    return _type_page(
        "resource.md.j2",
        t,
        block,
        python=python_example(cat, t, example),
        hcl=cfg.text().rstrip(),
        import_id=t.singleton_key if t.is_singleton else "<key>",
    )


def order_page(cat: Catalog, o: TypeDef, block: Block) -> str:
    collection = cat[o.orders or ""]
    return render(
        "order.md.j2",
        source=f"the schema the provider serves and catalog/types/{collection.terraform_name}.yaml (orders.py)",
        t=o,
        collection=collection,
        block=block,
        sections=sections(block.attributes),
        firmware=firmware(o),
        names=ORDER_EXAMPLE,
        python=order_example(cat, o, ORDER_EXAMPLE),
    )


def data_source_page(t: TypeDef, block: Block) -> str:
    names = [str(b.body.get(t.name_field)) for b in t.builtins] if t.name_field else []
    res, data = construct_classes()[t.terraform_name]
    owner = res or data
    assert owner is not None
    return _type_page(
        "data_source.md.j2", t, block, builtin_name=names[0] if names else None, class_name=owner.__name__
    )


def _read(rel: str) -> str:
    return (ROOT / rel).read_text().strip("\n")


def provider_page(cat: Catalog, block: Block) -> str:
    served = [a.name for a in block.attributes]
    if served != [s.name for s in SETTINGS]:
        raise ValueError(f"the served provider schema {served} is not sps_catalog.provider_settings")
    return render(
        "index.md.j2",
        source="the schema the provider serves and its settings (catalog/sps_catalog/provider_settings.py)",
        block=block,
        sections=sections(block.attributes),
        settings=SETTINGS,
        types=sorted(cat, key=lambda t: t.terraform_name),
        orders=sorted(cat.orders.values(), key=lambda t: t.terraform_name),
        examples={kind: (rel, _read(rel)) for kind, rel in PROVIDER_EXAMPLES.items()},
    )


def appliance_parameters() -> list[inspect.Parameter]:
    """`Appliance`'s keyword parameters, checked against the provider settings: same names, same
    order, the settings' Python types (`url` required, the rest optional)."""
    params = [p for p in inspect.signature(Appliance.__init__).parameters.values() if p.kind is p.KEYWORD_ONLY]
    expected = [(s.name, "str" if s.name == "url" else s.python) for s in SETTINGS]
    if [(p.name, p.annotation) for p in params] != expected:
        raise ValueError(f"Appliance's keyword parameters differ from the provider settings: expected {expected}")
    return params


def appliance_page() -> str:
    params = appliance_parameters()
    settings = {s.name: s for s in SETTINGS}
    return render(
        "appliance.md.j2",
        doc=inspect.getdoc(Appliance) or "",
        params=[(p, settings[p.name]) for p in params],
        source="the `Appliance` signature (constructs/sps_constructs/appliance.py) and the provider settings",
        example=PROVIDER_EXAMPLES["python"],
        example_text=_read(PROVIDER_EXAMPLES["python"]),
    )


GENERIC_EXAMPLES: dict[GenericKind, tuple[str, str]] = {
    "object": (
        'resource "sps_object" "analytics" {\n  path = "policies/analytics"\n  body = jsonencode({\n'
        '    name = "sessions"\n  })\n}',
        'SpsObject(sps, "analytics", path="policies/analytics", body={"name": "sessions"})',
    ),
    "settings": (
        'resource "sps_settings" "health" {\n  path = "management/health_monitoring"\n  body = jsonencode({\n'
        "    maximum_load1 = 8\n  })\n}",
        'SpsSettings(sps, "health", path="management/health_monitoring", body={"maximum_load1": 8})',
    ),
}


def generic_page(kind: GenericKind, block: Block) -> str:
    hcl, python = GENERIC_EXAMPLES[kind]
    return render(
        "generic.md.j2",
        source="the schema the provider serves and catalog/endpoints.yaml",
        name=RESOURCE_TYPES[kind],
        kind=kind,
        block=block,
        sections=sections(block.attributes),
        paths=[e for e in load_endpoints() if fits(e, kind)],
        hcl=hcl,
        python=(
            f"from sps_constructs import Appliance, {'SpsObject' if kind == 'object' else 'SpsSettings'}\n\n"
            f'sps = Appliance(stack, "eu", url="https://sps-eu.example.net")\n{python}'
        ),
        import_id="policies/analytics/<key>" if kind == "object" else "management/health_monitoring",
    )


def render_docs(cat: Catalog, served: ServedSchema) -> dict[str, str]:
    """{path relative to the repository: text} for every generated page."""
    resources = {t.resource_type for t in (*cat.managed, *cat.orders.values())} | set(RESOURCE_TYPES.values())
    data_sources = {t.resource_type for t in cat} | {RESOURCE_TYPES["object"]}
    if set(served.resources) != resources or set(served.data_sources) != data_sources:
        raise ValueError("the provider serves other resources or data sources than the catalog defines")
    out = {"docs/index.md": provider_page(cat, served.provider), "docs/appliance.md": appliance_page()}
    for kind, name in RESOURCE_TYPES.items():
        out[f"docs/resources/{name.removeprefix('sps_')}.md"] = generic_page(kind, served.resources[name])
    out["docs/data-sources/object.md"] = render(
        "generic_data_source.md.j2",
        source="the schema the provider serves",
        block=served.data_sources["sps_object"],
        sections=sections(served.data_sources["sps_object"].attributes),
    )
    for t in cat:
        if t.is_managed:
            out[f"docs/resources/{t.terraform_name}.md"] = resource_page(cat, t, served.resources[t.resource_type])
        out[f"docs/data-sources/{t.terraform_name}.md"] = data_source_page(t, served.data_sources[t.resource_type])
    for o in cat.orders.values():
        out[f"docs/resources/{o.terraform_name}.md"] = order_page(cat, o, served.resources[o.resource_type])
    return out
