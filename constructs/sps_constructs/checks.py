"""Synth-time checks that need the whole construct tree: an Aspect added once per stack.

Per-construct mistakes are caught when the construct is created; what only the full tree
shows is checked here: two objects of one type with the same name on one appliance (SPS
refuses the second), and two appliances that would share a provider alias.
"""

from __future__ import annotations

from typing import Any

import constructs
import jsii

from sps_constructs.cdk import cdk
from sps_constructs.errors import SpsConfigError
from sps_constructs.tokens import is_unresolved


@jsii.implements(cdk.IAspect)
class SpsChecks:
    def __init__(self) -> None:
        self.names: dict[tuple[int, str, str], constructs.IConstruct] = {}
        self.aliases: dict[str, str] = {}

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
