"""`sps_fleet.wanted`: every appliance outside `sps-fleet --only`, only the named ones under it."""

from __future__ import annotations

from sps_fleet import wanted
from sps_fleet.selection import ONLY, names


def test_every_appliance_is_wanted_without_a_selection() -> None:
    assert wanted("ams", {}) and wanted("ams", {ONLY: ""}) and wanted("ams", {ONLY: ","})


def test_only_the_named_appliances_are_wanted_under_a_selection() -> None:
    environ = {ONLY: "ams,fra"}
    assert [name for name in ("ams", "fra", "lon", "am") if wanted(name, environ)] == ["ams", "fra"]


def test_names_are_split_as_the_runner_splits_its_only_option() -> None:
    assert names("ams,,fra,") == ["ams", "fra"]
    assert names(" ams") == [" ams"], "not stripped: the runner reports ' ams' as no stack of the fleet"
