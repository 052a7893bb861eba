"""HTTP options in the two documented shapes: `audit` (6.0 LTS and 7.x samples, [HTTP-OPT-6.0] and
[HTTP-OPT-7x]) and `channel_database_cleanup` (the 8.0 LTS sample and table, [HTTP-OPT-8.0]), each
served, validated and planned on the firmware that documents it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.simulator_api import API, Client

SERVICE = {"enabled": True, "log_level": 4}
AUDIT = {"cleanup": {"enabled": False}, "timestamping": {"selection": "local", "signing_interval": 30}}


@pytest.fixture(scope="module")
def sim_8_0(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    s = start_simulator(Path(tmp_path_factory.mktemp("http-options-8.0")), "--firmware", "8.0")
    yield s
    s.stop()


def errors(r: Any) -> list[str]:
    return [e["path"] for e in r.json()["error"]["details"].get("errors", [])]


def test_8_0_holds_the_cleanup_and_checks_its_retention(sim_8_0: RunningSimulator) -> None:
    api = Client(sim_8_0)
    assert api.ok("GET", f"{API}/http/options")["body"] == {
        "channel_database_cleanup": {"enabled": False},
        "service": SERVICE,
    }
    for cleanup in ({"enabled": True}, {"enabled": True, "days": 0}):
        r = api.call("PUT", f"{API}/http/options", {"channel_database_cleanup": cleanup, "service": SERVICE})
        assert r.status_code == 400 and errors(r) == ["channel_database_cleanup.days"], cleanup
    body = {"channel_database_cleanup": {"enabled": True, "days": 365}, "service": SERVICE}
    api.ok("PUT", f"{API}/http/options", body)
    assert api.ok("GET", f"{API}/http/options")["body"] == body


def test_each_shape_is_refused_at_plan_on_the_firmware_without_it(
    sim_8_0: RunningSimulator, provider: InProcessProvider
) -> None:
    with pytest.raises(ProviderError, match="channel_database_cleanup does not exist on this appliance"):
        provider.plan("sps_http_options", None, {"channel_database_cleanup": {"enabled": False}, "service": SERVICE})
    newer = InProcessProvider(sim_8_0)
    try:
        with pytest.raises(ProviderError, match="audit does not exist on this appliance"):
            newer.plan("sps_http_options", None, {"audit": AUDIT, "service": SERVICE})
        config = {"channel_database_cleanup": {"enabled": True, "days": 90}, "service": SERVICE}
        assert newer.plan("sps_http_options", None, config)["channel_database_cleanup"] == {"enabled": True, "days": 90}
    finally:
        newer.close()
