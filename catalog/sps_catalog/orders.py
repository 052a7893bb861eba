"""The order types: one per ordered collection, holding which of its objects come first (ADR 0014).

SPS evaluates connection policies in the order of their collection, kept at `<collection>/@order`
([S000]: the list's `meta.order` link). The order is no object of the collection, so it is a type
of its own, derived here from every `ordered_collection` (a protocol added to the
connection-policy family gets its order type with no further definition): `keys` lists the
objects it places, by reference, and the objects it does not list keep their places.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sps_catalog.model import Field, TypeDef, Value

KEYS = "keys"
ORDER_KEY = "@order"
"""The body field of `<collection>/@order`, and the last step of its path (its import ID)."""


def order_type(t: TypeDef) -> TypeDef:
    """The order type of the ordered collection `t`."""
    keys = Field(
        name=KEYS,
        type="list",
        element=Value(type="reference", target=t.terraform_name),
        required=True,
        description=(
            f"Keys of the `{t.resource_type}` objects this resource places, in the order SPS evaluates them "
            "(first match wins). Objects not listed keep their places; listed ones take, in this order, the "
            "places the listed ones hold."
        ),
    )
    return TypeDef(
        terraform_name=f"{t.terraform_name}_order",
        title=f"{t.title} order",
        path=f"{t.path}/{ORDER_KEY}",
        kind="order",
        description=(
            f"The order in which SPS evaluates `{t.resource_type}` objects (`{t.api_path}/{ORDER_KEY}`), for "
            f"the objects listed in `{KEYS}` relative to each other: a replaced or recreated object, which SPS "
            "appends to the end, is put back in its place. Changing the order sends only the new order, never "
            "the objects. Destroying the resource leaves the order as it is. The request format of "
            f"`{ORDER_KEY}` is not documented (ADR 0014)."
        ),
        sources=t.sources,
        fields=(keys,),
        versions=t.versions,
        orders=t.terraform_name,
    )


def order_types(types: Mapping[str, TypeDef]) -> dict[str, TypeDef]:
    """terraform name -> order type, for every ordered collection in `types`."""
    derived = (order_type(t) for t in types.values() if t.is_ordered)
    return {o.terraform_name: o for o in derived}


def placed(wanted: Sequence[str], current: Sequence[str]) -> list[str]:
    """The whole order to send: `current` with the places its `wanted` keys hold filled by `wanted`,
    in that order; keys not wanted stay where they are. A wanted key SPS does not hold raises
    KeyError (SPS takes an order only when it lists every key once)."""
    missing = [k for k in wanted if k not in current]
    if missing:
        raise KeyError(", ".join(missing))
    chosen = set(wanted)
    queue = iter(wanted)
    return [next(queue) if k in chosen else k for k in current]
