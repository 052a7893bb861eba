"""Diagnostics returned to Terraform: errors and warnings with an attribute path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sps_provider.protocol.gen import tfplugin6_pb2 as pb

PathSteps = Sequence[str | int]


@dataclass
class Diagnostics:
    """Collects diagnostics for one RPC answer (returned, never raised)."""

    items: list[pb.Diagnostic] = field(default_factory=list)

    def error(self, summary: str, detail: str = "", path: PathSteps | None = None) -> None:
        self.items.append(make(pb.Diagnostic.ERROR, summary, detail, path))

    def warning(self, summary: str, detail: str = "", path: PathSteps | None = None) -> None:
        self.items.append(make(pb.Diagnostic.WARNING, summary, detail, path))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == pb.Diagnostic.ERROR for d in self.items)


def located(steps: PathSteps) -> list[str | int]:
    """The path Terraform can place in the configuration for a diagnostic at `steps`.

    Terraform finds a diagnostic's source by following attribute steps through nested *blocks*
    only, then one last attribute; an index after that attribute picks a list element or a key of
    an object expression (hashicorp/terraform internal/tfdiags/contextual.go; issue 33491). For a
    nested attribute (`target.server.selection`) the full path finds no block and falls back to the
    resource's first line. So a diagnostic names the top-level attribute and, as an index, its
    child (`target["server"]`, `network["clients"]`, `servers[0]`): Terraform underlines that line,
    the closest it can reach. The message itself carries the full dotted path.
    """
    return list(steps[:2])


def attribute_path(steps: PathSteps) -> pb.AttributePath:
    out = pb.AttributePath()
    for step in steps:
        if isinstance(step, int):
            out.steps.add(element_key_int=step)
        else:
            out.steps.add(attribute_name=step)
    return out


def diagnostic_path(steps: PathSteps) -> pb.AttributePath:
    """`located(steps)` with its second step as an index (an element or object-expression key)."""
    near = located(steps)
    out = attribute_path(near[:1])
    if len(near) > 1:
        step = near[1]
        if isinstance(step, int):
            out.steps.add(element_key_int=step)
        else:
            out.steps.add(element_key_string=step)
    return out


def make(severity: int, summary: str, detail: str, path: PathSteps | None) -> pb.Diagnostic:
    d = pb.Diagnostic(severity=severity, summary=summary, detail=detail)
    if path:
        d.attribute.CopyFrom(diagnostic_path(path))
    return d
