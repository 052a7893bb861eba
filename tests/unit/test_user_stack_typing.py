"""A user's stack, outside the repository, type-checks with `mypy --strict` against an ordinary
(non-editable) install of the package, and mypy rejects a value outside an enum, a construct's
missing argument, a wrong type in an argument its catalog family declares once
(`sps_constructs.families`) and a generic object's body that is no JSON value; a generic object
fills a typed construct's reference."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sps_harness.wheel import build as build_wheel

STACK = textwrap.dedent(
    """\
    import cdktf

    from sps_constructs import Appliance, SshConnectionPolicy
    from sps_constructs.shapes import (
        AccessControl,
        AccessControlSubjectEverybody,
        Network,
    )

    app = cdktf.App()
    stack = cdktf.TerraformStack(app, "users")
    eu = Appliance(stack, "eu", url="https://sps.example")
    ok = AccessControl(
        authorizer="dba",
        permission="audit",
        subject=AccessControlSubjectEverybody(),
    )
    wrong = AccessControl(
        authorizer="dba",
        permission="approve",
        subject=AccessControlSubjectEverybody(),
    )
    ssh = SshConnectionPolicy(
        eu,
        "ssh",
        name="ssh",
        network=Network(clients=["10.0.0.0/8"], targets=["10.1.2.3"], ports=[22]),
        active="yes",
    )
    from sps_constructs import DataSpsObject, SpsObject, SpsSettings
    from sps_constructs.shapes import IndexingEnabled

    indexing = SpsObject(eu, "indexing", path="policies/indexing", body={"name": "ocr", "languages": ["en"]})
    SpsSettings(eu, "health", path="management/health_monitoring", body={"maximum_load1": 8})
    found = DataSpsObject(eu, "found", path="policies/indexing", name="default")
    by_generic = IndexingEnabled(policy=indexing)
    by_data = IndexingEnabled(policy=found)
    not_a_body = SpsObject(eu, "bad", path="policies/indexing", body=3)
    """
)


def assert_the_expected_errors(file: str, mypy_output: str) -> None:
    """Exactly the four mistakes of STACK, each where it is made (a generic object fills a typed reference)."""
    errors = [line.rsplit("  [", 1)[0] for line in mypy_output.splitlines() if ": error:" in line]
    assert len(errors) == 4, mypy_output
    assert errors[0].startswith(f'{file}:20: error: Argument "permission"') and "'approve'" in errors[0], mypy_output
    assert errors[1] == f'{file}:23: error: Missing named argument "policies" for "SshConnectionPolicy"', mypy_output
    assert errors[2] == (
        f'{file}:28: error: Argument "active" to "SshConnectionPolicy" has incompatible type "str"; '
        'expected "bool | None"'
    ), mypy_output
    body_error = f'{file}:38: error: Argument "body" to "SpsObject" has incompatible type "int"'
    assert errors[3].startswith(body_error), mypy_output


def test_mypy_strict_on_a_user_stack_from_a_wheel(tmp_path: Path) -> None:
    site, user = tmp_path / "site", tmp_path / "user"
    wheel = build_wheel(tmp_path / "dist")  # as `make dist` builds it, from a copy of the sources
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--no-deps", "--target", site, wheel], check=True)
    user.mkdir()
    (user / "stack.py").write_text(STACK)
    # mypy finds the packages only in the wheel (it does not follow the editable install of this
    # environment), and cdktf and jsii in this environment's site-packages.
    env = {**os.environ, "MYPYPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "stack.py"],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
    )
    assert_the_expected_errors("stack.py", result.stdout)


def test_mypy_strict_on_a_user_stack_outside_the_checkout_with_the_development_install(tmp_path: Path) -> None:
    """The README's own virtualenv: `.venv/bin/mypy --strict main.py` in a folder of the user's,
    with no MYPYPATH (make install's sps_as_code_src.pth makes the checkout visible to mypy)."""
    (tmp_path / "main.py").write_text(STACK)
    mypy = Path(sys.executable).parent / "mypy"
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    result = subprocess.run(
        [str(mypy), "--strict", "--no-incremental", "main.py"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert_the_expected_errors("main.py", result.stdout)


FAMILIES_STACK = textwrap.dedent(
    """\
    import cdktf

    from sps_constructs import (
        Appliance, AuditPolicy, ChannelActions, HttpAuthenticationPolicy, HttpChannelPolicy,
        HttpChannelPolicyRules, HttpConnectionPolicy, HttpConnectionPolicyPolicies, HttpOptions,
        HttpOptionsServiceEnabled, HttpSettingsPolicy, IcaChannelPolicy, IcaChannelPolicyRules, IcaOptions,
        IcaOptionsServiceDisabled, IcaSettingsPolicy, IcaSettingsPolicyInactivityTimeoutEnabled, Network,
        TelnetAuthenticationPolicy, TelnetChannelPolicy, TelnetChannelPolicyRules, TelnetConnectionPolicy,
        TelnetConnectionPolicyPolicies, TelnetConnectionPolicyOrder, TelnetOptions, TelnetOptionsServiceEnabled,
        TelnetPatternSet, TelnetSettingsPolicy, UsermappingPolicy,
    )
    from sps_constructs.shapes import TlsSecuritySettings, TlsSecuritySettingsCipherStrengthRecommended

    app = cdktf.App()
    stack = cdktf.TerraformStack(app, "families")
    sps = Appliance(stack, "eu", url="https://sps.example")
    audit = AuditPolicy.builtin(sps, "default")
    root_for_admins = UsermappingPolicy(sps, "root", name="root_for_admins")
    telnet_channels = TelnetChannelPolicy(
        sps, "tc", name="tc", rules=[TelnetChannelPolicyRules(channel="telnet", actions=ChannelActions(audit=True))]
    )
    telnet = TelnetConnectionPolicy(
        sps, "telnet", name="devices",
        network=Network(clients=["10.0.0.0/8"], targets=["10.5.0.0/24"], ports=[23]),
        policies=TelnetConnectionPolicyPolicies(
            audit_policy=audit, channel_policy=telnet_channels, usermapping_policy=root_for_admins,
            authentication_policy=TelnetAuthenticationPolicy(sps, "ta", name="default"),
            settings=TelnetSettingsPolicy(sps, "ts", name="ts", banner="Recorded."),
        ),
    )
    TelnetConnectionPolicyOrder(sps, "order", keys=[telnet])
    TelnetOptions(sps, "telnet-options", service=TelnetOptionsServiceEnabled(log_level=4))
    TelnetPatternSet(sps, "cisco", name="Cisco devices")
    web = HttpChannelPolicy(
        sps, "web", name="web", rules=[HttpChannelPolicyRules(channel="websocket", actions=ChannelActions())]
    )
    HttpConnectionPolicy(
        sps, "http", name="intranet",
        network=Network(clients=["10.0.0.0/8"], targets=["10.6.0.1/32"], ports=[443]),
        policies=HttpConnectionPolicyPolicies(
            audit_policy=audit, channel_policy=web,
            authentication_policy=HttpAuthenticationPolicy.builtin(sps, "default"),
            settings=HttpSettingsPolicy(
                sps, "hs", name="hs",
                client_tls_security_settings=TlsSecuritySettings(
                    cipher_strength=TlsSecuritySettingsCipherStrengthRecommended(), minimum_tls_version="TLSv1_2"
                ),
            ),
        ),
    )
    HttpOptions(sps, "http-options", service=HttpOptionsServiceEnabled(log_level=4))
    IcaChannelPolicy(sps, "ica", name="ica", rules=[IcaChannelPolicyRules(channel="drawing", actions=ChannelActions())])
    IcaSettingsPolicy(sps, "is", name="is", inactivity_timeout=IcaSettingsPolicyInactivityTimeoutEnabled(value=900))
    IcaOptions(sps, "ica-options", service=IcaOptionsServiceDisabled())
    wrong = TelnetChannelPolicyRules(channel="ssh", actions=ChannelActions())
    """
)


def test_mypy_strict_on_a_stack_of_the_telnet_http_ica_and_usermapping_constructs(tmp_path: Path) -> None:
    """Every construct of those families type-checks as a user writes it, and a channel outside
    Telnet's one (`telnet`) is mypy's error."""
    (tmp_path / "main.py").write_text(FAMILIES_STACK)
    mypy = Path(sys.executable).parent / "mypy"
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    result = subprocess.run(
        [str(mypy), "--strict", "--no-incremental", "main.py"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    first = errors[0]
    assert first.startswith("main.py:55: error:") and '"channel"' in first and "'ssh'" in first, result.stdout
