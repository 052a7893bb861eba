"""The provider's own gRPC transport (sps_provider.transport) against grpcio's client, over TLS on a
Unix socket as Terraform uses it: answers, large answers within the client's flow-control windows,
concurrent calls, errors and unknown methods, and the client certificate actually enforced."""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import grpc
import pytest
from hpack import Encoder

from sps_provider.plugin_cert import server_certificate
from sps_provider.protocol.gen import health_pb2, health_pb2_grpc, plugin_pb2, plugin_pb2_grpc
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.protocol.gen import tfplugin6_pb2_grpc as pb_grpc
from sps_provider.server import methods
from sps_provider.transport import http2, rpc, tls
from tests.support.transport import Ignored, Recorded, client_certificate

BIG = 3 << 20  # far beyond the 64 KiB windows a client starts with


class Toy:
    """A tfplugin6 handler: a large schema, an apply that blocks until released, a failing read."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        return pb.GetProviderSchema.Response(
            provider=pb.Schema(block=pb.Schema.Block(description="x" * BIG)),
        )

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        assert self.release.wait(10)
        return pb.ApplyResourceChange.Response(private=request.type_name.encode())

    def ReadResource(self, request: Any, context: Any) -> Any:
        raise RuntimeError("100% broken: ünïcode\nand a second line")

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        raise RuntimeError("ü" * 6000)  # 72,000 octets percent-encoded


class Served(NamedTuple):
    path: str
    server_cert: bytes
    client_key: bytes
    client_cert: bytes
    toy: Toy
    server: rpc.Server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    toy = Toy()
    shutdown = threading.Event()
    server = rpc.Server(methods(toy, shutdown))
    key_pem, cert_pem, _ = server_certificate()
    client_key, client_cert = client_certificate()
    context = tls.server_context(key_pem, cert_pem, client_cert.decode(), str(tmp_path))
    path = str(tmp_path / "plugin.sock")
    server.start(path, (context, ssl.PEM_cert_to_DER_cert(client_cert.decode())))
    try:
        yield Served(path, cert_pem, client_key, client_cert, toy, server)
    finally:
        toy.release.set()
        server.stop(grace=1)


def channel(path: str, server_cert: bytes, key: bytes | None, cert: bytes | None) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(root_certificates=server_cert, private_key=key, certificate_chain=cert)
    return grpc.secure_channel(
        f"unix:{path}",
        credentials,
        options=[("grpc.max_receive_message_length", 64 << 20), ("grpc.ssl_target_name_override", "localhost")],
    )


def test_calls_are_answered_large_ones_within_the_clients_windows(served: Served) -> None:
    path, server_cert, key, cert, _, _ = served
    with channel(path, server_cert, key, cert) as ch:
        health = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        schema = pb_grpc.ProviderStub(ch).GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
        assert schema.provider.block.description == "x" * BIG


def test_calls_run_concurrently(served: Served) -> None:
    path, server_cert, key, cert, toy, _ = served
    with channel(path, server_cert, key, cert) as ch:
        stub = pb_grpc.ProviderStub(ch)
        blocked = [
            stub.ApplyResourceChange.future(pb.ApplyResourceChange.Request(type_name=f"t{i}")) for i in range(20)
        ]
        # while twenty calls block, others are answered
        assert health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=10).status
        assert not any(f.done() for f in blocked)
        toy.release.set()
        assert [f.result(timeout=10).private for f in blocked] == [f"t{i}".encode() for i in range(20)]


def test_errors_and_unknown_methods_carry_a_grpc_status(served: Served) -> None:
    path, server_cert, key, cert, _, _ = served
    with channel(path, server_cert, key, cert) as ch:
        with pytest.raises(grpc.RpcError) as failed:
            pb_grpc.ProviderStub(ch).ReadResource(pb.ReadResource.Request(), timeout=10)
        assert failed.value.code() == grpc.StatusCode.UNKNOWN
        assert failed.value.details().endswith("100% broken: ünïcode\nand a second line")
        broker = ch.stream_stream("/plugin.GRPCBroker/StartStream")
        with pytest.raises(grpc.RpcError) as unknown:
            list(broker(iter([]), timeout=10))
        assert unknown.value.code() == grpc.StatusCode.UNIMPLEMENTED
        with pytest.raises(grpc.RpcError) as unserved:  # a Provider method the handler does not implement
            pb_grpc.ProviderStub(ch).StopProvider(pb.StopProvider.Request(), timeout=10)
        assert unserved.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_a_long_non_ascii_error_reaches_the_client(served: Served) -> None:
    """grpc-message is bounded as encoded: cut before encoding, it made trailers beyond the client's
    16 KiB frames and header list, and the client saw RESOURCE_EXHAUSTED instead of the error."""
    path, server_cert, key, cert, _, _ = served
    with channel(path, server_cert, key, cert) as ch, pytest.raises(grpc.RpcError) as failed:
        pb_grpc.ProviderStub(ch).PlanResourceChange(pb.PlanResourceChange.Request(), timeout=10)
    assert failed.value.code() == grpc.StatusCode.UNKNOWN
    assert failed.value.details().startswith("Exception calling application: üüü")


def test_an_unknown_streaming_method_is_answered_while_the_client_keeps_sending(served: Served) -> None:
    """go-plugin's broker stream: the client opens it and does not end it; the answer may not wait
    for END_STREAM."""
    path, server_cert, key, cert, _, _ = served
    done = threading.Event()

    def requests() -> Iterator[bytes]:
        done.wait(10)
        yield from ()

    try:
        with channel(path, server_cert, key, cert) as ch, pytest.raises(grpc.RpcError) as unknown:
            list(ch.stream_stream("/plugin.GRPCBroker/StartStream")(requests(), timeout=10))
        assert unknown.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        done.set()


@pytest.mark.parametrize("presented", ["another", "none"])
def test_a_client_without_terraforms_certificate_is_refused(served: Served, presented: str) -> None:
    path, server_cert, _, _, _, _ = served
    key, cert = client_certificate() if presented == "another" else (None, None)
    with channel(path, server_cert, key, cert) as ch, pytest.raises(grpc.RpcError) as refused:
        health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_shutdown_is_served(served: Served) -> None:
    path, server_cert, key, cert, _, _ = served
    with channel(path, server_cert, key, cert) as ch:
        assert plugin_pb2_grpc.GRPCControllerStub(ch).Shutdown(plugin_pb2.Empty(), timeout=10) == plugin_pb2.Empty()


def test_a_connection_ends_with_the_clients_close_notify(served: Served, tmp_path: Path) -> None:
    """The client's TLS close_notify ends the connection's reader (it once spun on it, holding the
    lock that stop() needs, so the provider never exited after Shutdown)."""
    (tmp_path / "client.pem").write_bytes(served.client_key + served.client_cert)
    context = ssl.create_default_context(cadata=served.server_cert.decode())
    context.load_cert_chain(tmp_path / "client.pem")
    context.set_alpn_protocols(["h2"])
    with socket.socket(socket.AF_UNIX) as raw:
        raw.connect(served.path)
        client = context.wrap_socket(raw, server_hostname="localhost")
        client.sendall(http2.PREFACE + http2.frame(http2.SETTINGS, 0, 0))
        assert client.recv(9)[3] == http2.SETTINGS  # served
        assert served.server.connections
        with contextlib.suppress(ssl.SSLError):  # sent; then it reads our settings, not our close_notify
            client.unwrap()  # close_notify
    for _ in range(100):
        if not served.server.connections:
            break
        time.sleep(0.1)
    assert not served.server.connections


def test_the_provider_server_does_not_load_grpcio() -> None:
    code = "import sys, sps_provider.server; print('grpc' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
        == "False\n"
    )


def test_a_header_block_of_indexed_fields_is_decoded_once_while_the_table_is_unchanged() -> None:
    encoder = Encoder()
    headers = http2.Headers()
    first = encoder.encode([(":path", "/a")])  # a literal that enters the dynamic table (index 62)
    again = encoder.encode([(":path", "/a")])  # now only a reference to index 62
    assert not http2.only_indexed(first) and http2.only_indexed(again)
    assert headers.decode(first) == headers.decode(again) == {b":path": b"/a"}
    assert again in headers.known
    # a new entry takes index 62: the same bytes now name "/b", so nothing remembered may be used
    assert headers.decode(encoder.encode([(":path", "/b")])) == {b":path": b"/b"}
    assert not headers.known
    assert headers.decode(again) == {b":path": b"/b"}


@pytest.mark.parametrize(
    ("block", "indexed"),
    [(b"\x82\x86\x84", True), (b"\xff\x05\x82", True), (b"\xff\x85\x01", True), (b"\x82\x40\x01a\x01b", False),
     (b"\x3f\xe1\x1f", False), (b"", True)],
)  # fmt: skip
def test_only_indexed_reads_multi_byte_indexes(block: bytes, indexed: bool) -> None:
    assert http2.only_indexed(block) is indexed


def test_an_answer_that_cannot_wait_is_not_sent_when_it_exceeds_the_windows() -> None:
    channel = Recorded()
    connection = http2.Connection(channel, Ignored())
    connection.windows[1] = 10
    assert connection.respond(1, b"head", b"x" * 11, b"trailers", wait=False) is False
    assert channel.sent == [] and connection.windows[1] == 10 and connection.window == http2.DEFAULT_WINDOW
    assert connection.respond(1, b"head", b"x" * 10, b"trailers", wait=False) is True
    assert len(channel.sent) == 1 and 1 not in connection.windows
