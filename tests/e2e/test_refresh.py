"""Refresh reads each collection once (list items carry bodies) and still sees every change made
outside Terraform: a changed object shows as drift, a deleted one as "must be created"."""

from __future__ import annotations

from sps_harness import RunningSimulator, Terraform
from tests.support.audit_policies import AUDIT, names, write_policies


def test_refresh_of_30_objects_costs_one_list_request_and_sees_drift_and_deletion(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, names(30))
    tf.init()
    tf.apply()
    before = simulator.stats()["requests"]
    assert not tf.plan_changes()
    # login + one GET of the collection (+ the re-login a second provider process may do)
    assert simulator.stats()["requests"] - before <= 3

    keys = {v["name"]: v["key"] for v in tf.resources().values()}
    s = simulator.session()
    base = f"{simulator.url}/api/configuration/{AUDIT}"
    body = s.get(f"{base}/{keys['p3']}").json()["body"]
    s.put(f"{base}/{keys['p3']}", json={**body, "timestamping_enabled": not body["timestamping_enabled"]})
    s.delete(f"{base}/{keys['p9']}")
    s.put(f"{simulator.url}/api/transaction", json={"status": "commit"}).raise_for_status()

    out = tf.run("plan", "-no-color").stdout
    assert "sps_audit_policy.p3 will be updated in-place" in out
    assert "sps_audit_policy.p9 will be created" in out
    assert "2 to add" not in out and "1 to add, 1 to change, 0 to destroy" in out
    tf.apply()
    assert not tf.plan_changes()
