"""Bad input fails early and clearly, and never leaves an appliance half-changed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from cdktf import App, TerraformStack

from sps_constructs import (
    AccessControl,
    AccessControlSubjectEverybody,
    Appliance,
    AuditPolicy,
    AuditPolicyEncryptionDisabled,
    AuditPolicySigningDisabled,
    ChannelActions,
    MssqlAuthenticationPolicy,
    MssqlChannelPolicy,
    MssqlConnectionPolicy,
    MssqlConnectionPolicyPolicies,
    MssqlSettingsPolicy,
    Network,
    RdpChannelPolicy,
    SpsConfigError,
    SshAuthenticationPolicy,
    SshChannelPolicy,
    SshChannelPolicyRules,
    SshConnectionPolicy,
    SshConnectionPolicyPolicies,
    SshSettingsPolicy,
)
from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block


def two_appliances() -> tuple[App, Appliance, Appliance]:
    app = App(outdir="/tmp/unused-cdktf-out")
    stack = TerraformStack(app, "s")
    return app, Appliance(stack, "eu", url="https://eu.example"), Appliance(stack, "us", url="https://us.example")


def audit(scope: Appliance, name: str = "a") -> AuditPolicy:
    return AuditPolicy(scope, name, name=name, encryption=AuditPolicyEncryptionDisabled(),
                       signing=AuditPolicySigningDisabled())  # fmt: skip


def policies(sps: Appliance, audit_policy: object) -> MssqlConnectionPolicyPolicies:
    return MssqlConnectionPolicyPolicies(
        audit_policy=audit_policy,  # type: ignore[arg-type]
        channel_policy=MssqlChannelPolicy.builtin(sps, "default"),
        settings=MssqlSettingsPolicy.builtin(sps, "default"),
        authentication_policy=MssqlAuthenticationPolicy.builtin(sps, "default"),
    )


NETWORK = Network(clients=["10.0.0.0/8"], targets=["10.0.0.1/32"], ports=[1433])


def test_invalid_enum_fails_at_synth_naming_construct_and_attribute() -> None:
    _, eu, _ = two_appliances()
    with pytest.raises(SpsConfigError) as err:
        MssqlConnectionPolicy(
            eu, "db", name="db", network=NETWORK, policies=policies(eu, audit(eu)),
            access_control=[AccessControl(
                authorizer="dbas", permission="admin", subject=AccessControlSubjectEverybody())],
        )  # fmt: skip
    assert err.value.where == "s/eu/db (sps_mssql_connection_policy)"
    assert err.value.attribute == "access_control[0].permission"
    assert "'admin' is not one of 'audit', 'authorize', 'audit_and_authorize'" in str(err.value)


def test_invalid_name_fails_at_synth() -> None:
    _, eu, _ = two_appliances()
    with pytest.raises(SpsConfigError, match=r"s/eu/bad \(sps_audit_policy\): name: must not contain whitespace"):
        AuditPolicy(eu, "bad", name="has space", encryption=AuditPolicyEncryptionDisabled(),
                    signing=AuditPolicySigningDisabled())  # fmt: skip


def test_reference_across_appliances_fails_at_synth() -> None:
    _, eu, us = two_appliances()
    eu_audit = audit(eu)
    with pytest.raises(SpsConfigError) as err:
        MssqlConnectionPolicy(us, "db", name="db", network=NETWORK, policies=policies(us, eu_audit))
    assert err.value.attribute == "policies.audit_policy"
    assert "references s/eu/a on appliance 'eu'" in str(err.value) and "cannot cross appliances" in str(err.value)


def test_reference_of_the_wrong_type_fails_at_synth() -> None:
    _, eu, _ = two_appliances()
    with pytest.raises(SpsConfigError, match="must reference sps_audit_policy, got sps_mssql_channel_policy"):
        MssqlConnectionPolicy(eu, "db", name="db", network=NETWORK,
                              policies=policies(eu, MssqlChannelPolicy.builtin(eu, "default")))  # fmt: skip


def ssh_policies(sps: Appliance, channel_policy: object, audit_policy: object = None) -> SshConnectionPolicyPolicies:
    return SshConnectionPolicyPolicies(
        audit_policy=audit_policy or audit(sps),  # type: ignore[arg-type]
        authentication_policy=SshAuthenticationPolicy.builtin(sps, "default"),
        channel_policy=channel_policy,  # type: ignore[arg-type]
        settings=SshSettingsPolicy.builtin(sps, "default"),
    )


SSH_NETWORK = Network(clients=["10.0.0.0/8"], targets=["10.0.0.2/32"], ports=[22])


def test_an_rdp_channel_policy_given_to_an_ssh_connection_policy_fails_at_synth() -> None:
    _, eu, _ = two_appliances()
    with pytest.raises(SpsConfigError) as err:
        SshConnectionPolicy(eu, "ssh", name="ssh", network=SSH_NETWORK,
                            policies=ssh_policies(eu, RdpChannelPolicy.builtin(eu, "default")))  # fmt: skip
    assert (err.value.where, err.value.attribute) == ("s/eu/ssh (sps_ssh_connection_policy)", "policies.channel_policy")
    assert "must reference sps_ssh_channel_policy, got sps_rdp_channel_policy" in str(err.value)


def overridden_ssh_policy(override: Callable[[Appliance, Appliance], tuple[str, str]]) -> App:
    """A valid SSH connection policy on eu whose reference `override` replaces (path, value)."""
    app, eu, us = two_appliances()
    shell = SshChannelPolicy(eu, "shell", name="shell", rules=[SHELL_RULE])
    ssh = SshConnectionPolicy(eu, "ssh", name="ssh", network=SSH_NETWORK, policies=ssh_policies(eu, shell))
    ssh.add_override(*override(eu, us))
    return app


SHELL_RULE = SshChannelPolicyRules(channel="session-shell", actions=ChannelActions(audit=True))


def test_references_set_by_an_override_are_checked_by_the_synth_aspect() -> None:
    """`add_override` bypasses the constructor; the Aspect checks what Terraform would receive."""
    overridden_ssh_policy(
        lambda eu, _: ("policies.channel_policy", SshChannelPolicy(eu, "other", name="other", rules=[SHELL_RULE]).key)
    ).synth()  # the same type on the same appliance is fine

    app = overridden_ssh_policy(lambda eu, _: ("policies.channel_policy", RdpChannelPolicy.builtin(eu, "default").key))
    with pytest.raises(Exception, match=r"s/eu/ssh \(sps_ssh_connection_policy\): policies.channel_policy: must "
                                        r"reference sps_ssh_channel_policy, got sps_rdp_channel_policy"):  # fmt: skip
        app.synth()

    app = overridden_ssh_policy(lambda _, us: ("policies.audit_policy", audit(us, "us_audit").key))
    with pytest.raises(Exception, match=r"policies.audit_policy: references s/us/us_audit on appliance 'us'.*"
                                        r"cannot cross appliances"):  # fmt: skip
        app.synth()


def test_a_key_string_instead_of_a_construct_is_refused() -> None:
    _, eu, _ = two_appliances()
    with pytest.raises(SpsConfigError, match="pass the construct, not its key"):
        MssqlConnectionPolicy(eu, "db", name="db", network=NETWORK, policies=policies(eu, "78101850949e47437dd91d"))


def test_unknown_builtin_name_lists_the_known_ones() -> None:
    _, eu, _ = two_appliances()
    with pytest.raises(SpsConfigError, match=r"no built-in named 'nope' \(known: 'default'\)"):
        MssqlChannelPolicy.builtin(eu, "nope")  # type: ignore[arg-type]


def test_duplicate_names_on_one_appliance_fail_the_synth_aspect() -> None:
    app, eu, us = two_appliances()
    audit(eu, "a")
    audit(us, "a")  # same name on another appliance is fine
    AuditPolicy(eu, "b", name="a", encryption=AuditPolicyEncryptionDisabled(), signing=AuditPolicySigningDisabled())
    with pytest.raises(Exception, match=r"sps_audit_policy named 'a' is also defined by s/eu/a"):
        app.synth()


def test_mistakes_only_the_appliance_sees_are_caught_at_plan(simulator: RunningSimulator, tf: Terraform) -> None:
    """A missing key, a key of the wrong type (another protocol's channel policy), a NIC address the
    NIC lacks (the `nic` overlay) and a name already taken are known values only the appliance can
    judge: read-only lookups at plan refuse them, naming resource and attribute."""
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS
        + provider_block(simulator)
        + """
resource "sps_mssql_connection_policy" "this" {
  name    = "db"
  network = { clients = ["10.0.0.0/8"], targets = ["10.0.0.1/32"], ports = [1433] }
  policies = {
    audit_policy          = "-30700102"
    authentication_policy = "-30700201"
    channel_policy        = "-30700102"
    settings              = "no-such-settings-policy"
  }
}
resource "sps_ssh_connection_policy" "wrong_protocol" {
  name    = "ssh"
  network = { clients = ["10.0.0.0/8"], targets = ["10.0.0.2/32"], ports = [22] }
  policies = {
    audit_policy          = "78101850949e47437dd91d"
    authentication_policy = "-200"
    channel_policy        = "-20100"
    settings              = "-300"
  }
}
resource "sps_audit_policy" "dup" {
  name       = "default"
  encryption = { enabled = false }
  signing    = { enabled = false }
}
resource "sps_local_services_cluster" "this" {
  enabled        = true
  listen_address = "nic1.interfaces.ff7574025754b3df1647001.addresses.9"
}
"""
    )
    tf.init()
    before = simulator.stats()["commits"]
    result = tf.run("plan", "-no-color", check=False)
    text = " ".join(result.stderr.split())
    assert result.returncode == 1
    assert "policies.settings: no sps_mssql_settings_policy has the key 'no-such-settings-policy'" in text, text
    assert "policies.audit_policy: no sps_audit_policy has the key '-30700102'" in text, text
    assert "with sps_mssql_connection_policy.this" in text
    assert (
        "policies.channel_policy: no sps_ssh_channel_policy has the key '-20100' on the appliance "
        "(/api/configuration/ssh/channel_policies); it is the key of an sps_rdp_channel_policy, another protocol's"
    ) in text, text
    assert "name: another sps_audit_policy is already named 'default'" in text, text
    assert 'in resource "sps_audit_policy" "dup": ' in text, text[-1500:]
    assert re.search(r'\d+: name = "default"', text), "the name attribute is underlined"
    assert (
        "listen_address: 'nic1.interfaces.ff7574025754b3df1647001.addresses.9': interface "
        "'ff7574025754b3df1647001' of nic1 has no address '9' on the appliance (/api/configuration/network/nics)"
    ) in text, text
    assert simulator.stats()["commits"] == before and tf.resources() == {}


def test_plan_time_union_error_names_branch_and_field(simulator: RunningSimulator, tf: Terraform) -> None:
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS
        + provider_block(simulator)
        + """
resource "sps_audit_policy" "this" {
  name       = "signed"
  encryption = { enabled = false }
  signing    = { enabled = true }
}
"""
    )
    tf.init()
    result = tf.run("plan", "-no-color", check=False)
    assert result.returncode == 1
    assert "signing.x509_identity: is required when enabled is true" in result.stderr
    assert "with sps_audit_policy.this" in result.stderr


def test_after_failed_commits_nothing_is_changed(simulator: RunningSimulator, tf: Terraform) -> None:
    blocks = "".join(
        f'resource "sps_audit_policy" "p{i}" {{\n  name = "p{i}"\n  encryption = {{ enabled = false }}\n'
        f"  signing = {{ enabled = false }}\n}}\n"
        for i in range(4)
    )
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(simulator) + blocks)
    tf.init()
    before = simulator.committed()
    simulator.set_faults(fail_commits=1000)
    result = tf.run("apply", "-auto-approve", "-no-color", check=False)
    assert result.returncode == 1
    assert "injected commit failure" in result.stderr
    assert simulator.committed() == before
    stats = simulator.stats()
    assert stats["open_transactions"] == 0 and not stats["lock_held"]
    assert tf.resources() == {}

    simulator.set_faults(fail_commits=1)  # the group commit fails once; each change is retried alone
    tf.apply()
    assert len(tf.resources()) == 4
    names = {b["name"] for b in simulator.committed()["policies/audit_policies"].values()}
    assert {"p0", "p1", "p2", "p3"} <= names


def test_cleanup_days_above_the_protocols_global_retention_warn_at_plan_and_fail_the_commit(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """S000: a connection policy's channel_database_cleanup.days must not exceed the protocol's
    global retention. Plan warns (the same apply could raise the global one); SPS refuses the
    commit, and nothing is changed."""

    def write(days: int, policy: bool) -> None:
        connection = f"""
resource "sps_mssql_connection_policy" "this" {{
  name                     = "db"
  network                  = {{ clients = ["10.0.0.0/8"], targets = ["10.0.0.1/32"], ports = [1433] }}
  channel_database_cleanup = {{ enabled = true, days = {days} }}
  policies = {{
    audit_policy          = "78101850949e47437dd91d"
    authentication_policy = "-30700201"
    channel_policy        = "-30700102"
    settings              = "-30700301"
  }}
}}
"""
        options = """
resource "sps_mssql_options" "this" {
  channel_database_cleanup = { enabled = true, days = 365 }
  service                  = { enabled = true, log_level = 4 }
}
"""
        (tf.workdir / "main.tf").write_text(
            REQUIRED_PROVIDERS + provider_block(simulator) + options + (connection if policy else "")
        )

    write(0, policy=False)
    tf.init()
    tf.apply()
    write(400, policy=True)
    plan = " ".join(tf.run("plan", "-no-color").stdout.split())
    assert "Warning: sps_mssql_connection_policy exceeds a global option of this appliance" in plan, plan
    assert (
        "channel_database_cleanup.days is 400, more than the channel_database_cleanup.days of sps_mssql_options" in plan
    )
    before = simulator.committed()
    result = tf.apply_unchecked()
    err = " ".join(result.stderr.split())
    assert result.returncode == 1 and "channel_database_cleanup.days is 400, more than the global" in err, err
    assert simulator.committed() == before
    write(365, policy=True)
    tf.apply()
    assert not tf.plan_changes()
