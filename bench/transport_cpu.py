"""CPU per unary gRPC call of the plugin transport: grpcio's Python server (the provider's transport
until ADR 0016) against the provider's own (sps_provider.transport), both over TLS on a Unix socket,
serving an echo ReadResource (a 1 KiB state in, the same out) and nothing else. The client is
grpcio's, in this process; the server process's CPU is counted (/proc/<pid>/stat, from the first
call to the last), so what differs is the transport; the wall time per call is shown too.
Transports alternate within every repetition; each row carries the 1-minute load average.

    python bench/transport_cpu.py [--calls 2000] [--threads 1 10] [--reps 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from measure import write_json

from sps_provider.plugin_cert import server_certificate
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.protocol.gen import tfplugin6_pb2_grpc as pb_grpc
from sps_provider.transport import rpc, tls

TRANSPORTS = ("grpcio", "own")
STATE = b"\x81\xa4name" + b"x" * 1024
TICKS = os.sysconf("SC_CLK_TCK")


class Echo(pb_grpc.ProviderServicer):  # type: ignore[misc]
    def ReadResource(self, request: Any, context: Any) -> Any:
        return pb.ReadResource.Response(new_state=request.current_state)


def serve(transport: str, directory: Path) -> None:
    """Serve until stdin closes; print `ready` once listening. Certificates come from `directory`."""
    key_pem, cert_pem = (directory / "server.key").read_bytes(), (directory / "server.crt").read_bytes()
    client_cert = (directory / "client.crt").read_text()
    path = directory / f"{transport}.sock"
    path.unlink(missing_ok=True)
    if transport == "grpcio":
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=256))
        pb_grpc.add_ProviderServicer_to_server(Echo(), server)
        server.add_secure_port(f"unix:{path}", grpc.ssl_server_credentials([(key_pem, cert_pem)]))
        server.start()
    else:
        own = rpc.Server(rpc.unary_methods(pb.DESCRIPTOR.services_by_name["Provider"], Echo()))
        context = tls.server_context(key_pem, cert_pem, client_cert, str(directory))
        own.start(str(path), (context, ssl.PEM_cert_to_DER_cert(client_cert)))
    print("ready", flush=True)
    sys.stdin.read()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def measure(transport: str, directory: Path, calls: int, threads: int) -> tuple[float, float]:
    """Server CPU and wall-clock microseconds per call."""
    proc = subprocess.Popen([sys.executable, __file__, "--serve", transport, str(directory)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline() == b"ready\n"
        credentials = grpc.ssl_channel_credentials(
            root_certificates=(directory / "server.crt").read_bytes(),
            private_key=(directory / "client.key").read_bytes(),
            certificate_chain=(directory / "client.crt").read_bytes(),
        )
        options = [("grpc.ssl_target_name_override", "localhost")]
        with grpc.secure_channel(f"unix:{directory / transport}.sock", credentials, options=options) as channel:
            stub = pb_grpc.ProviderStub(channel)
            request = pb.ReadResource.Request(type_name="echo", current_state=pb.DynamicValue(msgpack=STATE))
            for _ in range(50):  # connect, warm up
                stub.ReadResource(request, timeout=30)
            start, started = cpu_seconds(proc.pid), time.perf_counter()

            def worker(n: int) -> None:
                for _ in range(n):
                    assert stub.ReadResource(request, timeout=30).new_state.msgpack == STATE

            pool = [threading.Thread(target=worker, args=(calls // threads,)) for _ in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            used, elapsed = cpu_seconds(proc.pid) - start, time.perf_counter() - started
        done = calls // threads * threads
        return used / done * 1e6, elapsed / done * 1e6
    finally:
        proc.stdin.close()
        proc.kill()
        proc.wait()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="sps-bench-transport-"))
    for name in ("server", "client"):
        key_pem, cert_pem, _ = server_certificate()
        (directory / f"{name}.key").write_bytes(key_pem)
        (directory / f"{name}.crt").write_bytes(cert_pem)
    rows = []
    for rep in range(args.reps):
        for threads in args.threads:
            order = TRANSPORTS if rep % 2 == 0 else TRANSPORTS[::-1]
            for transport in order:
                us, wall_us = measure(transport, directory, args.calls, threads)
                row = {"transport": transport, "threads": threads, "us_per_call": round(us, 1),
                       "wall_us_per_call": round(wall_us, 1), "load1": os.getloadavg()[0]}  # fmt: skip
                rows.append(row)
                print(json.dumps(row), flush=True)
    for threads in args.threads:
        for transport in TRANSPORTS:
            us = statistics.median(
                r["us_per_call"] for r in rows if r["transport"] == transport and r["threads"] == threads
            )
            print(f"{transport:7} {threads:3} client threads: median {us:6.1f} us of server CPU per call")
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
