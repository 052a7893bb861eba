"""One login per session role (reader, writer) per provider process, and credentials checked once
in ConfigureProvider: a wrong password is one failed login on the appliance and one error, never
enough attempts to trip brute-force protection. Counted with the simulator's login counters.

Terraform starts the provider once per graph walk: `terraform apply` starts one for the plan
(ConfigureProvider logs the reader in: 1 login) and one for the apply (reader + the coordinator's
writer: 2 logins); validation needs no login."""

from __future__ import annotations

from sps_harness import RunningSimulator, Terraform
from tests.support.audit_policies import assert_consistent, names, write_policies
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

PLAN_AND_APPLY_LOGINS = 1 + 2


def test_apply_of_40_at_parallelism_40_logs_in_once_per_role_and_process(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, names(40))
    tf.init()
    simulator.set_faults(latency=0.2)  # a real appliance's answer time: the first calls overlap the login
    before = simulator.stats()
    tf.apply("-parallelism=40")
    after = simulator.stats()
    assert after["logins"] - before["logins"] <= PLAN_AND_APPLY_LOGINS, (before, after)
    assert after["failed_logins"] == 0
    assert len(tf.resources()) == 40
    assert_consistent(simulator, tf)


def test_a_wrong_password_is_one_failed_login_and_one_error_naming_url_and_user(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, names(10))
    main_tf = tf.workdir / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('password = "admin"', 'password = "guess"'))
    tf.init()
    result = tf.apply_unchecked("-parallelism=40")
    assert result.returncode == 1
    error = " ".join(result.stderr.split())
    assert result.stderr.count("Error: ") == 1, result.stderr
    assert f"Error: Cannot log in to SPS at {simulator.url} as 'admin'" in error, error
    assert "AuthenticationFailure" in error and "Too many failed login attempts" not in error, error
    stats = simulator.stats()
    assert stats["failed_logins"] == 1 and stats["commits"] == 0, stats
    # The runner is not locked out: the right password works at once.
    main_tf.write_text(main_tf.read_text().replace('password = "guess"', 'password = "admin"'))
    tf.apply("-parallelism=40")
    assert len(tf.resources()) == 10
    assert simulator.stats()["failed_logins"] == 1


def test_two_provider_configurations_with_a_wrong_password_give_one_error_each(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    blocks = "".join(
        f'resource "sps_audit_policy" "{a}{i}" {{\n  provider = sps.{a}\n  name = "{a}{i}"\n'
        f"  encryption = {{ enabled = false }}\n  signing = {{ enabled = false }}\n}}\n"
        for a in ("eu", "us")
        for i in range(3)
    )
    providers = provider_block(simulator, "eu") + provider_block(simulator, "us")
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS + providers.replace('password = "admin"', 'password = "nope"') + blocks
    )
    tf.init()
    result = tf.apply_unchecked()
    assert result.returncode == 1
    assert result.stderr.count("Error: Cannot log in to SPS at") == 2, result.stderr
    assert result.stderr.count("Error: ") == 2, result.stderr
    assert simulator.stats()["failed_logins"] == 2
