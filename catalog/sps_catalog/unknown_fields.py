"""Fields the catalog does not model: kept on update, and set through `extra_json`.

A PUT replaces the whole object, so a body built from the modelled attributes alone would delete
every field a newer firmware (or an undocumented option) holds. `keep_unknown` puts them back,
from the object as the transaction sees it just before the PUT (docs/adr/0007). `extra_json` is
the one attribute per type for fields the catalog does not model: what it sets is managed (merged
into the body, read back, diffed); what it does not set and the catalog does not model is kept
as the appliance holds it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sps_catalog.equivalence import by_nfc, equivalent, nfc, spelling
from sps_catalog.model import Field, Value
from sps_catalog.values import UNKNOWN, Path, Problem
from sps_catalog.walk import OMIT, Rebuild

EXTRA_JSON = "extra_json"
EXTRA_JSON_DESCRIPTION = (
    "Fields the catalog does not model, as a JSON object merged into the body SPS receives (nested "
    "objects merge field by field). The fields it sets are managed: read back and shown in plan. "
    "Fields it does not set and the catalog does not model are kept as the appliance holds them. "
    "It cannot set modelled fields (use their attributes)."
)


def keep_unknown(value: Value, sent: Any, current: Any) -> Any:
    """`sent` plus the fields of `current` the catalog does not model, at every nesting level; an
    unmodelled object `sent` names too (through `extra_json`) keeps the fields `sent` leaves out.

    List elements are matched by their modelled content, then by position. A union object whose
    branch changes keeps no unknown fields of its own: they belonged to the old branch.
    """
    if value.type == "list" and value.element is not None and isinstance(sent, list) and isinstance(current, list):
        return _keep_in_list(value.element, sent, current)
    if value.type != "object" or not isinstance(sent, dict) or not isinstance(current, dict):
        return sent
    known = {f.name: f for f in value.all_fields()}
    out = dict(sent)
    same_branch = value.union is None or current.get(value.union.discriminator) == sent.get(value.union.discriminator)
    if same_branch:
        sent_keys, held_keys = by_nfc(out), by_nfc(current)
        for name, item in current.items():
            if name in known:
                continue
            spelled = _sent_as(name, out, sent_keys, current, held_keys, known)
            if spelled is None:
                out[name] = item
            elif isinstance(item, dict) and isinstance(out[spelled], dict):
                out[spelled] = overlay(item, out[spelled])  # extra_json set some of its fields: the rest stay
    follow = known if same_branch else {f.name: f for f in value.fields}
    for name, f in follow.items():
        if name in out and name in current:
            out[name] = keep_unknown(f, out[name], current[name])
    return out


def _sent_as(name: str, sent: dict[str, Any], sent_keys: dict[str, str], current: dict[str, Any],
             held_keys: dict[str, str], known: Mapping[str, Field]) -> str | None:  # fmt: skip
    """The key of `sent` that names the held unmodelled field `name`: the same spelling, else the
    one unmodelled key equal to it up to NFC when neither side holds another (a held twin the body
    does not spell exactly, or one equal to a modelled name, is another field, kept)."""
    if name in sent:
        return name
    spelled = sent_keys.get(nfc(name))
    if spelled is None or spelled in known or spelled in current:
        return None
    return spelled if held_keys.get(nfc(name)) == name else None


def _keep_in_list(element: Value, sent: list[Any], current: list[Any]) -> list[Any]:
    """Every sent element that equals a held one in modelled content takes its fields first (a new
    element in front must not take the place of one still sent), then the rest by position."""
    modelled = [modelled_only(element, c) for c in current]
    unused = set(range(len(current)))
    matched: dict[int, int] = {}
    for i, item in enumerate(sent):
        mine = modelled_only(element, item)
        match = next((j for j in sorted(unused) if modelled[j] == mine), None)
        if match is not None:
            matched[i] = match
            unused.discard(match)
    for i in range(len(sent)):
        if i not in matched and i in unused:
            matched[i] = i
            unused.discard(i)
    return [keep_unknown(element, item, current[matched[i]]) if i in matched else item for i, item in enumerate(sent)]


class _ModelledOnly(Rebuild):
    tracks_path = False
    select = "present"

    def field(self, parent: Value, f: Field, item: Any, path: Path) -> Any:
        return OMIT if item is None else item

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        return v.get("key") if spec.type == "reference" and isinstance(v, dict) else v


modelled_only = _ModelledOnly()
"""A body without unknown fields, references as plain keys (to compare request and response forms)."""


def unknown_only(value: Value, body: Any) -> dict[str, Any]:
    """The fields of `body` the catalog does not model, nested objects included (what a data
    source shows as `extra_json`); list elements are not looked into."""
    if value.type != "object" or not isinstance(body, dict):
        return {}
    known = {f.name: f for f in value.all_fields()}
    out: dict[str, Any] = {}
    for name, item in body.items():
        if name not in known:
            out[name] = item
        elif known[name].type == "object" and (inner := unknown_only(known[name], item)):
            out[name] = inner
    return out


# -- extra_json -------------------------------------------------------------------------------
def parse_extra(text: Any, path: Path = (EXTRA_JSON,)) -> tuple[dict[str, Any] | None, Problem | None]:
    """The object `extra_json` holds (None when unset), or the problem with it."""
    if text is None:
        return None, None
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        return None, Problem(path, f"is not valid JSON ({exc})")
    if not isinstance(parsed, dict):
        return None, Problem(path, "must be a JSON object")
    return parsed, None


def extra_problems(value: Value, extra: dict[str, Any], path: Path = (EXTRA_JSON,),
                   values: Any = UNKNOWN) -> list[Problem]:  # fmt: skip
    """Fields of `extra` the catalog models: those are set through their own attributes. With the
    configuration's `values` (defaults applied), also fields set inside a modelled object the
    configuration leaves null: the body would hold that object with none of its modelled fields."""
    known = {f.name: f for f in value.all_fields()}
    problems: list[Problem] = []
    for name, item in extra.items():
        f = known.get(name)
        if f is None:
            continue
        modelled = ".".join(str(p) for p in (*path[1:], name))
        inner = values.get(name) if isinstance(values, dict) else UNKNOWN
        if f.type == "object" and isinstance(item, dict) and item and inner is None:
            problems.append(Problem((*path, name), f"sets fields inside {modelled}, which the configuration leaves "
                                    f"null: set the attribute {modelled}, or leave it out of extra_json"))  # fmt: skip
        elif f.type == "object" and isinstance(item, dict):
            problems += extra_problems(f, item, (*path, name), inner)
        else:
            problems.append(Problem((*path, name), f"{modelled!r} is modelled: set the attribute {modelled} instead"))
    return problems


def overlay(under: Any, over: Any) -> Any:
    """`under` with `over` laid over it, objects field by field, anything else replaced by `over`:
    the body SPS receives from the one it holds (fields `over` does not name are sent back as they
    are, never deleted), and `extra_json` merged into the modelled body. A field `over` names in
    another Unicode normalization than `under` takes `over`'s spelling (Terraform holds NFC)."""
    if not isinstance(under, dict) or not isinstance(over, dict):
        return over
    out = dict(under)
    keys = by_nfc(under)
    for k, v in over.items():
        spelled = spelling(under, k, keys)
        if spelled is None:
            out[k] = v
            continue
        if spelled != k:
            del out[spelled]
        out[k] = overlay(under[spelled], v)
    return out


def read_extra(extra: dict[str, Any], body: Any) -> dict[str, Any]:
    """What the appliance holds for the fields `extra` sets, under `extra`'s spelling of their
    names (Terraform holds names in NFC; a field the appliance lacks is left out)."""
    out: dict[str, Any] = {}
    if not isinstance(body, dict):
        return out
    names = by_nfc(body)
    for name, item in extra.items():
        if (spelled := spelling(body, name, names)) is None:
            continue
        held = body[spelled]
        out[name] = read_extra(item, held) if isinstance(item, dict) and isinstance(held, dict) else held
    return out


def canonical(value: Any) -> str:
    """One spelling per JSON value (sorted keys, no spaces), so formatting never shows as a change."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def same_json(text: Any, value: Any) -> bool:
    """Whether the JSON text `text` holds `value`, as Terraform holds values (`equivalent`)."""
    if not isinstance(text, str):
        return False
    try:
        return equivalent(json.loads(text), value)
    except ValueError:
        return False


def extra_state(planned_text: Any, extra: dict[str, Any] | None, body: Any) -> Any:
    """`extra_json` for state: the planned text (parsed: `extra`, None when unset or not an object)
    while the appliance holds what it says (the user's spelling stays), else the appliance's values
    for its fields, canonically spelled. "Holds" is as Terraform holds values (`equivalent`): text
    in another Unicode normalization and numbers beyond Terraform's precision are no change."""
    if extra is None:
        return None
    held = read_extra(extra, body)
    return planned_text if equivalent(held, extra) else canonical(held)
