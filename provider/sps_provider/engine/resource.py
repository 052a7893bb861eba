"""The generic managed resource: plan, apply, read and import for any catalog type.

create = POST in a transaction, then commit (singletons: PUT, adopting the appliance's object);
read = GET, 404 -> gone; update = PUT of the whole body; delete = DELETE (singletons: forget).
All writes go through the call's slot of the group commit, so every answer Terraform gets is committed.

Write-once secrets (references to `/api/configuration/passwords`): the secret comes in as a
write-only attribute, which Terraform never stores; a new password object is POSTed in the same
transaction as the object that references it whenever the `*_wo_version` attribute changes. A secret
the configuration has never given (no value, no version, now or in the state: an import) is left as
the appliance holds it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from sps_catalog import load_catalog
from sps_catalog.firmware import fields_on, limited_fields
from sps_catalog.keys import item_path, key_problem
from sps_catalog.model import TypeDef, Value
from sps_catalog.secrets import as_body_values, get_in, secret_input, set_in
from sps_catalog.unknown_fields import (
    EXTRA_JSON,
    canonical,
    extra_problems,
    extra_state,
    keep_unknown,
    overlay,
    parse_extra,
    same_json,
    unknown_only,
)
from sps_catalog.values import UNKNOWN, Path, Problem, agrees, apply_defaults, validate
from sps_provider import no_wait
from sps_provider.client import errors
from sps_provider.coordinator.changes import Step
from sps_provider.engine.attrs import object_type, resource_attrs
from sps_provider.engine.convert import complete, release_references, to_body, to_terraform
from sps_provider.engine.firmware_gate import Target, check_destroy, check_plan
from sps_provider.engine.lookups import check_on_appliance
from sps_provider.engine.referrers import delete_when_released, report_still_referenced
from sps_provider.engine.report import report_sps_error
from sps_provider.protocol.cty import CtyType
from sps_provider.protocol.diagnostics import Diagnostics
from sps_provider.protocol.schema import Attr

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient
    from sps_provider.coordinator.group_commit import Slot
    from sps_provider.engine.refresh import RefreshReader


@dataclass
class Plan:
    state: Any
    requires_replace: list[list[str | int]]


class ResourceEngine:
    def __init__(self, t: TypeDef) -> None:
        self.t = t
        self.attrs: tuple[Attr, ...] = resource_attrs(t)
        self.fields_limited = bool(limited_fields(t.root))
        """Some fields exist on some firmware only: what the catalog models depends on the appliance's."""
        self.version_limited = t.versions.is_limited or self.fields_limited
        self._roots: dict[str, Value] = {}
        self.owned: set[str] = set()  # keys this process created or adopted: never adopted again
        self.managed: set[str] = set()  # keys read or planned as some resource's state in this process
        self._owned_lock = no_wait.Lock()

    @cached_property
    def type(self) -> CtyType:
        """The state's cty type, made once: every RPC encodes or conforms with it."""
        return object_type(self.attrs)

    def root_on(self, target: Target | None) -> Value:
        """The body shape on the target's firmware: fields it does not have left out."""
        version = target.firmware if target is not None else None
        if version is None:
            return self.t.root
        root = self._roots.get(version)
        if root is None:
            root = self._roots[version] = fields_on(self.t.root, version)
        return root

    # -- helpers -------------------------------------------------------------------------
    def object_path(self, key: str) -> str:
        return self.t.api_path if self.t.is_singleton else item_path(self.t.api_path, key)

    def body_fields(self, tf: dict[str, Any]) -> dict[str, Any]:
        return {f.name: tf.get(f.name) for f in self.t.fields}

    def put_step(self, path: str, values: Any, root: Value) -> Step:
        """The step of a PUT of `values` (catalog form; the transaction sends the SPS body) that
        sends back, unchanged, the fields the catalog does not model on the appliance's firmware
        (`root`; a PUT replaces the whole object): they are read inside the transaction, just
        before the write. A bare-value body has no other fields."""
        if self.t.value_body is not None:
            return Step("PUT", path, self.t.as_body(values))
        return Step("PUT", path, values, merge=partial(keep_unknown, root))

    def state_from_body(self, key: str, body: Any, versions: Any = None, extra: dict[str, Any] | None = None,
                        target: Target | None = None) -> dict[str, Any]:  # fmt: skip
        """State from an SPS body; secret versions and which extra fields are managed come from
        Terraform (SPS does not know them). `extra`: `versions`' `extra_json` when the caller has
        parsed it already (None: parsed here). A field the target's firmware does not have reads
        as null (the body's field of that name is not the catalog's: kept, never managed)."""
        body = self.t.as_object(body)
        root = self.root_on(target)
        attributes = to_terraform(root, body)
        if root is not self.t.root:  # the catalog's fields this firmware lacks read as null
            attributes = complete(self.t.root, attributes)
        state = {"key": key, **attributes}
        text = versions.get(EXTRA_JSON) if isinstance(versions, dict) else None
        if extra is None:
            extra, _ = parse_extra(text)
        state[EXTRA_JSON] = extra_state(text, extra, body)
        for path, f in self.t.secrets:
            _, version = secret_input(versions, path, f)
            set_in(state, (*path[:-1], f.write_only_name), None)
            set_in(state, (*path[:-1], f.version_name), version)
        return state

    def config_fields(self, config: dict[str, Any], prior: Any) -> dict[str, Any]:
        """Body fields of a configuration; a secret counts as set when its write-only value is."""
        values: dict[str, Any] = as_body_values(self.t.root, self.body_fields(config), prior)
        return values

    # -- validate / plan -----------------------------------------------------------------
    def validate(self, config: dict[str, Any], diags: Diagnostics, prior: Any = None) -> None:
        # Defaults filled, not completed to every attribute: a missing field reads as null, and
        # the fields the catalog does not model, which completing would drop, are left unchecked.
        values = apply_defaults(self.t.root, self.config_fields(config, prior))
        problems = validate(self.t.root, values, allow_unknown_fields=True)
        text = config.get(EXTRA_JSON)
        if text is not UNKNOWN:
            extra, problem = parse_extra(text)
            problems += [problem] if problem else extra_problems(self.t.root, extra or {}, values=values)
            if extra and self.t.value_body is not None:
                problems.append(Problem((EXTRA_JSON,), f"the body is the bare value of `{self.t.value_body}`: "
                                        "it has no other fields to set"))  # fmt: skip
        written: dict[Path, Path] = {path: (*path[:-1], f.write_only_name) for path, f in self.t.secrets}
        for p in problems:  # a secret's key is computed: name the write-only attribute users set
            p = Problem(written.get(p.path, p.path), p.message, p.is_type_error)
            diags.error(f"Invalid {self.t.resource_type} configuration", f"{p.dotted()}: {p.message}", list(p.path))
        for path, f in self.t.secrets:
            wo, version = secret_input(config, path, f)
            if wo is None and version is not None:
                diags.warning(
                    f"{f.version_name} is set but {f.write_only_name} is not",
                    f"Without {f.write_only_name} no {f.name} is sent to SPS.",
                    [*path[:-1], f.version_name],
                )

    def plan(self, prior: Any, config: Any, diags: Diagnostics, target: Target | None = None,
             lookups: RefreshReader | None = None, validated: bool = False) -> Plan:  # fmt: skip
        """`validated`: this configuration was validated (without any diagnostic) already."""
        if prior is not None and prior.get("key"):
            with self._owned_lock:
                self.managed.add(prior["key"])
        if config is None:
            if prior is not None and target is not None:
                check_destroy(self.t, target, prior.get("key"), diags)
            return Plan(None, [])
        if not validated:
            self.validate(config, diags, prior)
        values = self.body_fields(config)
        planned: dict[str, Any] = complete(self.t.root, apply_defaults(self.root_on(target), values))
        key = prior["key"] if prior is not None else (self.t.singleton_key if self.t.is_singleton else UNKNOWN)
        extra = config.get(EXTRA_JSON)
        if prior is not None and extra is not UNKNOWN and extra is not None:
            parsed, _ = parse_extra(extra)
            if same_json(prior.get(EXTRA_JSON), parsed):
                extra = prior[EXTRA_JSON]  # the same fields, spelled differently: no change
        planned = {"key": key, **planned, EXTRA_JSON: extra}
        for path, f in self.t.secrets:
            wo, version = secret_input(config, path, f)
            _, prior_version = secret_input(prior, path, f)
            prior_key = get_in(prior, path)
            rotate = prior is None or version != prior_version or prior_key is None
            if wo is None:
                # Never given by this configuration (no version now or before, e.g. just imported):
                # the appliance's secret stays; otherwise a null value removes the reference.
                kept = version is None and prior_version is None and prior_key is not None
                set_in(planned, path, prior_key if kept else None)
            else:
                set_in(planned, path, UNKNOWN if rotate else prior_key)
            set_in(planned, (*path[:-1], f.write_only_name), None)
            set_in(planned, (*path[:-1], f.version_name), version)
        if lookups is not None and not diags.has_errors:
            own_key = prior.get("key") if prior is not None else None

            def explained(key: str, body: dict[str, Any]) -> bool:
                with self._owned_lock:
                    managed = key in self.managed
                return managed or self.adoptable(key, body, planned) is not None

            check_on_appliance(self.t, self.config_fields(config, prior), own_key, lookups, diags, explained)
        replace: list[list[str | int]] = []
        if prior is not None:
            replace = [[a.name] for a in self.attrs if a.requires_replace and planned.get(a.name) != prior.get(a.name)]
        if target is not None:
            check_plan(self.t, target, self.config_fields(config, prior), prior is None or planned != prior, diags)
        return Plan(planned, replace)

    # -- apply ---------------------------------------------------------------------------
    def steps(self, planned: dict[str, Any], config: dict[str, Any], write: Step) -> list[Step]:
        """New secret objects first (POST), then `write`, whose body takes their keys."""
        new_secrets = [(path, f) for path, f in self.t.secrets if get_in(planned, path) is UNKNOWN]
        if not new_secrets:
            return [write]
        catalog = load_catalog()
        steps = []
        for path, f in new_secrets:
            target = catalog[f.target or ""]
            secret, _ = secret_input(config, path, f)
            steps.append(Step("POST", target.api_path, {target.fields[0].name: secret}))
        base = write.body

        def body(results: list[Any]) -> Any:
            filled = copy.deepcopy(base)
            for (path, _), key in zip(new_secrets, results, strict=False):
                set_in(filled, path, key)
            return filled

        return [*steps, replace(write, body=body)]

    def apply(self, slot: Slot, refresh: RefreshReader, prior: Any, planned: Any, config: Any,
              diags: Diagnostics, target: Target | None = None) -> Any:  # fmt: skip
        """The new state. A committed write is handed to `refresh` as the appliance holds it
        after the commit (read back); any other outcome drops the type's snapshot."""
        t = self.t
        root = self.root_on(target)
        reader = refresh.client
        try:
            if planned is None:
                if t.is_singleton:
                    current = self.body_fields(prior)
                    released = release_references(t.root, current)
                    if released != current:
                        slot.submit([self.put_step(t.api_path, to_body(root, released), root)])
                        refresh.invalidate(t)  # not read back: the next read fetches it
                    diags.warning(
                        f"{t.resource_type} removed from Terraform state only",
                        f"{t.title} is a singleton on the appliance: destroying it forgets it; "
                        "the appliance keeps its current settings (optional references it held are released).",
                    )
                    return None
                try:
                    delete_when_released(slot, self.object_path(prior["key"]))
                except errors.BadRequest as exc:
                    if not report_still_referenced(diags, t, prior, exc, reader):
                        raise
                    refresh.invalidate(t)
                    return prior
                refresh.deleted(t, prior["key"])
                return None
            values = copy.deepcopy(self.body_fields(planned))
            for path, _ in t.secrets:  # the keys of secrets still to be created are filled in by steps()
                if get_in(values, path) is UNKNOWN:
                    set_in(values, path, None)
            extra, _ = parse_extra(planned.get(EXTRA_JSON))
            body = overlay(to_body(root, values), extra or {})
            key = prior["key"] if prior is not None else (t.singleton_key if t.is_singleton else None)
            write = (
                Step("POST", t.api_path, body, on_result=self.claim)
                if key is None
                else self.put_step(self.object_path(key), body, root)
            )
            try:
                results = slot.submit(self.steps(planned, config or {}, write))
            except errors.SemanticError:
                if key is not None or (adopted := self.adopt(reader, planned, diags)) is None:
                    raise
                refresh.invalidate(t)  # an object this process did not write: the snapshot may lack it
                return adopted
            if key is None:
                key = results[-1]
            doc = reader.get(self.object_path(key))
            refresh.committed(t, key, doc.get("body"))
            return self.state_from_body(key, doc.get("body"), planned, extra, target)
        except errors.SpsError as exc:
            refresh.invalidate(t)
            report_sps_error(diags, t, "apply", exc)
            return prior

    def claim(self, key: Any) -> None:
        """A key this process created: never adopted for another resource (called by the
        transaction as soon as the POST is answered, before the group's commit wakes anyone)."""
        with self._owned_lock:
            self.owned.add(str(key))

    def may_adopt(self, planned: dict[str, Any]) -> bool:
        """Only a named type without secrets, and never a built-in object, is adopted."""
        t = self.t
        name = planned.get(t.name_field) if t.name_field else None
        return not t.secrets and isinstance(name, str) and t.builtin_by_name(name) is None

    def adoptable(self, key: str, body: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any] | None:
        """The state of the object (key, body) when a create of `planned` may take it as its own: it
        holds exactly the planned values (UNKNOWN ones aside). Never for a type with secrets (their
        values cannot be compared), a built-in object (it cannot be destroyed) or one this process
        created or adopted for another resource (two resources of one name)."""
        if not self.may_adopt(planned):
            return None
        state = self.state_from_body(key, body, planned)
        if not all(agrees(v, state.get(k)) for k, v in planned.items() if k != "key"):
            return None
        with self._owned_lock:
            return None if key in self.owned else state

    def adopt(self, reader: SpsClient, planned: dict[str, Any], diags: Diagnostics) -> Any:
        """After SPS refused a create: the object of the same name, when it is `adoptable` (one
        whose commit was reported unknown, or committed just before the provider was killed), as
        this resource's state; one that differs is named, for `terraform import`."""
        t = self.t
        if not self.may_adopt(planned):
            return None
        name = planned[t.name_field or ""]
        for item in reader.get(t.api_path).get("items", []):
            body = item.get("body")
            if not isinstance(body, dict) or body.get(t.name_field) != name:
                continue
            key = str(item.get("key"))
            state = self.adoptable(key, body, planned)
            with self._owned_lock:
                if key in self.owned:
                    return None
                if state is not None:
                    self.owned.add(key)
            if state is not None:
                diags.warning(
                    f"{t.resource_type} {name!r} adopted",
                    f"An object named {name!r} with exactly the configured values already existed on SPS "
                    f"(key {key}, e.g. committed by an earlier apply whose outcome was unknown); it is now "
                    "in Terraform's state instead of being created again.",
                )
                return state
            diags.error(
                f"{t.resource_type} {name!r} already exists on SPS with other values",
                f"GET {t.api_path}/{key}. If it is this resource's object, `terraform import` it with the key {key}.",
            )
        return None

    # -- read / import -------------------------------------------------------------------
    def read(self, refresh: RefreshReader, current: Any, diags: Diagnostics, target: Target | None = None) -> Any:
        """`target`: the appliance's firmware, when some fields exist on some firmware only."""
        if current is None:
            return None
        key = current.get("key") or (self.t.singleton_key if self.t.is_singleton else None)
        if not key:
            return None
        with self._owned_lock:
            self.managed.add(key)
        try:
            doc = refresh.get(self.t, self.object_path(key), key)
        except errors.NotFound:
            return None
        except errors.SpsError as exc:
            report_sps_error(diags, self.t, "read", exc)
            return current
        return self.state_from_body(key, doc.get("body"), current, target=target)

    def import_(self, reader: SpsClient, key: str, diags: Diagnostics, target: Target | None = None) -> Any:
        t = self.t
        if not t.is_singleton and (problem := key_problem(key)):
            diags.error(
                f"Cannot import {t.resource_type}: the import ID {problem}",
                f"Import IDs are SPS keys; list them with GET {t.api_path}.",
            )
            return None
        if t.is_singleton and key != t.singleton_key:
            diags.error(
                f"Cannot import {t.resource_type} {key!r}",
                f"{t.title} is a singleton; import it with the ID {t.singleton_key!r}.",
            )
            return None
        try:
            doc = reader.get(self.object_path(key))
        except errors.NotFound:
            diags.error(
                f"Cannot import {t.resource_type}: no object with key {key!r}",
                f"GET {self.object_path(key)} answered 404 NotFound. Import IDs are SPS keys; list them "
                f"with GET {t.api_path}.",
            )
            return None
        except errors.SpsError as exc:
            report_sps_error(diags, t, "import", exc)
            return None
        # The fields the catalog does not model start out managed, as `extra_json`: a configuration
        # written from the appliance (sps-export, -generate-config-out) then imports with no change.
        state = self.state_from_body(key, doc.get("body"), target=target)
        unknown = unknown_only(t.root, t.as_object(doc.get("body")))  # what extra_json may name
        state[EXTRA_JSON] = canonical(unknown) if unknown else None
        return state
