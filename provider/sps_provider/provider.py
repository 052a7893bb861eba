"""The tfplugin6 Provider service: decodes requests, runs the engine, encodes answers.

Diagnostics are returned, never raised: an unexpected exception in an RPC becomes an error
diagnostic naming the resource type, so Terraform never sees a bare "plugin error".
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar

from sps_catalog import load_catalog
from sps_catalog.generic import RESOURCE_TYPES
from sps_catalog.state_upgrades import upgrade_state
from sps_provider import config as provider_config
from sps_provider import no_wait
from sps_provider.client import errors
from sps_provider.engine.datasource import DataSourceEngine
from sps_provider.engine.firmware_gate import Target
from sps_provider.engine.generic import GenericDataSource, GenericEngine, generic_unencodable
from sps_provider.engine.order import OrderEngine
from sps_provider.engine.refresh import RefreshReader
from sps_provider.engine.report import report_sps_error, report_unencodable
from sps_provider.engine.resource import ResourceEngine
from sps_provider.engines import Engines
from sps_provider.protocol import cty
from sps_provider.protocol.diagnostics import Diagnostics, attribute_path
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.protocol.schema import schema
from sps_provider.validated import ValidConfigs

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient
    from sps_provider.coordinator.group_commit import GroupCommit, Slot

log = logging.getLogger(__name__)
R = TypeVar("R")


def check_credentials(client: SpsClient, diags: Diagnostics) -> bool:
    """Log the reader in once, in ConfigureProvider: a wrong password is then one failed login on
    the appliance and one error naming the URL and user, instead of one per resource (which trips
    the appliance's brute-force protection and hides the cause)."""
    where = f"{client.base} as {client.settings.username!r}"
    try:
        client.ensure_logged_in()
    except errors.AuthenticationFailure as exc:
        diags.error(
            f"Cannot log in to SPS at {where}",
            f"{exc}\n\nCheck `username` and `password` (or SPS_USERNAME / SPS_PASSWORD). The provider tries "
            "once per run, so a wrong password does not trip the appliance's brute-force protection.",
        )
    except errors.TlsVerificationFailed as exc:
        diags.error(f"Untrusted SPS certificate at {client.base}", str(exc), ["ca_bundle"])
    except errors.ConnectionFailed as exc:
        diags.error(f"Cannot reach SPS at {client.base}", str(exc), ["url"])
    except errors.SpsError as exc:
        diags.error(f"Cannot log in to SPS at {where}", str(exc))
    return not diags.has_errors


def _common_noun(title: str) -> str:
    """`Audit policy` -> `audit policy`; `AA plugin` and `MSSQL options` keep their acronyms."""
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


class Provider:
    def __init__(self) -> None:
        catalog = load_catalog()
        resources: dict[str, Callable[[], ResourceEngine | OrderEngine | GenericEngine]] = {
            t.resource_type: partial(ResourceEngine, t) for t in catalog if t.is_managed
        }
        resources.update({t.resource_type: partial(OrderEngine, t) for t in catalog.orders.values()})
        resources.update({name: partial(GenericEngine, kind) for kind, name in RESOURCE_TYPES.items()})
        self.resources: Engines[ResourceEngine | OrderEngine | GenericEngine] = Engines(resources)
        data_sources: dict[str, Callable[[], DataSourceEngine | GenericDataSource]] = {
            t.resource_type: partial(DataSourceEngine, t) for t in catalog
        }
        data_sources[GenericDataSource.resource_type] = GenericDataSource
        self.data_sources: Engines[DataSourceEngine | GenericDataSource] = Engines(data_sources)
        self.group_commit: GroupCommit | None = None
        self.reader: SpsClient | None = None
        self.refresh: RefreshReader | None = None
        self._target: Target | None = None
        self._target_lock = no_wait.Lock()
        self.valid = ValidConfigs()
        self.in_flight = 0
        self._in_flight_lock = threading.Condition()

    # -- plumbing ------------------------------------------------------------------------
    @cached_property
    def schema_response(self) -> pb.GetProviderSchema.Response:
        resp = pb.GetProviderSchema.Response(
            provider=schema(provider_config.ATTRS, "Manage One Identity Safeguard for Privileged Sessions (SPS)."),
            server_capabilities=pb.ServerCapabilities(plan_destroy=True, get_provider_schema_optional=True),
        )
        for name, r in self.resources.items():
            if isinstance(r, GenericEngine):
                resp.resource_schemas[name].CopyFrom(schema(r.attrs, r.description))
            else:
                resp.resource_schemas[name].CopyFrom(schema(r.attrs, r.t.description, r.t.schema_version))
        for name, d in self.data_sources.items():
            if isinstance(d, GenericDataSource):
                resp.data_source_schemas[name].CopyFrom(schema(d.attrs, d.description))
                continue
            noun = _common_noun(d.t.title)
            by = " or name" if d.t.name_field else ""
            found = f"Read the {noun} (a singleton)." if d.t.is_singleton else f"Find one {noun} by key{by}."
            resp.data_source_schemas[name].CopyFrom(schema(d.attrs, f"{found} {d.t.description}"))
        return resp

    def guarded(self, what: str, diags: Diagnostics, fn: Callable[[], R], fallback: R) -> R:
        no_wait.acquire(self._in_flight_lock)
        try:
            self.in_flight += 1
        finally:
            self._in_flight_lock.release()
        try:
            return fn()
        except Exception as exc:
            log.error("%s failed: %s", what, traceback.format_exc())
            diags.error(f"Internal error in the SPS provider during {what}", f"{type(exc).__name__}: {exc}")
            return fallback
        finally:
            with self._in_flight_lock:
                self.in_flight -= 1
                self._in_flight_lock.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._in_flight_lock:
            return self._in_flight_lock.wait_for(lambda: self.in_flight == 0, timeout)

    def slot(self) -> AbstractContextManager[Slot | None]:
        """Around Terraform's PlanResourceChange of one resource (its -parallelism slot): a write
        may follow in the ApplyResourceChange, and the gathering transaction waits for it."""
        return self.group_commit.slot() if self.group_commit is not None else nullcontext()

    def fields_target(self, engine: ResourceEngine, action: str, diags: Diagnostics) -> tuple[bool, Target | None]:
        """(found, the appliance) for reading a type some of whose fields exist on some firmware
        only: which fields the catalog models there depends on it; not found: the error is reported."""
        try:
            return True, self.target()
        except errors.SpsError as exc:
            report_sps_error(diags, engine.t, f"{action} (reading the firmware version)", exc)
            return False, None

    def not_configured(self, diags: Diagnostics) -> bool:
        if self.group_commit is None or self.reader is None:
            diags.error(
                "The SPS provider is not configured",
                "ConfigureProvider was not called or failed; see the errors above.",
            )
            return True
        return False

    def target(self) -> Target | None:
        """The configured appliance and its firmware version, read once (GET /api/info)."""
        if self.reader is None:
            return None
        with self._target_lock:
            if self._target is None:
                version = self.reader.firmware_version()
                self._target = Target(self.reader.settings.url, version)
            return self._target

    @staticmethod
    def dv(t: cty.CtyType, v: Any) -> pb.DynamicValue:
        return pb.DynamicValue(msgpack=cty.encode(t, v))

    def from_appliance(
        self,
        engine: ResourceEngine | OrderEngine | GenericEngine | DataSourceEngine | GenericDataSource,
        action: str,
        value: Any,
        fallback: Any,
        diags: Diagnostics,
    ) -> pb.DynamicValue:
        """`value`, which holds what the appliance answered, for Terraform; one the encoding cannot
        carry (an integer beyond 64 bits, NaN, text that is not Unicode) becomes an error naming the
        resource type and the attribute, and `fallback` (from Terraform, or None) is answered."""
        try:
            return self.dv(engine.type, value)
        except cty.Unencodable as exc:
            key = value.get("key") if isinstance(value, dict) else None
            if isinstance(engine, (GenericEngine, GenericDataSource)):
                generic_unencodable(diags, engine.resource_type, action, exc)
            else:
                report_unencodable(diags, engine.t, action, exc, key)
            return self.dv(engine.type, fallback)

    @staticmethod
    def decode(v: pb.DynamicValue) -> Any:
        if v.msgpack:
            return cty.decode(v.msgpack)
        if v.json:
            return json.loads(v.json)
        return None

    # -- schema and configuration --------------------------------------------------------
    def GetMetadata(self, request: Any, context: Any) -> pb.GetMetadata.Response:
        return pb.GetMetadata.Response(
            server_capabilities=self.schema_response.server_capabilities,
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in self.resources],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in self.data_sources],
        )

    def GetProviderSchema(self, request: Any, context: Any) -> pb.GetProviderSchema.Response:
        return self.schema_response

    def GetResourceIdentitySchemas(self, request: Any, context: Any) -> pb.GetResourceIdentitySchemas.Response:
        return pb.GetResourceIdentitySchemas.Response()

    def GetFunctions(self, request: Any, context: Any) -> pb.GetFunctions.Response:
        return pb.GetFunctions.Response()

    def ValidateProviderConfig(self, request: Any, context: Any) -> pb.ValidateProviderConfig.Response:
        diags = Diagnostics()
        self.guarded(
            "ValidateProviderConfig",
            diags,
            lambda: provider_config.validate(self.decode(request.config) or {}, diags),
            None,
        )
        return pb.ValidateProviderConfig.Response(diagnostics=diags.items)

    def ConfigureProvider(self, request: Any, context: Any) -> pb.ConfigureProvider.Response:
        diags = Diagnostics()

        def run() -> None:
            raw = self.decode(request.config) or {}
            if not cty.is_wholly_known(raw):
                diags.error(
                    "Provider configuration depends on values not known until apply",
                    "Use values known at plan time for the sps provider's url and credentials.",
                )
                return
            parsed = provider_config.parse(raw, diags)
            if parsed is None:
                return
            from sps_provider.client.session import SpsClient
            from sps_provider.coordinator.group_commit import GroupCommit
            from sps_provider.coordinator.transactions import Transactions

            settings = parsed.settings
            reader = SpsClient(settings)
            if not check_credentials(reader, diags):
                return
            self.reader = reader
            self.refresh = RefreshReader(self.reader)
            writer = SpsClient(settings, relogin=False)
            self.group_commit = GroupCommit(Transactions(writer, parsed.policy, self.reader, settings.url))
            log.debug("configured for %s", settings.url)

        self.guarded("ConfigureProvider", diags, run, None)
        return pb.ConfigureProvider.Response(diagnostics=diags.items)

    # -- managed resources ---------------------------------------------------------------
    def ValidateResourceConfig(self, request: Any, context: Any) -> pb.ValidateResourceConfig.Response:
        diags = Diagnostics()
        engine = self.resources[request.type_name]
        self.guarded(
            "ValidateResourceConfig", diags, lambda: engine.validate(self.decode(request.config) or {}, diags), None
        )
        if not diags.items and (isinstance(engine, GenericEngine) or not engine.t.secrets):
            self.valid.add(request.type_name, request.config.msgpack)
        return pb.ValidateResourceConfig.Response(diagnostics=diags.items)

    def UpgradeResourceState(self, request: Any, context: Any) -> pb.UpgradeResourceState.Response:
        diags = Diagnostics()
        engine = self.resources[request.type_name]
        t = engine.type

        def run() -> Any:
            raw = json.loads(request.raw_state.json or b"null")
            upgraded = raw if isinstance(engine, GenericEngine) else upgrade_state(engine.t, raw, request.version)
            return cty.conform(t, upgraded)

        state = self.guarded("UpgradeResourceState", diags, run, None)
        return pb.UpgradeResourceState.Response(upgraded_state=self.dv(t, state), diagnostics=diags.items)

    def ReadResource(self, request: Any, context: Any) -> pb.ReadResource.Response:
        diags = Diagnostics()
        engine = self.resources[request.type_name]
        current = self.decode(request.current_state)

        def run() -> Any:
            if self.not_configured(diags):
                return current
            assert self.refresh is not None
            if isinstance(engine, ResourceEngine) and engine.fields_limited:
                found, target = self.fields_target(engine, "read", diags)
                return engine.read(self.refresh, current, diags, target) if found else current
            return engine.read(self.refresh, current, diags)

        new = self.guarded("ReadResource", diags, run, current)
        state = self.from_appliance(engine, "read", new, current, diags)
        return pb.ReadResource.Response(new_state=state, diagnostics=diags.items, private=request.private)

    def at_once(self, call: Callable[[Any, Any], R]) -> Callable[[Any], R | None]:
        """`call` (ReadResource or PlanResourceChange) for the transport's reader thread: its
        answer, unless it would wait (`no_wait.WouldWait`: the transport then runs it on the pool).
        Orders read their lists themselves: always None."""

        def attempt(request: Any) -> R | None:
            if not isinstance(self.resources.get(request.type_name), (ResourceEngine, GenericEngine)):
                return None
            return call(request, None)

        return attempt

    def PlanResourceChange(self, request: Any, context: Any) -> pb.PlanResourceChange.Response:
        diags = Diagnostics()
        engine = self.resources[request.type_name]
        t = engine.type
        prior = self.decode(request.prior_state)
        proposed = self.decode(request.proposed_new_state)
        config = self.decode(request.config)
        validated = (request.type_name, request.config.msgpack) in self.valid

        def run() -> Any:
            wanted = config if proposed is not None else None
            target = None
            if engine.version_limited and self.reader is not None:  # a destroy is a write too
                try:
                    target = self.target()
                except errors.SpsError as exc:
                    if isinstance(engine, GenericEngine):
                        diags.error(f"Cannot read the firmware version to plan {request.type_name}", str(exc))
                    else:
                        report_sps_error(diags, engine.t, "plan (reading the firmware version)", exc)
                    return None
            return engine.plan(prior, wanted, diags, target, self.refresh, validated=validated)

        with self.slot() as slot:
            plan = self.guarded("PlanResourceChange", diags, run, None)
            planned = plan.state if plan else proposed
            if slot is not None and not diags.has_errors and planned != prior:
                slot.planned()
        resp = pb.PlanResourceChange.Response(diagnostics=diags.items)
        resp.planned_state.CopyFrom(self.dv(t, planned))
        for path in plan.requires_replace if plan else []:
            resp.requires_replace.append(attribute_path(path))
        return resp

    def ApplyResourceChange(self, request: Any, context: Any) -> pb.ApplyResourceChange.Response:
        diags = Diagnostics()
        engine = self.resources[request.type_name]
        prior = self.decode(request.prior_state)
        planned = self.decode(request.planned_state)
        config = self.decode(request.config)

        def run() -> Any:
            if self.not_configured(diags):
                return prior
            assert self.group_commit is not None and self.reader is not None and self.refresh is not None
            with self.group_commit.slot(applying=True) as slot:
                try:
                    target = self.target() if engine.version_limited else None
                    return engine.apply(slot, self.refresh, prior, planned, config, diags, target)
                except BaseException:
                    self.refresh.invalidate()  # nothing this apply wrote can be accounted for
                    raise

        new = self.guarded("ApplyResourceChange", diags, run, prior)
        state = self.from_appliance(engine, "read back after applying", new, prior, diags)
        return pb.ApplyResourceChange.Response(new_state=state, diagnostics=diags.items)

    def ImportResourceState(self, request: Any, context: Any) -> pb.ImportResourceState.Response:
        diags = Diagnostics()
        engine = self.resources[request.type_name]

        def run() -> Any:
            if self.not_configured(diags):
                return None
            assert self.reader is not None
            if isinstance(engine, ResourceEngine) and engine.fields_limited:
                found, target = self.fields_target(engine, "import", diags)
                return engine.import_(self.reader, request.id, diags, target) if found else None
            return engine.import_(self.reader, request.id, diags)

        state = self.guarded("ImportResourceState", diags, run, None)
        resp = pb.ImportResourceState.Response()
        if state is not None:
            encoded = self.from_appliance(engine, "import", state, None, diags)
            if not diags.has_errors:
                resp.imported_resources.add(type_name=request.type_name, state=encoded)
        resp.diagnostics.extend(diags.items)
        return resp

    # -- data sources --------------------------------------------------------------------
    def ValidateDataResourceConfig(self, request: Any, context: Any) -> pb.ValidateDataResourceConfig.Response:
        diags = Diagnostics()
        engine = self.data_sources[request.type_name]
        config = self.decode(request.config) or {}
        if cty.is_wholly_known(config):
            self.guarded("ValidateDataResourceConfig", diags, lambda: engine.validate(config, diags), None)
        return pb.ValidateDataResourceConfig.Response(diagnostics=diags.items)

    def ReadDataSource(self, request: Any, context: Any) -> pb.ReadDataSource.Response:
        diags = Diagnostics()
        engine = self.data_sources[request.type_name]
        config = self.decode(request.config) or {}

        def run() -> Any:
            if self.not_configured(diags):
                return None
            assert self.reader is not None
            return engine.read(self.reader, config, diags)

        state = self.guarded("ReadDataSource", diags, run, None)
        answer = self.from_appliance(engine, "read", state or config, config, diags)
        return pb.ReadDataSource.Response(state=answer, diagnostics=diags.items)

    # -- lifecycle -----------------------------------------------------------------------
    def StopProvider(self, request: Any, context: Any) -> pb.StopProvider.Response:
        """Terraform asks us to stop (Ctrl-C). In-flight changes are never abandoned: the
        group commit finishes (or reverts) its transaction and every caller gets its answer; lock
        waits and groups that have written nothing end at once."""
        log.info("StopProvider: letting %d in-flight call(s) finish", self.in_flight)
        self.stop()
        return pb.StopProvider.Response()

    def stop(self) -> None:
        """End lock waits and groups that have written nothing (StopProvider, or Shutdown)."""
        if self.group_commit is not None:
            self.group_commit.stop()

    def close(self, timeout: float) -> None:
        """Shutdown or exit: revert any transaction the writer session still holds."""
        if self.group_commit is not None:
            self.group_commit.close(timeout)
