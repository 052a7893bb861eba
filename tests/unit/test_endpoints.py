"""The catalog's endpoint tree (sps_catalog.endpoints, catalog/endpoints.yaml): consistent, typed rows
derived from the types, opaque rows with their evidence, and docs/coverage.md one row per endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sps_catalog import load_catalog
from sps_catalog.endpoints import build_endpoints, endpoint_from_dict, load_endpoints
from sps_catalog.gen_coverage import evidence, render_coverage, summary
from sps_catalog.load import CATALOG_DIR, read_yaml_endpoints

ENDPOINTS = load_endpoints()
CATALOG = load_catalog()
RAW = read_yaml_endpoints(CATALOG_DIR / "endpoints.yaml")


def row(path: str, kind: str, **extra: Any) -> dict[str, Any]:
    sources = [{"page": "p", "version": "v", "said": "s"}]
    return {"path": path, "kind": kind, "description": "d", "sources": sources, **extra}


def test_the_shipped_tree_is_consistent() -> None:
    assert ENDPOINTS.problems == ()


def test_every_type_is_an_endpoint_derived_from_it_and_never_repeated() -> None:
    written = {r["path"] for r in RAW}
    for t in CATALOG:
        e = ENDPOINTS[t.path]
        assert e.type is t and t.path not in written
        assert e.kind == {"singleton": "singleton", "ordered_collection": "ordered_collection", "secret": "secret"}.get(
            t.kind, "collection"
        )
        assert e.writable == (t.kind != "read_only")
        assert e.resource_type == (t.resource_type if t.is_managed else None)


def test_every_container_lists_its_children_in_documented_order() -> None:
    root = ENDPOINTS.root
    assert root.api_path == "/api/configuration" and root.children[0] == "aaa" and root.children[-1] == "x509"
    for e in ENDPOINTS:
        if e.is_container:
            below = {x.name for x in ENDPOINTS if x.parent == e.path}
            assert set(e.children) == below, e.path
            assert list(e.children) == sorted(e.children), f"{e.path}: every printed listing is alphabetical"


def test_lookup_by_href_or_path_and_children_by_firmware() -> None:
    assert ENDPOINTS["/api/configuration/network/dns/"] is ENDPOINTS["network/dns"]
    assert ENDPOINTS.get("network/no_such") is None
    assert "soap" in [c.name for c in ENDPOINTS.children("management", "6.0.1")]
    assert "soap" not in [c.name for c in ENDPOINTS.children("management", "7.5.1")]
    assert ENDPOINTS.exists_on("aaa/saml2", "8.0") and not ENDPOINTS.exists_on("aaa/saml2", "7.5.1")


def test_every_opaque_row_names_its_pages_and_the_issue_list_is_covered() -> None:
    for e in ENDPOINTS:
        if e.type is None:
            assert e.sources and all(s.page and s.version and s.said for s in e.sources), e.path
    issue_25 = [
        "telnet/options", "http/options", "ica/channel_policies", "ica/settings_policies", "ica/options",
        "datetime/ntp_servers", "datetime/timezone", "network/dns", "network/naming", "network/routing",
        "network/ip_forwarding_rule_pairs", "management/email", "management/snmp/trap", "management/syslog",
        "management/disk_fillup_prevention", "management/webinterface", "management/web_gateway_authentication",
        "management/certificates", "management/health_monitoring", "management/splunk_forwarder",
        "alerting/system_alerts", "alerting/traffic_alerts", "aaa/settings", "aaa/login_methods", "aaa/acls",
        "aaa/saml2", "local_services/admin_web", "local_services/indexer", "local_services/analytics",
        "policies/credentialstores", "policies/usermapping_policies", "policies/indexing", "reporting/reports",
    ]  # fmt: skip
    assert [p for p in issue_25 if ENDPOINTS.get(p) is None] == []


def test_an_undeclared_child_and_a_repeated_typed_path_are_problems_not_crashes() -> None:
    raws = [*RAW, row("network/extra", "singleton"), row("vnc/options", "singleton")]
    tree = build_endpoints(raws, CATALOG)
    assert "network: does not list extra" in tree.problems
    assert "vnc/options: endpoints.yaml repeats the path of catalog/types/vnc_options.yaml" in tree.problems
    assert tree["vnc/options"].type is CATALOG["vnc_options"]
    assert tree.root.children == ENDPOINTS.root.children


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (row("a", "singleton", children=["b"]), "a singleton has no children"),
        (row("a", "container"), "a container lists its children"),
        (row("a", "singleton", body="list"), "needs a default"),
        (row("a", "singleton", body="string", default=[]), "must be a JSON string"),
        (row("a", "collection", default={}), "a collection has no default"),
    ],
)
def test_a_row_that_misuses_its_kind_is_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        endpoint_from_dict(raw)


def test_a_row_that_breaks_the_schema_is_named(tmp_path: Path) -> None:
    (tmp_path / "endpoints.yaml").write_text("endpoints:\n  - {path: a, kind: folder, description: d, sources: []}\n")
    with pytest.raises(ValueError, match=r"endpoints\.yaml: endpoints/0"):
        read_yaml_endpoints(tmp_path / "endpoints.yaml")


def test_coverage_has_one_row_per_endpoint_with_its_counts() -> None:
    text = render_coverage(ENDPOINTS)["docs/coverage.md"]
    rows = [line for line in text.splitlines() if line.startswith("| `/api/configuration")]
    assert [r.split("`")[1] for r in rows] == [e.api_path for e in ENDPOINTS]
    counts = summary(ENDPOINTS)
    assert counts["containers"] + counts["typed"] + counts["opaque"] == len(ENDPOINTS)
    assert f"{len(ENDPOINTS)} endpoints: {counts['containers']} containers" in text
    inferred = [r["path"] for r in RAW if r.get("inferred")]
    assert evidence(ENDPOINTS)["rows"] == len(RAW) and evidence(ENDPOINTS)["inferred"] == len(inferred)
    assert f"{len(RAW) - len(inferred)} rest on their pages alone, {len(inferred)} still carry an inference" in text
    health = next(r for r in rows if r.startswith("| `/api/configuration/management/health_monitoring`"))
    assert "| singleton | all | yes | generic: `sps_settings` |" in health and "6.9.3" in health
    dns = next(r for r in rows if r.startswith("| `/api/configuration/network/dns`"))
    assert "typed: `sps_network_dns`" in dns and "[page](https://support.oneidentity.com/" in dns
    vnc = next(r for r in rows if r.startswith("| `/api/configuration/vnc/connections`"))
    assert "typed: `sps_vnc_connection_policy`" in vnc and "7.0-7.5" in vnc
    assert (Path(CATALOG_DIR.parent) / "docs" / "coverage.md").read_text() == text
