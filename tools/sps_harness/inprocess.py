"""The provider's servicer called in-process against a real simulator (no terraform, no gRPC).

Per-type lifecycle tests grow with the catalog; through the real `terraform` each costs seconds
of process start-up. Here each step is the request Terraform sends (values msgpack-encoded in the
served schema's types) answered by the real engine, group commit and client over HTTPS, so a
type's create/read/update/import/delete costs a few requests. Real-terraform end-to-end tests
stay for one representative of each kind and for the fault matrix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sps_harness.simulator import RunningSimulator
from sps_provider import config as provider_config
from sps_provider.engine.attrs import object_type
from sps_provider.protocol import cty
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.provider import Provider


class ProviderError(Exception):
    """The provider answered with error diagnostics."""


class InProcessProvider:
    def __init__(self, sim: RunningSimulator, username: str = "admin", password: str = "admin", **more: Any) -> None:
        """`more`: further provider settings (e.g. `commit_message`)."""
        self.servicer = Provider()
        settings = {"url": sim.url, "username": username, "password": password, "ca_bundle": sim.ca, **more}
        config_type = object_type(provider_config.ATTRS)
        request = pb.ConfigureProvider.Request(config=self._dv(config_type, settings))
        self._check("ConfigureProvider", self.servicer.ConfigureProvider(request, None).diagnostics)

    def close(self) -> None:
        """Let the group commit finish and revert what it still holds (as Shutdown does)."""
        self.servicer.stop()
        self.servicer.close(10.0)

    def new_run(self) -> None:
        """Forget what the provider has read, as a later terraform command's new provider process
        would (after out-of-band changes)."""
        if self.servicer.refresh is not None:
            self.servicer.refresh.invalidate()

    def create(self, type_name: str, config: dict[str, Any]) -> dict[str, Any]:
        state: dict[str, Any] = self._apply(type_name, None, config)
        return state

    def update(self, type_name: str, prior: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        state: dict[str, Any] = self._apply(type_name, prior, config)
        return state

    def delete(self, type_name: str, prior: dict[str, Any]) -> None:
        self._apply(type_name, prior, None)

    def validate(self, type_name: str, config: dict[str, Any]) -> None:
        """What `terraform validate` asks of a resource's configuration (ProviderError when refused)."""
        request = pb.ValidateResourceConfig.Request(type_name=type_name, config=self._dv(self._type(type_name), config))
        self._check(
            f"ValidateResourceConfig {type_name}", self.servicer.ValidateResourceConfig(request, None).diagnostics
        )

    def plan(self, type_name: str, prior: Any, config: Any) -> Any:
        """The planned state (None when the resource is to be deleted)."""
        return self.plan_change(type_name, prior, config)[0]

    def plan_change(self, type_name: str, prior: Any, config: Any) -> tuple[Any, list[str]]:
        """The planned state and the attributes (dotted) whose change requires replacement."""
        t = self._type(type_name)
        request = pb.PlanResourceChange.Request(
            type_name=type_name,
            prior_state=self._dv(t, prior),
            proposed_new_state=self._dv(t, config),
            config=self._dv(t, config),
        )
        response = self.servicer.PlanResourceChange(request, None)
        self._check(f"PlanResourceChange {type_name}", response.diagnostics)
        replace = [".".join(step.attribute_name or str(step.element_key_int) for step in p.steps)
                   for p in response.requires_replace]  # fmt: skip
        return cty.decode(response.planned_state.msgpack), replace

    def read(self, type_name: str, state: dict[str, Any]) -> Any:
        """The refreshed state (None when the object is gone)."""
        request = pb.ReadResource.Request(type_name=type_name, current_state=self._dv(self._type(type_name), state))
        response = self.servicer.ReadResource(request, None)
        self._check(f"ReadResource {type_name}", response.diagnostics)
        return cty.decode(response.new_state.msgpack)

    def import_(self, type_name: str, import_id: str) -> Any:
        """What `terraform import` stores: the imported state, then read."""
        request = pb.ImportResourceState.Request(type_name=type_name, id=import_id)
        response = self.servicer.ImportResourceState(request, None)
        self._check(f"ImportResourceState {type_name}", response.diagnostics)
        (imported,) = response.imported_resources
        return self.read(type_name, cty.decode(imported.state.msgpack))

    def read_data_source(self, type_name: str, config: dict[str, Any]) -> Any:
        """What `data "<type_name>"` with `config` reads (unset attributes null)."""
        t = object_type(self.servicer.data_sources[type_name].attrs)
        request = pb.ReadDataSource.Request(type_name=type_name, config=self._dv(t, config))
        response = self.servicer.ReadDataSource(request, None)
        self._check(f"ReadDataSource {type_name}", response.diagnostics)
        return cty.decode(response.state.msgpack)

    def _apply(self, type_name: str, prior: Any, config: Any) -> Any:
        t = self._type(type_name)
        planned = self.plan(type_name, prior, config)
        request = pb.ApplyResourceChange.Request(
            type_name=type_name,
            prior_state=self._dv(t, prior),
            planned_state=self._dv(t, planned),
            config=self._dv(t, config),
        )
        response = self.servicer.ApplyResourceChange(request, None)
        self._check(f"ApplyResourceChange {type_name}", response.diagnostics)
        return cty.decode(response.new_state.msgpack)

    def _type(self, type_name: str) -> cty.CtyType:
        return self.servicer.resources[type_name].type

    @staticmethod
    def _dv(t: cty.CtyType, v: Any) -> pb.DynamicValue:
        return pb.DynamicValue(msgpack=cty.encode(t, cty.conform(t, v)))

    @staticmethod
    def _check(what: str, diagnostics: Iterable[Any]) -> None:
        errors = [f"{d.summary}: {d.detail}" for d in diagnostics if d.severity == pb.Diagnostic.ERROR]
        if errors:
            raise ProviderError(f"{what}: " + "; ".join(errors))
