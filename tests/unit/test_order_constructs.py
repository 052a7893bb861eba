"""The order constructs (ADR 0014) take the ordered collection's constructs: another protocol's
policy, a key string or a policy of another appliance fails at synth, naming the list element."""

from __future__ import annotations

import pytest
from cdktf import App, TerraformStack

from sps_constructs import (
    Appliance,
    DataMssqlConnectionPolicy,
    DataVncConnectionPolicy,
    MssqlConnectionPolicyOrder,
    SpsConfigError,
)


def appliances() -> tuple[Appliance, Appliance]:
    stack = TerraformStack(App(outdir="/tmp/unused-cdktf-out"), "s")
    return Appliance(stack, "eu", url="https://eu.example"), Appliance(stack, "us", url="https://us.example")


def test_keys_are_the_policies_keys_in_the_given_order() -> None:
    eu, _ = appliances()
    first, second = (DataMssqlConnectionPolicy(eu, n, key=f"k{n}") for n in ("1", "2"))
    order = MssqlConnectionPolicyOrder(eu, "order", keys=[second, first])
    assert order.sps_attributes == {"keys": [second.key, first.key]}
    assert order.sps_type.orders == "mssql_connection_policy"


def test_a_policy_of_another_protocol_fails_at_synth() -> None:
    eu, _ = appliances()
    vnc = DataVncConnectionPolicy(eu, "vnc", key="k")
    with pytest.raises(SpsConfigError) as err:
        MssqlConnectionPolicyOrder(eu, "order", keys=[DataMssqlConnectionPolicy(eu, "m", key="m"), vnc])  # type: ignore[list-item]
    assert err.value.attribute == "keys[1]"
    assert "must reference sps_mssql_connection_policy, got sps_vnc_connection_policy" in str(err.value)


def test_a_key_string_or_another_appliances_policy_fails_at_synth() -> None:
    eu, us = appliances()
    with pytest.raises(SpsConfigError, match="pass the construct, not its key"):
        MssqlConnectionPolicyOrder(eu, "order", keys=["k"])  # type: ignore[list-item]
    with pytest.raises(SpsConfigError, match="cannot cross appliances"):
        MssqlConnectionPolicyOrder(eu, "order2", keys=[DataMssqlConnectionPolicy(us, "m", key="m")])
