"""A value the appliance holds that Terraform cannot be sent (an integer beyond 64 bits) is an error
naming the resource type and the attribute, through the provider's servicer in process against a
real simulator; before, the answer's encoding failed ("Integer value out of range")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_catalog import load_catalog
from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError

T = load_catalog()["mssql_settings_policy"]  # `timeout`: an integer with a minimum and no maximum
HUGE = 2**70


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[RunningSimulator, str]]:
    """A simulator holding a settings policy whose timeout is 2**70, and its key."""
    sim = start_simulator(tmp_path)
    s = sim.session()
    r = s.post(f"{sim.url}/api/configuration/{T.path}", json={"name": "huge", "timeout": HUGE})
    assert r.status_code == 201, r.text
    assert s.put(f"{sim.url}/api/transaction", json={"status": "commit"}).status_code == 200
    yield sim, r.json()["key"]
    sim.stop()


def named_error(exc: pytest.ExceptionInfo[ProviderError], action: str) -> None:
    text = str(exc.value)
    assert f"Cannot {action} {T.resource_type}: SPS holds a value of timeout" in text, text
    assert str(HUGE) in text and "outside the 64-bit integers" in text, text


def test_import_names_the_attribute(held: tuple[RunningSimulator, str]) -> None:
    sim, key = held
    provider = InProcessProvider(sim)
    try:
        with pytest.raises(ProviderError) as caught:
            provider.import_(T.resource_type, key)
        named_error(caught, "import")
        assert f"{T.api_path}/{key}" in str(caught.value)
    finally:
        provider.close()


def test_a_refresh_keeps_the_prior_state_and_names_the_attribute(held: tuple[RunningSimulator, str]) -> None:
    sim, key = held
    provider = InProcessProvider(sim)
    try:
        prior = {"key": key, "name": "huge", "timeout": 600, "inactivity_timeout": {"enabled": False}}
        with pytest.raises(ProviderError) as caught:
            provider.read(T.resource_type, prior)
        named_error(caught, "read")
    finally:
        provider.close()


def test_a_data_source_names_the_attribute(held: tuple[RunningSimulator, str]) -> None:
    sim, key = held
    provider = InProcessProvider(sim)
    try:
        with pytest.raises(ProviderError) as caught:
            provider.read_data_source(T.resource_type, {"key": key})
        named_error(caught, "read")
    finally:
        provider.close()
