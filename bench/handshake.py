"""Provider start -> handshake, timed the way Terraform experiences it: the installed mirror
executable is started with the go-plugin environment (magic cookie, a client certificate) and the
clock stops when the handshake line arrives on stdout. This covers the Python start, importing
gRPC, protobuf and the generated stubs, loading the compiled catalog, making an ECDSA P-256
certificate and binding the Unix socket; Terraform pays it several times per command."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from sps_harness import provider_python
from sps_provider.server import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE


def time_handshake(binary: Path, client_cert: str) -> float:
    env = dict(os.environ, **{MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE, "PLUGIN_CLIENT_CERT": client_cert,
                              "PLUGIN_PROTOCOL_VERSIONS": "6", "SPS_PROVIDER_PYTHON": provider_python()})  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.Popen([str(binary)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    if not line.startswith(b"1|6|"):
        raise RuntimeError(f"unexpected handshake {line!r}")
    return elapsed
