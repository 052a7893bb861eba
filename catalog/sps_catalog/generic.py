"""The generic resources (`sps_object`, `sps_settings`): which paths they may write, and their bodies.

They reach every endpoint the catalog knows (`sps_catalog.endpoints`) that no typed resource
manages, through the same engine as the typed ones. What they refuse is decided here once, so the
provider (at validate and plan) and the constructs (at synth) say the same thing: a path the
catalog does not know (with the nearest known ones), a path a typed resource manages (named), a
read-only endpoint, a write-once secret or a write-only singleton (secrets go through the typed
resources), a collection given where a singleton is expected and the reverse, and a path this
appliance's firmware lacks or keeps read-only.

`catalog_validation = false` (ADR 0019) lets them reach an endpoint the catalog does not know yet
(a newer firmware's): `path_problem` then checks only what the catalog can still say (the path's
spelling, and that it does not lie inside a secret endpoint or another endpoint's objects), and
the provider checks the rest at plan against the appliance's own tree (`live_kind`). A path the
catalog knows is judged by the catalog whatever the flag.

Bodies are compared by JSON value (`same`, `covers`): key order and formatting never show as a
change, and fields the appliance adds are not a change unless the body names them (`projected`
keeps what the body names). The API answers references as `{key, meta}`; `normalized` turns them
into keys, as the typed resources do.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from sps_catalog.endpoints import BODY_PYTHON_TYPES, Endpoint, EndpointKind, Endpoints
from sps_catalog.equivalence import by_nfc, equivalent, spelling

GenericKind = Literal["object", "settings"]
RESOURCE_TYPES: Mapping[GenericKind, str] = {"object": "sps_object", "settings": "sps_settings"}
SHAPES: Mapping[GenericKind, EndpointKind] = {"object": "collection", "settings": "singleton"}
"""The shape of endpoint each generic resource manages (what an unknown endpoint must turn out to be)."""
NEAREST = 5
CATALOG_VALIDATION = "catalog_validation"
OPT_OUT = (
    f"if the appliance runs a newer firmware that has it, set {CATALOG_VALIDATION} = false and the "
    "provider checks the path against the appliance at plan"
)
SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
"""One segment of an endpoint path the catalog does not know (SPS names: letters, digits, _ and -)."""
NOT_IN_CATALOG = "Not in the catalog: managed with catalog_validation = false, its kind as the appliance answered."


def path_problem(endpoints: Endpoints, path: str, kind: GenericKind, catalog_validation: bool = True) -> str | None:
    """Why the generic resource of `kind` cannot manage `path` on any firmware, with the way out; None when it can.

    With `catalog_validation` false, a path the catalog does not know passes when `unknown_path_problem`
    finds nothing (the appliance decides the rest at plan); a known path is judged as always."""
    resource = RESOURCE_TYPES[kind]
    if path.startswith("/") or path.endswith("/"):
        return f"{path!r}: write the path below /api/configuration without leading or trailing '/' (policies/indexing)"
    e = endpoints.get(path) if path else None
    if e is None and not catalog_validation and path:
        return unknown_path_problem(endpoints, path, resource)
    if e is None:
        return f"the catalog does not know the endpoint {path!r}; {nearest(endpoints, path, kind)}; {OPT_OUT}"
    if e.resource_type is not None:
        return f"{path} has a typed resource: use {e.resource_type} instead of {resource}"
    if e.is_container:
        listed = ", ".join(f"{path}/{c}" for c in e.children)
        return f"{path} is a container, which holds no configuration of its own; its endpoints are {listed}"
    if e.is_write_once or e.write_only:
        return _secret(path, e, resource)
    if not e.writable:
        return (
            f"{path} is read-only over REST: change it in the SPS web interface; read it with "
            f'data "sps_object" (or stop managing it)'
        )
    if kind == "object" and e.is_singleton:
        return f"{path} is a singleton (one object, no keys): manage it with sps_settings"
    if kind == "settings" and e.is_collection:
        return f"{path} is a collection of objects under keys: manage each object with sps_object"
    return None


def _secret(path: str, e: Endpoint, resource: str) -> str:
    inside = "" if e.path == path else f"lies inside {e.path}, which "
    return (
        f"{path} {inside}holds secrets ({'write-once secret objects' if e.is_write_once else 'a write-only value'}), "
        f"which {resource} does not manage: set secrets through the typed resources' write-only attributes "
        "(e.g. sps_ldap_server's bind_password_wo), which never keep them in state"
    )


def unknown_path_problem(endpoints: Endpoints, path: str, resource: str) -> str | None:
    """Why `path`, which the catalog does not know, cannot be an endpoint `resource` reaches with
    catalog validation off, or None: each segment is a name (no keys, dots or URL delimiters), and
    no known endpoint above it is a secret (whatever the flag) or holds objects under keys (then
    `path` names an object, not an endpoint). What lies below the deepest known container is the
    appliance's to say (`live_kind`, at plan)."""
    bad = [s for s in path.split("/") if not SEGMENT.fullmatch(s)]
    if bad:
        return (
            f"{path!r}: {bad[0]!r} is no endpoint name; an endpoint path is names of letters, digits, _ and - "
            "joined by '/' (policies/indexing)"
        )
    segments = path.split("/")
    for n in range(1, len(segments)):
        above = endpoints.get("/".join(segments[:n]))
        if above is None:
            break
        if above.is_write_once or above.write_only:
            return _secret(path, above, resource)
        if above.is_singleton:
            return f"{path} lies inside {above.path}, a singleton (one body, no endpoints below it)"
        if not above.is_container:
            return (
                f"{path} lies inside {above.path}, a collection whose objects are under keys, not endpoints: "
                f"manage an object there with {above.resource_type or 'sps_object'} and its key"
            )
    return None


def discovered(path: str, kind: EndpointKind) -> Endpoint:
    """The row of an endpoint the catalog does not know, of the kind the appliance showed (an
    object body, no references, no firmware range: the appliance's own tree is the authority)."""
    return Endpoint(path=path, kind=kind, description=NOT_IN_CATALOG)


def endpoint_for(endpoints: Endpoints, path: str, kind: GenericKind) -> Endpoint:
    """The endpoint `path` names: the catalog's, else (catalog validation off) one of `kind`'s shape."""
    return endpoints.get(path) or discovered(path, SHAPES[kind])


def live_kind(answer: Any) -> EndpointKind | None:
    """The shape of an endpoint from its GET: `body` a singleton, `items` a collection (or a
    container, which the caller tells by the items' lack of bodies), else None."""
    if isinstance(answer, dict) and "body" in answer:
        return "singleton"
    if isinstance(answer, dict) and isinstance(answer.get("items"), list):
        return "collection"
    return None


def nearest(endpoints: Endpoints, path: str, kind: GenericKind) -> str:
    """The known paths closest to `path` that the resource of `kind` can manage, as a sentence."""
    fitting = [e.path for e in endpoints if fits(e, kind)]
    close = difflib.get_close_matches(path, fitting, n=NEAREST, cutoff=0.4)
    if not close:
        top = path.split("/", 1)[0]
        close = [p for p in fitting if p.split("/", 1)[0] == top][:NEAREST] or fitting[:NEAREST]
    return "nearest known paths: " + ", ".join(close) + " (docs/coverage.md lists every endpoint)"


def fits(e: Endpoint, kind: GenericKind) -> bool:
    """Whether the generic resource of `kind` may manage the known endpoint `e` (`path_problem` is None)."""
    shaped = e.is_singleton if kind == "settings" else e.is_collection and not e.is_write_once
    return shaped and e.writable and not e.write_only and e.resource_type is None


def firmware_problem(endpoints: Endpoints, e: Endpoint, version: str, resource: str) -> str | None:
    """Why `resource` cannot write `e` on an appliance running `version`, or None."""
    if not endpoints.exists_on(e.path, version):
        return (
            f"the appliance runs SPS {version}, which has no {e.path} ({e.versions.describe()}); remove this "
            f"{resource} from the configuration for this appliance"
        )
    if not e.writable_on(version):
        return (
            f"the appliance runs SPS {version}, where {e.path} is read-only over REST ({e.versions.describe()}); "
            f'change it in the SPS web interface and read it with data "sps_object", or stop managing it '
            "(`terraform state rm`, or a `removed` block with `destroy = false`)"
        )
    return None


# -- bodies -----------------------------------------------------------------------------------
def parse_body(text: Any, e: Endpoint | None) -> tuple[Any, str | None]:
    """The JSON value `text` holds, or why it cannot be `e`'s body: a JSON object, except for a
    singleton whose pages print another JSON type (a list or a string, ADR 0017)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:
        return None, f"is not valid JSON ({exc}); write it with jsonencode({{...}})"
    wanted = e.body if e is not None else "object"
    if not isinstance(value, BODY_PYTHON_TYPES[wanted]):
        what = {"object": "a JSON object", "list": "a JSON list", "string": "a JSON string"}[wanted]
        where = f" ({e.path}'s documented body)" if e is not None and wanted != "object" else ""
        return None, f"must be {what}{where}, got {type(value).__name__}"
    return value, None


def canonical(value: Any) -> str:
    """One spelling per JSON value (sorted keys, no spaces): state and constructs write bodies so."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _is_reference(value: Any) -> bool:
    """The API's form of a reference: `{"key": ..., "meta": {"href": ...}}` and nothing else."""
    return (
        isinstance(value, dict)
        and value.keys() == {"key", "meta"}
        and isinstance(value["meta"], dict)
        and ("href" in value["meta"])
    )


def normalized(value: Any, references: Mapping[str, str] = {}) -> Any:
    """`value` (a body: never a reference itself, whatever fields it holds) with every reference
    in it as its key: any `{key, meta: {href}}` object, and the endpoint's documented reference
    fields (dotted, through lists) when they hold an object with a key."""
    out = {k: _plain(v) for k, v in value.items()} if isinstance(value, dict) else _plain(value)
    for dotted in references:
        out = _key_at(out, dotted.split("."))
    return out


def _plain(value: Any) -> Any:
    if _is_reference(value):
        return value["key"]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _key_at(value: Any, steps: list[str]) -> Any:
    if isinstance(value, list):
        return [_key_at(v, steps) for v in value]
    if not isinstance(value, dict) or steps[0] not in value:
        return value
    inner = value[steps[0]]
    if len(steps) > 1:
        inner = _key_at(inner, steps[1:])
    elif isinstance(inner, dict) and "key" in inner:
        inner = inner["key"]
    elif isinstance(inner, list):
        inner = [i["key"] if isinstance(i, dict) and "key" in i else i for i in inner]
    return {**value, steps[0]: inner}


def projected(held: Any, named: Any) -> Any:
    """What `held` (the appliance's body) holds of the fields `named` (a configured body) names,
    at every level: objects keep only the named keys they have (under `named`'s spelling: Terraform
    holds keys in NFC); lists of the same length are projected element by element; anything else
    is `held` as it is."""
    if isinstance(named, dict) and isinstance(held, dict):
        keys = by_nfc(held)
        spelled = {k: spelling(held, k, keys) for k in named}
        return {k: projected(held[s], v) for k, v in named.items() if (s := spelled[k]) is not None}
    if isinstance(named, list) and isinstance(held, list) and len(named) == len(held):
        return [projected(h, n) for h, n in zip(held, named, strict=True)]
    return held


def covers(held: Any, named: Any) -> bool:
    """Whether `held` holds every value `named` names (fields `named` does not name aside), as
    Terraform holds values (`equivalent`)."""
    return equivalent(projected(held, named), named)


def body_state(text: Any, held: Any, references: Mapping[str, str] = {}) -> str:
    """The `body` attribute for state after reading `held` from the appliance: what it holds of
    the fields the body `text` names; `text` itself while it is the same JSON value (the user's
    spelling stays, so formatting never diffs), else the held values canonically spelled."""
    held = normalized(held, references)
    try:
        named = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        named = None
    if named is None:
        return canonical(held)
    seen = projected(held, named)
    return text if equivalent(seen, named) else canonical(seen)


def planned_body(prior: Any, config: Any) -> Any:
    """The body a plan proposes: the prior state's text when it already holds every value the
    configured text names (Terraform then shows no change), else the configured text."""
    if not isinstance(prior, str) or not isinstance(config, str):
        return config
    try:
        return prior if covers(json.loads(prior), json.loads(config)) else config
    except ValueError:
        return config
