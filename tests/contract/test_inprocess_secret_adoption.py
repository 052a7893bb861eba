"""A write-once secret the configuration has never given (no `*_wo`, no `*_wo_version`, now or in the
state: an imported object) stays as the appliance holds it, so adopting an appliance needs no secret
values; once the configuration has managed it (a version in the state), removing both removes it."""

from __future__ import annotations

import copy
from typing import Any

from sps_catalog import load_catalog
from sps_harness.inprocess import InProcessProvider
from tests.support.catalog_cases import resolved

LDAP = load_catalog()["ldap_server"]


def without_secret(config: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(config)
    config.update(bind_password_wo=None, bind_password_wo_version=None)
    return config


def test_an_imported_secret_is_kept_when_the_configuration_gives_none(provider: InProcessProvider) -> None:
    full: dict[str, Any] = resolved(copy.deepcopy(dict(LDAP.examples["full"])))
    full["name"] = "adopted_ldap"
    created = provider.create(LDAP.resource_type, full)
    secret = created["bind_password"]
    assert secret and created["bind_password_wo_version"] == 1

    imported = provider.import_(LDAP.resource_type, created["key"])
    assert imported["bind_password"] == secret and imported["bind_password_wo_version"] is None
    planned = provider.plan(LDAP.resource_type, imported, without_secret(full))
    assert planned["bind_password"] == secret, "adopting keeps the appliance's secret"
    assert planned == {**imported, "bind_password_wo": None}

    managed = provider.plan(LDAP.resource_type, created, without_secret(full))
    assert managed["bind_password"] is None, "a secret this configuration managed is removed with it"
    provider.delete(LDAP.resource_type, created)
