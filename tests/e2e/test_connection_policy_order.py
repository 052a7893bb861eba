"""Ordered connection policies through the real `terraform` (ADR 0014): three policies placed by
`sps_mssql_connection_policy_order`, reordered (the plan shows the order change, the apply writes
only the order), one replaced (SPS appends it; the order resource puts it back), the order
imported, everything destroyed. A policy Terraform does not manage keeps its place throughout."""

from __future__ import annotations

from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block
from tests.support.seed_samples import MSSQL_CONNECTION_BODY, request_form

CONNECTIONS = "/api/configuration/mssql/connections"
ORDER = f"{CONNECTIONS}/@order"
NAMES = ("a", "b", "c")
POLICIES = """
data "sps_mssql_channel_policy" "c" {
  name = "default"
}
data "sps_mssql_settings_policy" "s" {
  name = "default"
}
data "sps_mssql_authentication_policy" "p" {
  name = "default"
}
data "sps_audit_policy" "a" {
  name = "default"
}
""" + "".join(
    f"""
resource "sps_mssql_connection_policy" "{n}" {{
  name = "order_{n}"
  network = {{ clients = ["10.0.0.0/8"], targets = ["10.1.2.{i}/32"], ports = [1433] }}
  policies = {{
    audit_policy = data.sps_audit_policy.a.key
    channel_policy = data.sps_mssql_channel_policy.c.key
    settings = data.sps_mssql_settings_policy.s.key
    authentication_policy = data.sps_mssql_authentication_policy.p.key
  }}
}}
"""
    for i, n in enumerate(NAMES, 1)
)


def write(tf: Terraform, sim: RunningSimulator, names: tuple[str, ...]) -> None:
    keys = ", ".join(f"sps_mssql_connection_policy.{n}.key" for n in names)
    order = f'resource "sps_mssql_connection_policy_order" "o" {{\n  keys = [{keys}]\n}}\n'
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim) + POLICIES + order)


def on_appliance(sim: RunningSimulator) -> list[str]:
    keys: list[str] = sim.session().get(f"{sim.url}{ORDER}").json()["body"]["@order"]
    return keys


def keys_of(tf: Terraform) -> dict[str, str]:
    return {n: tf.resources()[f"sps_mssql_connection_policy.{n}"]["key"] for n in NAMES}


def unmanaged_policy(sim: RunningSimulator) -> str:
    """A policy made on the appliance (the web interface, another configuration), committed."""
    s = sim.session()
    r = s.post(f"{sim.url}{CONNECTIONS}", json={**request_form(MSSQL_CONNECTION_BODY), "name": "made_elsewhere"})
    r.raise_for_status()
    s.put(f"{sim.url}/api/transaction", json={"status": "commit"}).raise_for_status()
    return str(r.json()["key"])


def test_order_create_reorder_replace_import_destroy(simulator: RunningSimulator, tf: Terraform) -> None:
    write(tf, simulator, ("c", "a", "b"))
    tf.init()
    tf.apply()
    k = keys_of(tf)
    assert on_appliance(simulator) == [k["c"], k["a"], k["b"]]
    assert not tf.plan_changes(), "a second plan is empty"
    elsewhere = unmanaged_policy(simulator)  # appended: [c, a, b, elsewhere]

    write(tf, simulator, ("a", "b", "c"))
    plan = tf.run("plan", "-no-color", "-input=false").stdout
    assert "sps_mssql_connection_policy_order.o will be updated in-place" in plan, plan
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in plan, "only the order changes, no policy"
    bodies = {key: simulator.committed()["mssql/connections"][key] for key in k.values()}
    tf.apply()
    assert on_appliance(simulator) == [k["a"], k["b"], k["c"], elsewhere], "the unlisted policy keeps its place"
    assert {key: simulator.committed()["mssql/connections"][key] for key in k.values()} == bodies

    # SPS appends the new b ([a, c, elsewhere, b2]); the order puts it back between a and c, in the
    # places the listed policies hold (elsewhere keeps the third)
    result = tf.apply("-replace=sps_mssql_connection_policy.b")
    assert "1 added, 1 changed, 1 destroyed" in result.stdout, result.stdout
    k2 = keys_of(tf)
    assert k2["b"] != k["b"]
    assert on_appliance(simulator) == [k2["a"], k2["b"], elsewhere, k2["c"]]
    assert not tf.plan_changes()

    tf.run("state", "rm", "sps_mssql_connection_policy_order.o")
    tf.run("import", "-no-color", "-input=false", "sps_mssql_connection_policy_order.o", ",".join(k2[n] for n in NAMES))
    assert not tf.plan_changes(), "the imported order is the configured one"

    tf.destroy()
    assert on_appliance(simulator) == [elsewhere], "destroy removes the policies and leaves the rest"
