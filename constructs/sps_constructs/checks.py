"""Synth-time checks that need the whole construct tree: an Aspect added once per stack.

Per-construct mistakes are caught when the construct is created; what only the full tree
shows is checked here: two objects of one type with the same name on one appliance (SPS
refuses the second), two appliances that would share a provider alias, and references set
through an escape hatch (`add_override`), which bypass the constructor: each must name a
construct of the referenced type (an SSH connection policy's channel policy is an SSH one, not
RDP's) on the same appliance, as references given to the constructor must.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import constructs
import jsii

from sps_catalog import load_catalog
from sps_catalog.model import Value
from sps_catalog.values import Path, dotted, validate
from sps_constructs.cdk import cdk
from sps_constructs.errors import SpsConfigError
from sps_constructs.tokens import is_unresolved

if TYPE_CHECKING:
    from sps_constructs.base import SpsDataSource, SpsResource

# A resolved reference to another construct's key: `${sps_x.<id>.key}` or `${data.sps_x.<id>.key}`.
_KEY_REFERENCE = re.compile(r"\$\{((?:data\.)?sps_\w+\.\w+)\.key\}")


@jsii.implements(cdk.IAspect)
class SpsChecks:
    def __init__(self) -> None:
        self.names: dict[tuple[int, str, str], constructs.IConstruct] = {}
        self.aliases: dict[str, str] = {}
        self.addresses: dict[str, SpsResource | SpsDataSource] | None = None

    @staticmethod
    def ensure(stack: cdk.TerraformStack) -> None:
        if not getattr(stack, "_sps_checks_added", False):
            stack._sps_checks_added = True  # type: ignore[attr-defined]
            cdk.Aspects.of(stack).add(SpsChecks())

    def visit(self, node: constructs.IConstruct) -> None:
        from sps_constructs.appliance import Appliance
        from sps_constructs.base import SpsResource

        if isinstance(node, Appliance):
            other = self.aliases.setdefault(node.node.id, node.node.path)
            if other != node.node.path:
                raise SpsConfigError(
                    node.node.path,
                    "id",
                    f"appliance id {node.node.id!r} is also used by {other}; "
                    "each appliance needs its own provider alias",
                )
        if isinstance(node, SpsResource):
            if node._raw_overrides:
                self.check_overridden_references(node)
            t = node.sps_type
            name: Any = node.sps_attributes.get(t.name_field or "") if t.name_field else None
            if isinstance(name, str) and not is_unresolved(name):
                slot = (id(node.appliance), t.terraform_name, name)
                first = self.names.setdefault(slot, node)
                if first is not node:
                    raise SpsConfigError(
                        node.node.path,
                        t.name_field or "name",
                        f"{t.resource_type} named {name!r} is also defined by {first.node.path} on appliance "
                        f"{node.appliance.node.id!r}; SPS names must be unique",
                    )

    def check_overridden_references(self, node: SpsResource) -> None:
        """The references of an overridden resource, as Terraform will receive them."""
        t = node.sps_type
        stack = cdk.TerraformStack.of(node)
        resolver = cdk.DefaultTokenResolver(cdk.StringConcat())
        synthesized = cdk.Tokenization.resolve(node.to_terraform(), scope=stack, preparing=False, resolver=resolver)
        body = synthesized["resource"][t.resource_type][node.friendly_unique_id]
        addresses = self.element_addresses(stack)

        def check(spec: Value, key: str, at: Path) -> str | None:
            from sps_constructs.base import reference_problem

            found = _KEY_REFERENCE.fullmatch(key)
            element = addresses.get(found.group(1)) if found else None
            target = load_catalog()[spec.target] if spec.target else None
            if element is not None and target and (problem := reference_problem(target, element, node.appliance)):
                raise SpsConfigError(f"{node.node.path} ({t.resource_type})", dotted(at), problem)
            return None

        validate(t.root, {k: v for k, v in body.items() if k in t.field_names}, reference_check=check)

    def element_addresses(self, stack: cdk.TerraformStack) -> dict[str, SpsResource | SpsDataSource]:
        """The SPS constructs of the stack by Terraform address (`sps_x.<id>`, `data.sps_x.<id>`)."""
        from sps_constructs.base import SpsDataSource, SpsResource

        if self.addresses is None:
            self.addresses = {}
            for c in stack.node.find_all():
                if isinstance(c, (SpsResource, SpsDataSource)):
                    prefix = "data." if isinstance(c, SpsDataSource) else ""
                    self.addresses[f"{prefix}{c.terraform_resource_type}.{c.friendly_unique_id}"] = c
        return self.addresses
