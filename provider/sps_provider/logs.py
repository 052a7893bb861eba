"""Log to stderr in hclog's JSON line format, which Terraform shows under TF_LOG."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys

LEVELS = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn", logging.ERROR: "error"}


class HclogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "@level": LEVELS.get(record.levelno, "info"),
                "@message": record.getMessage(),
                "@module": f"sps.{record.name.removeprefix('sps_provider.')}",
                "@timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            }
        )


def configure() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(HclogFormatter())
    root = logging.getLogger("sps_provider")
    root.addHandler(handler)
    level = os.environ.get("TF_LOG_PROVIDER") or os.environ.get("TF_LOG") or "info"
    root.setLevel(logging.DEBUG if level.upper() in ("TRACE", "DEBUG", "JSON") else logging.INFO)
    root.propagate = False
