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


def attribute_path(steps: PathSteps) -> pb.AttributePath:
    out = pb.AttributePath()
    for step in steps:
        if isinstance(step, int):
            out.steps.add(element_key_int=step)
        else:
            out.steps.add(attribute_name=step)
    return out


def make(severity: int, summary: str, detail: str, path: PathSteps | None) -> pb.Diagnostic:
    d = pb.Diagnostic(severity=severity, summary=summary, detail=detail)
    if path:
        d.attribute.CopyFrom(attribute_path(path))
    return d
