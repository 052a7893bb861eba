"""Measure provider start -> handshake and the demo's synth time; write docs/startup.md.

Start -> handshake is timed the way Terraform experiences it: the installed mirror executable is
started with the go-plugin environment (magic cookie, a client certificate) and the clock stops
when the handshake line arrives on stdout. Synth time is the wall time of `python stacks/demo.py`
(a fresh process: Python start, jsii/Node start, constructs, JSON output). Each is repeated and
reported as median and min-max.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sps_provider import __version__
from sps_provider.install import SOURCE, install, os_arch
from sps_provider.server import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, server_certificate

ROOT = Path(__file__).resolve().parent.parent


def time_handshake(binary: Path, client_cert: str) -> float:
    env = dict(os.environ, **{MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE, "PLUGIN_CLIENT_CERT": client_cert,
                              "PLUGIN_PROTOCOL_VERSIONS": "6"})  # fmt: skip
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


def time_synth() -> float:
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="18,20")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "stacks" / "demo.py")], cwd=tmp, env=env, check=True)
        return time.perf_counter() - start


def summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"{statistics.median(ms):.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f}, n={len(ms)})"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "startup.md")
    args = p.parse_args()
    mirror = Path(tempfile.mkdtemp(prefix="sps-bench-mirror-"))
    binary = install(mirror, mirror / "sps.tfrc")
    _, cert_pem, _ = server_certificate()
    time_handshake(binary, cert_pem.decode())  # warm the page cache once
    handshakes = [time_handshake(binary, cert_pem.decode()) for _ in range(args.runs)]
    synths = [time_synth() for _ in range(max(3, args.runs // 4))]
    text = f"""# Start-up and synth time

Measured by `bench/startup.py` (`make bench-startup`); numbers from the last run. Not asserted in
tests: they depend on the machine.

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},
{platform.system()} {platform.release()}. Provider {SOURCE} {__version__} ({os_arch()}).

| What | Result | Target |
|---|---|---|
| Provider start -> handshake line (the mirror executable, as terraform starts it) | {summary(handshakes)} | <= 150 ms |
| Demo synth: `python stacks/demo.py`, a fresh process (2 appliances, 12 constructs) | {summary(synths)} | - |

Start -> handshake covers the Python interpreter start, importing gRPC, protobuf and the
generated stubs, loading the compiled catalog, building an ECDSA P-256 certificate and binding
the Unix socket. Terraform starts the provider several times per command (schema, validate,
plan/apply), so this is paid a few times per `terraform plan`.
"""
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
