"""`sps-simulator`: run an embedded SPS appliance on this machine."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path

import uvicorn

from sps_catalog import load_catalog
from sps_catalog.firmware import DEFAULT_FIRMWARE
from sps_catalog.versions import parse_version
from sps_simulator import extra_endpoints
from sps_simulator.app import Api
from sps_simulator.appliance import SESSION_IDLE_SECONDS, Appliance
from sps_simulator.store import Store
from sps_simulator.tls import ensure_certificates


def _version(text: str) -> str:
    try:
        parse_version(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="sps-simulator", description=__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=8443, help="port; 0 picks a free one (default 8443)")
    p.add_argument(
        "--state",
        type=Path,
        default=Path(".state/sps-simulator/sps.sqlite3"),
        help="SQLite file holding the committed configuration; its folder also holds the CA",
    )
    p.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    p.add_argument("--username", default=os.environ.get("SPS_SIMULATOR_USERNAME", "admin"))
    p.add_argument("--password", default=os.environ.get("SPS_SIMULATOR_PASSWORD", "admin"))
    p.add_argument(
        "--session-timeout",
        type=float,
        default=SESSION_IDLE_SECONDS,
        help="idle seconds before a session expires (SPS: 1200)",
    )
    p.add_argument(
        "--no-samples",
        action="store_true",
        help="start a new state without the doc samples' uploaded objects (e.g. the demo AA plugin)",
    )
    p.add_argument("--admin", action="store_true", help="serve /_sim/* endpoints used by tests and benchmarks")
    p.add_argument(
        "--fail-commits",
        type=int,
        default=0,
        metavar="N",
        help="fault switch: the next N commits fail with SemanticError",
    )
    p.add_argument("--latency", type=float, default=0.0, metavar="S", help="fault switch: delay every request")
    p.add_argument(
        "--commit-duration",
        type=float,
        default=0.0,
        metavar="S",
        help="fault switch: a commit takes S seconds, holding the lock (real appliances take seconds)",
    )
    p.add_argument(
        "--extra-fields",
        action="store_true",
        help="hold and return fields the catalog does not model, one of them required on PUT, as a newer "
        "firmware would (see sps_simulator.newer_firmware)",
    )
    p.add_argument(
        "--extra-endpoint",
        action="append",
        default=[],
        type=extra_endpoints.parse,
        metavar="PATH=KIND",
        help="also serve an endpoint the catalog does not know (KIND: collection or singleton) in a container the "
        "catalog knows, as a newer firmware would; repeatable (see sps_simulator.extra_endpoints)",
    )
    p.add_argument(
        "--firmware",
        default=DEFAULT_FIRMWARE,
        type=_version,
        metavar="X.Y.Z",
        help=f"the SPS version to play (GET /api/info; types and fields by version); default {DEFAULT_FIRMWARE}, "
        "the newest the seed pages cover",
    )
    p.add_argument("--ready-file", type=Path, help="write {url, ca} as JSON here once listening")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    catalog = load_catalog()
    try:
        endpoints = extra_endpoints.with_extra(catalog, args.extra_endpoint)
    except ValueError as exc:
        print(f"sps-simulator: {exc}", file=sys.stderr)
        return 2
    state: Path = args.state.resolve()
    store = Store(state)
    appliance = Appliance(
        catalog,
        store,
        {args.username: args.password},
        args.session_timeout,
        with_samples=not args.no_samples,
        extra_fields=args.extra_fields,
        firmware=args.firmware,
        endpoints=endpoints,
    )
    for href in appliance.mended:
        print(f"sps-simulator: mended {href!r}: lone surrogates now U+FFFD, NaN and infinities null", file=sys.stderr)
    for href in appliance.set_aside:
        print(f"sps-simulator: set aside {href!r}: its stored body is not JSON (table set_aside)", file=sys.stderr)
    appliance.faults.fail_commits = args.fail_commits
    appliance.faults.latency = args.latency
    appliance.faults.commit_duration = args.commit_duration
    api = Api(appliance, secure_cookie=not args.http, admin=args.admin)

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY only on accepted sockets whose proto is
    # IPPROTO_TCP, and without it every keep-alive answer stalls 40 ms on Nagle + delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    sock.listen(2048)  # connections queue from now on, so the ready file never lies
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    ca = cert = key = None
    if not args.http:
        ca_file, cert_file, key_file = ensure_certificates(state.parent, args.host)
        ca, cert, key = str(ca_file), str(cert_file), str(key_file)
    url = f"{'http' if args.http else 'https'}://{host}:{port}"
    config = uvicorn.Config(
        api,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
        ssl_certfile=cert,
        ssl_keyfile=key,
    )
    server = uvicorn.Server(config)
    print(f"sps-simulator listening on {url} (state {state}{', CA ' + ca if ca else ''})", flush=True)
    if args.ready_file:
        tmp = args.ready_file.with_name(args.ready_file.name + ".tmp")
        tmp.write_text(json.dumps({"url": url, "ca": ca, "pid": os.getpid()}))
        tmp.replace(args.ready_file)  # atomic: whoever waits for the file never reads half of it
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
