"""Objects that hold a password or a secret body never show it in their repr or str, so a log
line, a traceback or a debugger print cannot leak it."""

from __future__ import annotations

from sps_provider.client.settings import Settings
from sps_provider.config import parse
from sps_provider.coordinator.changes import Change, Step
from sps_provider.protocol.diagnostics import Diagnostics

SECRET = "s3cret-Value-4711"


def test_provider_config_masks_the_password() -> None:
    diags = Diagnostics()
    config = parse({"url": "https://sps.example", "username": "admin", "password": SECRET}, diags)
    assert config is not None and not diags.has_errors
    for text in (repr(config), str(config)):
        assert SECRET not in text and "***" in text


def test_client_settings_mask_the_password() -> None:
    settings = Settings(url="https://sps.example", username="admin", password=SECRET)
    for text in (repr(settings), str(settings)):
        assert SECRET not in text and "***" in text


def test_queued_writes_do_not_show_their_bodies() -> None:
    step = Step("POST", "/api/configuration/passwords", {"value": SECRET})
    change = Change([step, Step("PUT", "/api/configuration/x/1", lambda results: {"password": SECRET})])
    for text in (repr(step), str(step), repr(change), str(change)):
        assert SECRET not in text
    assert "POST /api/configuration/passwords" in str(change)
