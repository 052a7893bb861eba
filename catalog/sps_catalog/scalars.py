"""The scalar type table: what a catalog scalar is in Terraform, in the constructs and in JSON.

The schema attributes, the constructs generator, validation and the provider settings read it
here, so a scalar kind is described once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

TerraformScalar = Literal["string", "number", "bool"]


@dataclass(frozen=True)
class Scalar:
    terraform: TerraformScalar
    """The cty type of the Terraform attribute."""
    python: str
    """The annotation in generated construct signatures and in `Appliance`."""
    accepts: tuple[type, ...]
    """The JSON values (as Python types) a value of this kind may be."""
    noun: str
    """How an error message names the kind: `must be <noun>`."""


SCALARS: Mapping[str, Scalar] = {
    "string": Scalar("string", "str", (str,), "a string"),
    "reference": Scalar("string", "str", (str,), "a key (string)"),
    "int": Scalar("number", "int", (int,), "a whole number"),
    "number": Scalar("number", "float", (int, float), "a number"),
    "bool": Scalar("bool", "bool", (bool,), "true or false"),
}
