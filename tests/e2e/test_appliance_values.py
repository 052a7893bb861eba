"""Values an appliance holds that Terraform cannot take, through the real terraform: an integer beyond
64 bits makes the refresh at plan fail with a diagnostic naming the resource and the attribute,
instead of "rpc error: code = Unknown desc = Exception calling application: Integer value out of
range"."""

from __future__ import annotations

from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block
from tests.support.simulator_api import out_of_band

SETTINGS = "/api/configuration/mssql/settings_policies"


def test_an_integer_beyond_64_bits_fails_the_refresh_naming_the_attribute(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    resource = 'resource "sps_mssql_settings_policy" "this" {\n  name = "tf_huge"\n}\n'
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(simulator) + resource)
    tf.init()
    tf.apply()
    key = tf.resources()["sps_mssql_settings_policy.this"]["key"]
    body = {"name": "tf_huge", "timeout": 2**70, "inactivity_timeout": {"enabled": False}}
    out_of_band(simulator, "PUT", f"{SETTINGS}/{key}", body)

    result = tf.run("plan", "-no-color", check=False)
    err = " ".join(result.stderr.split())
    assert result.returncode != 0, result.stdout
    assert "Cannot read sps_mssql_settings_policy: SPS holds a value of timeout Terraform cannot hold" in err, err
    assert f"{SETTINGS}/{key} answers timeout that is {2**70}, outside the 64-bit integers" in err, err
    assert "with sps_mssql_settings_policy.this" in err, "Terraform names the resource"
    assert "Integer value out of range" not in err
