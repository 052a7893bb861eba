"""Serve the provider the way Terraform's plugin client (hashicorp/go-plugin) expects.

Handshake: Terraform starts us with TF_PLUGIN_MAGIC_COOKIE and PLUGIN_CLIENT_CERT set. We
answer on stdout with one line `1|6|unix|<socket>|grpc|<server cert, base64 DER>` and serve
gRPC over TLS with a throwaway certificate that Terraform pins, and we require Terraform's client
certificate in return. The socket lives in a fresh 0700 directory, so only this user can connect
at all. The transport is our own (sps_provider.transport, docs/adr/0016-own-plugin-transport.md).
Besides tfplugin6.Provider we serve plugin.GRPCController (Shutdown) and grpc.health.v1.

The schema (bytes prebuilt by `make generate`), Shutdown and the health check are answered without
protobuf or the catalog; the first call of any other method imports them and builds the Provider.
Terraform starts one process per command only to read the schema: that one never does.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import signal
import ssl
import sys
import threading
from typing import TYPE_CHECKING, Any

from sps_provider import served_schema
from sps_provider.plugin_cert import server_certificate
from sps_provider.transport import rpc, tls

if TYPE_CHECKING:
    from sps_provider.provider import Provider

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 6
SHUTDOWN_GRACE_SECONDS = 60.0
PARENT_POLL_SECONDS = 1.0
REVERT_GRACE_SECONDS = 10.0  # retrying the revert of a transaction left by a network outage

log = logging.getLogger(__name__)


class Controller:
    def __init__(self, shutdown: threading.Event) -> None:
        self.shutdown = shutdown

    def Shutdown(self, request: Any, context: Any) -> Any:
        from sps_provider.protocol.gen import plugin_pb2

        self.shutdown.set()
        return plugin_pb2.Empty()


class Health:
    def Check(self, request: Any, context: Any) -> Any:
        from sps_provider.protocol.gen import health_pb2

        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


#: Provider methods that only compute (no appliance, no coordinator, no lock held for long): the
#: transport runs them on the connection's reader thread, saving two thread switches per call.
COMPUTE_ONLY = (
    "GetMetadata",
    "GetProviderSchema",
    "GetResourceIdentitySchemas",
    "GetFunctions",
    "ValidateProviderConfig",
    "ValidateResourceConfig",
    "ValidateDataResourceConfig",
    "UpgradeResourceState",
)


def methods(provider: object, shutdown: threading.Event) -> dict[str, rpc.Method]:
    """Every method this plugin serves, by gRPC path: tfplugin6.Provider on `provider`, and go-plugin's
    controller (Shutdown sets `shutdown`) and health services. ReadResource and PlanResourceChange
    are tried on the reader thread first and run on the pool when they would wait (`Provider.at_once`)."""
    from sps_provider.protocol.gen import health_pb2, plugin_pb2
    from sps_provider.protocol.gen import tfplugin6_pb2 as pb
    from sps_provider.provider import Provider

    attempts: dict[str, rpc.Attempt] = {}
    if isinstance(provider, Provider):
        attempts = {name: provider.at_once(getattr(provider, name)) for name in ("ReadResource", "PlanResourceChange")}
    table = rpc.unary_methods(pb.DESCRIPTOR.services_by_name["Provider"], provider, COMPUTE_ONLY, attempts)
    table.update(rpc.unary_methods(plugin_pb2.DESCRIPTOR.services_by_name["GRPCController"], Controller(shutdown)))
    table.update(rpc.unary_methods(health_pb2.DESCRIPTOR.services_by_name["Health"], Health(), ("Check",)))
    return table


GET_PROVIDER_SCHEMA = b"/tfplugin6.Provider/GetProviderSchema"
SHUTDOWN = b"/plugin.GRPCController/Shutdown"
HEALTH_CHECK = b"/grpc.health.v1.Health/Check"
SERVICES = (b"/tfplugin6.Provider/", b"/plugin.GRPCController/", b"/grpc.health.v1.Health/")
EMPTY = b""  # plugin.Empty
SERVING = b"\x08\x01"  # grpc.health.v1.HealthCheckResponse(status=SERVING): field 1, varint 1


class Methods:
    """The served methods (an `rpc.Table`). The schema, Shutdown and the health check are raw
    methods; the first call of any other method of the three services builds the Provider and
    `methods()` (protobuf, the catalog: ~400 M instructions), once."""

    def __init__(self, shutdown: threading.Event) -> None:
        self.shutdown = shutdown
        self.provider: Provider | None = None
        self.raw = {
            GET_PROVIDER_SCHEMA: rpc.raw_method(lambda _request: served_schema.load()),
            SHUTDOWN: rpc.raw_method(self._shutdown),
            HEALTH_CHECK: rpc.raw_method(lambda _request: SERVING),
        }
        self._table: dict[bytes, rpc.Method] | None = None
        self._lock = threading.Lock()

    def _shutdown(self, _request: bytes) -> bytes:
        self.shutdown.set()
        return EMPTY

    def get(self, path: bytes, /) -> rpc.Method | None:
        method = self.raw.get(path)
        if method is not None or not path.startswith(SERVICES):
            return method
        with self._lock:
            if self._table is None:
                from sps_provider.provider import Provider

                self.provider = Provider()
                self._table = {p.encode(): m for p, m in methods(self.provider, self.shutdown).items()}
        return self._table.get(path)


def watch_parent(shutdown: threading.Event, interval: float = PARENT_POLL_SECONDS) -> None:
    """Terraform killed outright (SIGKILL) never sends Shutdown. When it is gone, stop as if it
    had: calls in flight finish and any open transaction is reverted, instead of an orphaned
    provider keeping its sessions (and perhaps the configuration lock) alive."""
    parent = os.getppid()
    while not shutdown.wait(interval):
        if os.getppid() != parent:
            log.warning("terraform (pid %d) is gone; finishing in-flight calls and exiting", parent)
            shutdown.set()


def socket_directory() -> str:
    """A fresh 0700 directory for the socket, in PLUGIN_UNIX_SOCKET_DIR or else the temporary
    directory Go's os.TempDir would name ($TMPDIR or /tmp). Made here rather than with `tempfile`,
    which with the `shutil` it imports (and shutil's compression modules) cost ~4 ms of CPU on every
    provider start, for one directory."""
    base = os.environ.get("PLUGIN_UNIX_SOCKET_DIR") or os.environ.get("TMPDIR") or "/tmp"
    while True:
        path = os.path.join(base, f"sps-provider-{os.urandom(6).hex()}")
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue


def remove_socket_directory(path: str) -> None:
    with contextlib.suppress(OSError):
        for name in os.listdir(path):
            os.unlink(os.path.join(path, name))
        os.rmdir(path)


def serve() -> int:
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print(
            "This is a Terraform provider plugin (oneidentity/sps). It is started by terraform, not by hand:\n"
            "install it with `sps-provider-install` and run `terraform init`.",
            file=sys.stderr,
        )
        return 1
    # Ctrl-C, and the SIGTERM a CI cancellation sends, reach the whole process group; Terraform
    # handles both alike and decides when we stop (StopProvider, then Shutdown), so in-flight
    # changes are never cut off by the signal itself.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal.SIG_IGN)
    shutdown = threading.Event()
    table = Methods(shutdown)
    server = rpc.Server(table)

    socket_dir = socket_directory()
    socket_path = os.path.join(socket_dir, "plugin.sock")
    cert_field = ""
    client_cert = os.environ.get("PLUGIN_CLIENT_CERT")
    if client_cert:
        key_pem, cert_pem, cert_der = server_certificate()
        context = tls.server_context(key_pem, cert_pem, client_cert, socket_dir)
        server.start(socket_path, (context, ssl.PEM_cert_to_DER_cert(client_cert)))
        cert_field = base64.b64encode(cert_der).decode().rstrip("=")
    else:
        server.start(socket_path, None)
    sys.stdout.write(f"{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|unix|{socket_path}|grpc|{cert_field}\n")
    sys.stdout.flush()
    threading.Thread(target=watch_parent, args=(shutdown,), name="parent-watch", daemon=True).start()
    try:
        shutdown.wait()
        if table.provider is not None:
            table.provider.stop()  # e.g. terraform is gone: a call waiting for the lock would wait for nothing
            table.provider.wait_idle(SHUTDOWN_GRACE_SECONDS)
        server.stop(grace=5)
    finally:
        if table.provider is not None:
            table.provider.close(REVERT_GRACE_SECONDS)
        remove_socket_directory(socket_dir)
    return 0
