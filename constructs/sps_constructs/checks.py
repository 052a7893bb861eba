"""Synth-time checks that need the whole construct tree: an Aspect added once per stack.

Per-construct mistakes are caught when the construct is created; what only the full tree
shows is checked here: two objects of one type with the same name on one appliance (SPS
refuses the second), two appliances that would share a provider alias, and references set
through an escape hatch (`add_override`), which bypass the constructor: each must name a
construct of the referenced type (an SSH connection policy's channel policy is an SSH one, not
RDP's) on the same appliance, as references given to the constructor must.

Each rule lives with the construct it is about (`Appliance.check_in_tree`,
`SpsResource.check_in_tree`); the aspect visits the tree, calls them, and holds what they claim.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol, runtime_checkable

import constructs
import jsii

from sps_constructs.cdk import cdk


@runtime_checkable
class TreeChecked(Protocol):
    """A construct with rules only the whole tree can check."""

    def check_in_tree(self, checks: SpsChecks) -> None: ...


@jsii.implements(cdk.IAspect)
class SpsChecks:
    def __init__(self) -> None:
        self.claims: dict[Hashable, constructs.IConstruct] = {}
        self.addresses: dict[str, constructs.IConstruct] | None = None

    @staticmethod
    def ensure(stack: cdk.TerraformStack) -> None:
        if not getattr(stack, "_sps_checks_added", False):
            stack._sps_checks_added = True  # type: ignore[attr-defined]
            cdk.Aspects.of(stack).add(SpsChecks())

    def visit(self, node: constructs.IConstruct) -> None:
        if isinstance(node, TreeChecked):
            node.check_in_tree(self)

    def first(self, claim: Hashable, node: constructs.IConstruct) -> constructs.IConstruct:
        """The construct that claimed `claim` (an alias, a name on an appliance) first in this
        tree: `node` itself unless another construct did."""
        return self.claims.setdefault(claim, node)

    def element_addresses(self, stack: cdk.TerraformStack) -> dict[str, constructs.IConstruct]:
        """The stack's SPS resources and data sources by Terraform address (`sps_x.<id>`,
        `data.sps_x.<id>`), found once."""
        if self.addresses is None:
            self.addresses = {}
            for c in stack.node.find_all():
                if isinstance(c, (cdk.TerraformResource, cdk.TerraformDataSource)):
                    kind = c.terraform_resource_type
                    if kind.startswith("sps_"):
                        prefix = "data." if isinstance(c, cdk.TerraformDataSource) else ""
                        self.addresses[f"{prefix}{kind}.{c.friendly_unique_id}"] = c
        return self.addresses
