"""The jsii-free token check agrees with cdktf's own answer on every kind of value."""

from __future__ import annotations

from typing import Any

import cdktf
import pytest

from sps_constructs.tokens import is_unresolved


def samples() -> list[Any]:
    app = cdktf.App()
    stack = cdktf.TerraformStack(app, "s")
    var = cdktf.TerraformVariable(stack, "v", type="string")
    num = cdktf.TerraformVariable(stack, "n", type="number")
    lst = cdktf.TerraformVariable(stack, "l", type="list(string)")
    return [
        var.string_value,
        f"prefix-{var.string_value}-suffix",
        num.number_value,
        *cdktf.Token.as_list(lst.list_value),
        "plain",
        "",
        "${var.raw}",
        "costs $5 {not a token}",
        0,
        1.5,
        -1e300,
        True,
    ]


@pytest.mark.parametrize("value", samples(), ids=repr)
def test_agrees_with_cdktf(value: Any) -> None:
    assert is_unresolved(value) == cdktf.Token.is_unresolved(value)
