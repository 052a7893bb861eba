"""Entry point of the `terraform-provider-sps` executable."""

from __future__ import annotations

import sys


def main() -> int:
    from sps_provider import logs, server

    logs.configure()
    return server.serve()


if __name__ == "__main__":
    sys.exit(main())
