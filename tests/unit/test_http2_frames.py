"""The provider's HTTP/2 server (sps_provider.transport) against a hostile or broken peer, frame by
frame (RFC 9113), with the `h2` package as an independent client: it parses and checks every frame
the server sends, while frames h2 would refuse to send are written raw beside it."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import (
    ConnectionTerminated,
    DataReceived,
    Event,
    PingAckReceived,
    RemoteSettingsChanged,
    ResponseReceived,
    StreamEnded,
    StreamReset,
    TrailersReceived,
)
from h2.settings import SettingCodes
from hpack import Decoder, Encoder
from hyperframe.frame import Frame

from sps_provider.plugin_cert import server_certificate
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.transport import http2, rpc, tls
from tests.support.transport import Ignored, Recorded, client_certificate

READ = "/tfplugin6.Provider/ReadResource"
APPLY = "/tfplugin6.Provider/ApplyResourceChange"
BROKER = "/plugin.GRPCBroker/StartStream"
LIMITS = http2.Limits(max_body=1 << 12, max_streams=4, max_header_list=1 << 12)


class Toy:
    """Echoes a read, blocks an apply until released, fails a plan with a long non-ASCII message."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def ReadResource(self, request: Any, context: None) -> Any:
        return pb.ReadResource.Response(new_state=request.current_state)

    def ApplyResourceChange(self, request: Any, context: None) -> Any:
        assert self.release.wait(10)
        return pb.ApplyResourceChange.Response()

    def PlanResourceChange(self, request: Any, context: None) -> Any:
        raise RuntimeError("ü" * 6000)


@pytest.fixture
def toy() -> Toy:
    return Toy()


@pytest.fixture
def server(tmp_path: Path, toy: Toy) -> Iterator[rpc.Server]:
    table = rpc.unary_methods(pb.DESCRIPTOR.services_by_name["Provider"], toy, ("ReadResource",))
    served = rpc.Server(table, limits=LIMITS, handshake_timeout=0.3)
    served.start(str(tmp_path / "plugin.sock"), None)
    try:
        yield served
    finally:
        toy.release.set()
        served.stop(grace=1)


def message(size: int = 10) -> bytes:
    data = pb.ReadResource.Request(current_state=pb.DynamicValue(msgpack=b"x" * size)).SerializeToString()
    return b"\x00" + len(data).to_bytes(4, "big") + data


def request_headers(path: str) -> list[tuple[bytes, bytes]]:
    return [(b":method", b"POST"), (b":scheme", b"http"), (b":path", path.encode()), (b":authority", b"x"),
            (b"content-type", b"application/grpc"), (b"te", b"trailers")]  # fmt: skip


class Client:
    """h2's client over the plugin socket; `raw` writes bytes h2 would never send."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(10)  # a bound on every wait: a server that never answers fails the test
        self.sock.connect(path)
        self.h2 = H2Connection(H2Configuration(client_side=True, header_encoding=None))
        self.h2.initiate_connection()
        self.flush()
        self.seen: list[Event] = []
        self.closed = False

    def flush(self) -> None:
        self.sock.sendall(self.h2.data_to_send())

    def raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, path: str, body: bytes = b"", end: bool = True) -> int:
        stream = self.h2.get_next_available_stream_id()
        self.h2.send_headers(stream, request_headers(path), end_stream=end and not body)
        if body:
            self.h2.send_data(stream, body, end_stream=end)
        self.flush()
        return stream

    def until(self, done: Callable[[list[Event]], bool]) -> list[Event]:
        """Events until `done` holds for those seen so far or the server closes the connection."""
        while not done(self.seen) and not self.closed:
            data = self.sock.recv(1 << 16)
            if not data:
                self.closed = True
                break
            self.seen += self.h2.receive_data(data)
            with contextlib.suppress(OSError):  # h2's acknowledgements, to a server that may have closed
                self.flush()
        return self.seen

    def terminated(self) -> ConnectionTerminated:
        events = self.until(lambda seen: any(isinstance(e, ConnectionTerminated) for e in seen))
        goaway = next(e for e in events if isinstance(e, ConnectionTerminated))
        assert closed(self.sock)
        return goaway

    def ended(self, stream: int) -> list[Event]:
        """The events of `stream` once the server ended or reset it."""
        self.until(lambda seen: any(isinstance(e, StreamEnded | StreamReset) and e.stream_id == stream for e in seen))
        return [e for e in self.seen if getattr(e, "stream_id", None) == stream]

    def reset(self, stream: int) -> list[Event]:
        """The events of `stream` once the server reset it (a reset may follow the trailers that end
        the stream in a later read: `ended` alone would race it)."""
        self.until(lambda seen: any(isinstance(e, StreamReset) and e.stream_id == stream for e in seen))
        return [e for e in self.seen if getattr(e, "stream_id", None) == stream]

    def close(self) -> None:
        self.sock.close()


def closed(sock: socket.socket) -> bool:
    """Whether the server closed the connection (a reset: it closed with our frames unread)."""
    try:
        return sock.recv(1 << 16) == b""
    except ConnectionResetError:
        return True


@pytest.fixture
def client(server: rpc.Server) -> Iterator[Client]:
    assert server.listener is not None
    c = Client(server.listener.getsockname())
    yield c
    c.close()


def status(events: list[Event]) -> tuple[int, str]:
    for e in events:
        if isinstance(e, TrailersReceived | ResponseReceived):
            fields = dict(e.headers)
            if b"grpc-status" in fields:
                return int(fields[b"grpc-status"]), fields.get(b"grpc-message", b"").decode()
    raise AssertionError(f"no grpc-status in {events}")


def setting(key: int, value: int) -> bytes:
    return key.to_bytes(2, "big") + value.to_bytes(4, "big")


def window_update(stream: int, increment: int) -> bytes:
    return http2.frame(http2.WINDOW_UPDATE, 0, stream, increment.to_bytes(4, "big"))


CONNECTION_ERRORS = {
    "max frame size 0": (http2.frame(http2.SETTINGS, 0, 0, setting(5, 0)), http2.PROTOCOL_ERROR),
    "max frame size below 16384": (http2.frame(http2.SETTINGS, 0, 0, setting(5, 16383)), http2.PROTOCOL_ERROR),
    "max frame size above 2^24-1": (http2.frame(http2.SETTINGS, 0, 0, setting(5, 1 << 24)), http2.PROTOCOL_ERROR),
    "enable push 2": (http2.frame(http2.SETTINGS, 0, 0, setting(2, 2)), http2.PROTOCOL_ERROR),
    "initial window 2^31": (http2.frame(http2.SETTINGS, 0, 0, setting(4, 1 << 31)), http2.FLOW_CONTROL_ERROR),
    "settings of 7 octets": (http2.frame(http2.SETTINGS, 0, 0, setting(4, 1) + b"\x00"), http2.FRAME_SIZE_ERROR),
    "settings on a stream": (http2.frame(http2.SETTINGS, 0, 1, b""), http2.PROTOCOL_ERROR),
    "settings ack with a payload": (http2.frame(http2.SETTINGS, http2.ACK, 0, setting(4, 1)), http2.FRAME_SIZE_ERROR),
    "window update 0 on the connection": (window_update(0, 0), http2.PROTOCOL_ERROR),
    "connection window above 2^31-1": (window_update(0, http2.MAX_WINDOW), http2.FLOW_CONTROL_ERROR),
    "window update of 3 octets": (http2.frame(http2.WINDOW_UPDATE, 0, 0, b"\x00\x00\x01"), http2.FRAME_SIZE_ERROR),
    "window update on an idle stream": (window_update(9, 1), http2.PROTOCOL_ERROR),
    "frame beyond our max frame size": ((16385).to_bytes(3, "big") + bytes((0, 0, 0, 0, 0, 1)), http2.FRAME_SIZE_ERROR),
    "ping of 7 octets": (http2.frame(http2.PING, 0, 0, b"1234567"), http2.FRAME_SIZE_ERROR),
    "ping on a stream": (http2.frame(http2.PING, 0, 1, b"12345678"), http2.PROTOCOL_ERROR),
    "data on stream 0": (http2.frame(http2.DATA, 0, 0, b"x"), http2.PROTOCOL_ERROR),
    "data on an idle stream": (http2.frame(http2.DATA, 0, 7, b"x"), http2.PROTOCOL_ERROR),
    "rst_stream on stream 0": (http2.frame(http2.RST_STREAM, 0, 0, b"\x00\x00\x00\x08"), http2.PROTOCOL_ERROR),
    "rst_stream on an idle stream": (http2.frame(http2.RST_STREAM, 0, 5, b"\x00\x00\x00\x08"), http2.PROTOCOL_ERROR),
    "rst_stream of 3 octets": (http2.frame(http2.RST_STREAM, 0, 1, b"\x00\x00\x08"), http2.FRAME_SIZE_ERROR),
    "priority of 4 octets": (http2.frame(http2.PRIORITY, 0, 1, b"\x00\x00\x00\x00"), http2.FRAME_SIZE_ERROR),
    "goaway on a stream": (http2.frame(http2.GOAWAY, 0, 1, bytes(8)), http2.PROTOCOL_ERROR),
    "headers on stream 0": (http2.frame(http2.HEADERS, http2.END_HEADERS, 0, b"\x82"), http2.PROTOCOL_ERROR),
    "headers on an even stream": (http2.frame(http2.HEADERS, http2.END_HEADERS, 2, b"\x82"), http2.PROTOCOL_ERROR),
    "padding beyond the payload": (
        http2.frame(http2.HEADERS, http2.END_HEADERS | http2.PADDED, 1, b"\x05\x82"), http2.PROTOCOL_ERROR),
    "continuation without headers": (
        http2.frame(http2.CONTINUATION, http2.END_HEADERS, 1, b"\x82"), http2.PROTOCOL_ERROR),
    "undecodable header block": (http2.frame(http2.HEADERS, http2.END_HEADERS, 1, b"\xff\xff\xff\xff\x7f"),
                                 http2.COMPRESSION_ERROR),
    "push_promise": (http2.frame(http2.PUSH_PROMISE, http2.END_HEADERS, 1, bytes(5)), http2.PROTOCOL_ERROR),
}  # fmt: skip


@pytest.mark.parametrize("name", CONNECTION_ERRORS)
def test_a_connection_error_is_answered_with_goaway_and_the_connection_closed(
    client: Client, server: rpc.Server, name: str
) -> None:
    sent, code = CONNECTION_ERRORS[name]
    client.raw(sent)
    goaway = client.terminated()
    assert goaway.error_code == code
    # the server stays usable: another connection is served
    assert server.listener is not None
    other = Client(server.listener.getsockname())
    assert status(other.ended(other.request(READ, message()))) == (0, "")
    other.close()


def test_headers_on_an_even_stream_below_the_last_one_opened_are_a_protocol_error(client: Client) -> None:
    assert status(client.ended(client.request(READ, message()))) == (0, "")
    assert status(client.ended(client.request(READ, message()))) == (0, "")
    client.raw(http2.frame(http2.HEADERS, http2.END_HEADERS | http2.END_STREAM, 2, rpc._field(b":path", b"/x")))
    assert client.terminated().error_code == http2.PROTOCOL_ERROR


def test_a_preface_not_followed_by_settings_is_a_protocol_error(server: rpc.Server) -> None:
    assert server.listener is not None
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(10)
        sock.connect(server.listener.getsockname())
        sock.sendall(http2.PREFACE + http2.frame(http2.PING, 0, 0, bytes(8)))
        frames = read_frames(sock)
    assert frames[-1][0] == http2.GOAWAY and frames[-1][3][4:8] == http2.PROTOCOL_ERROR.to_bytes(4, "big")


def read_frames(sock: socket.socket) -> list[tuple[int, int, int, bytes]]:
    """Every frame until the server closes the connection: (type, flags, stream, payload)."""
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(1 << 16):
            data += chunk
    frames = []
    while data:
        header, length = Frame.parse_frame_header(memoryview(data[:9]))
        frames.append((data[3], data[4], header.stream_id, data[9 : 9 + length]))
        data = data[9 + length :]
    return frames


def test_our_settings_bound_what_the_client_may_send(client: Client) -> None:
    events = client.until(lambda seen: any(isinstance(e, RemoteSettingsChanged) for e in seen))
    changed = next(e for e in events if isinstance(e, RemoteSettingsChanged)).changed_settings
    assert changed[SettingCodes.MAX_HEADER_LIST_SIZE].new_value == LIMITS.max_header_list
    assert changed[SettingCodes.MAX_CONCURRENT_STREAMS].new_value == LIMITS.max_streams
    assert changed[SettingCodes.INITIAL_WINDOW_SIZE].new_value == http2.MAX_WINDOW
    assert SettingCodes.MAX_FRAME_SIZE not in changed  # ours is the default, 16384


def test_a_request_whose_body_ends_with_trailers_is_answered(client: Client) -> None:
    stream = client.request(READ, message(), end=False)
    client.h2.send_headers(stream, [(b"x-trailer", b"1")], end_stream=True)
    client.flush()
    events = client.ended(stream)
    assert status(events) == (0, "")
    body = b"".join(e.data for e in events if isinstance(e, DataReceived))
    assert pb.ReadResource.Response.FromString(body[5:]).new_state.msgpack == b"x" * 10


def test_trailers_that_do_not_end_the_stream_reset_it(client: Client) -> None:
    stream = client.request(READ, message(), end=False)
    block = Encoder().encode([(b"x-trailer", b"1")])
    client.raw(http2.frame(http2.HEADERS, http2.END_HEADERS, stream, block))
    reset = [e for e in client.ended(stream) if isinstance(e, StreamReset)]
    assert [e.error_code for e in reset] == [http2.PROTOCOL_ERROR]


@pytest.mark.parametrize(
    ("increment", "code"), [(0, http2.PROTOCOL_ERROR), (http2.MAX_WINDOW, http2.FLOW_CONTROL_ERROR)]
)
def test_a_bad_window_update_on_a_stream_resets_only_that_stream(client: Client, increment: int, code: int) -> None:
    stream = client.request(READ, message(), end=False)
    client.raw(window_update(stream, increment))
    assert [e.error_code for e in client.ended(stream) if isinstance(e, StreamReset)] == [code]
    assert status(client.ended(client.request(READ, message()))) == (0, "")  # the connection is still served


def test_a_window_update_on_a_stream_after_its_answer_is_ignored(client: Client) -> None:
    stream = client.request(READ, message())
    assert status(client.ended(stream)) == (0, "")
    client.raw(window_update(stream, 0) + window_update(stream, http2.MAX_WINDOW))
    assert status(client.ended(client.request(READ, message()))) == (0, "")
    assert not any(isinstance(e, StreamReset | ConnectionTerminated) for e in client.seen)


def test_a_stream_window_above_2_31_through_settings_is_a_flow_control_error(client: Client) -> None:
    stream = client.request(READ, message(), end=False)
    client.raw(window_update(stream, http2.MAX_WINDOW - http2.DEFAULT_WINDOW))
    client.raw(http2.frame(http2.SETTINGS, 0, 0, setting(http2.SETTINGS_INITIAL_WINDOW_SIZE, http2.DEFAULT_WINDOW + 1)))
    assert client.terminated().error_code == http2.FLOW_CONTROL_ERROR


def test_an_unknown_method_is_answered_while_the_client_keeps_its_stream_open(client: Client) -> None:
    stream = client.request(BROKER, end=False)  # go-plugin's broker stream: HEADERS, and nothing more
    events = client.reset(stream)
    assert status(events)[0] == rpc.UNIMPLEMENTED
    # the client is asked to stop sending (RST_STREAM NO_ERROR after the answer, RFC 9113 8.1)
    assert [e.error_code for e in events if isinstance(e, StreamReset)] == [http2.NO_ERROR]


def test_a_request_body_beyond_the_message_limit_is_refused_on_its_stream(client: Client) -> None:
    stream = client.request(READ, message(LIMITS.max_body), end=False)
    events = client.reset(stream)
    assert status(events)[0] == rpc.RESOURCE_EXHAUSTED
    assert [e.error_code for e in events if isinstance(e, StreamReset)] == [http2.NO_ERROR]
    client.raw(http2.frame(http2.DATA, http2.END_STREAM, stream, b"more"))  # was in flight: ignored
    assert status(client.ended(client.request(READ, message()))) == (0, "")


def test_bodies_held_at_once_are_bounded_across_streams(client: Client) -> None:
    half = message(LIMITS.max_body // 2)
    first = client.request(READ, half, end=False)
    second = client.request(READ, half, end=False)  # together beyond what a connection buffers
    assert status(client.ended(second))[0] == rpc.RESOURCE_EXHAUSTED
    client.h2.end_stream(first)
    client.flush()
    assert status(client.ended(first)) == (0, "")


def test_a_header_block_grown_by_continuation_beyond_the_limit_ends_the_connection(client: Client) -> None:
    client.raw(http2.frame(http2.HEADERS, 0, 1, b"\x82"))
    for _ in range(LIMITS.max_header_list // 1000 + 1):
        client.raw(http2.frame(http2.CONTINUATION, 0, 1, bytes(1000)))
    assert client.terminated().error_code == http2.ENHANCE_YOUR_CALM


def test_a_small_header_block_that_decodes_beyond_the_limit_ends_the_connection(client: Client) -> None:
    encoder = Encoder()
    big = encoder.encode([(b"x-big", b"v" * 1000)])  # enters the dynamic table
    block = big + encoder.encode([(b"x-big", b"v" * 1000)]) * 8  # references to it: 9 bytes for 8 KB
    assert len(block) < LIMITS.max_header_list
    client.raw(http2.frame(http2.HEADERS, http2.END_HEADERS | http2.END_STREAM, 1, block))
    assert client.terminated().error_code == http2.ENHANCE_YOUR_CALM


def test_streams_beyond_the_concurrency_limit_are_refused(client: Client, toy: Toy) -> None:
    # sent before h2 reads our SETTINGS: it does not know the limit yet, as a client may not
    blocked = [client.request(APPLY, message()) for _ in range(LIMITS.max_streams)]
    extra = client.request(APPLY, message())
    assert [e.error_code for e in client.ended(extra) if isinstance(e, StreamReset)] == [http2.REFUSED_STREAM]
    toy.release.set()
    for stream in blocked:
        assert status(client.ended(stream)) == (0, "")


def test_the_error_message_is_bounded_after_percent_encoding(client: Client) -> None:
    """6,000 non-ASCII characters are 72,000 octets percent-encoded: capped before encoding the
    trailers made a frame beyond the peer's 16 KiB, which h2 (and grpc-go) refuse."""
    code, text = status(client.ended(client.request("/tfplugin6.Provider/PlanResourceChange", message())))
    assert code == rpc.UNKNOWN
    assert len(text) <= rpc.MAX_STATUS_MESSAGE
    decoded = urllib.parse.unquote_to_bytes(text).decode()  # strict: no character was cut in two
    assert decoded.startswith("Exception calling application: ü") and set(decoded.split(": ", 1)[1]) == {"ü"}
    assert len(text) > rpc.MAX_STATUS_MESSAGE - 6  # cut at the bound, not far before it


def test_pings_are_answered(client: Client) -> None:
    client.h2.ping(b"12345678")
    client.flush()
    acks = client.until(lambda seen: any(isinstance(e, PingAckReceived) for e in seen))
    assert [e.ping_data for e in acks if isinstance(e, PingAckReceived)] == [b"12345678"]


def test_a_header_block_beyond_the_peers_frame_size_is_split_into_continuation() -> None:
    channel = Recorded()
    connection = http2.Connection(channel, Ignored())
    connection.windows[1] = 10
    block = rpc._field(b"x-long", b"y" * 40000)
    assert connection.respond(1, block)
    frames, data = [], b"".join(channel.sent)
    while data:
        length = int.from_bytes(data[:3], "big")
        frames.append((data[3], data[4], data[9 : 9 + length]))
        data = data[9 + length :]
    assert [(kind, flags) for kind, flags, _ in frames] == [
        (http2.HEADERS, http2.END_STREAM), (http2.CONTINUATION, 0), (http2.CONTINUATION, http2.END_HEADERS)
    ]  # fmt: skip
    assert all(len(payload) <= http2.DEFAULT_MAX_FRAME for _, _, payload in frames)
    assert Decoder().decode(b"".join(payload for _, _, payload in frames), raw=True) == [(b"x-long", b"y" * 40000)]


def test_a_peer_that_sends_no_preface_is_dropped(server: rpc.Server) -> None:
    assert server.listener is not None
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(10)
        sock.connect(server.listener.getsockname())
        sock.sendall(http2.PREFACE[:5])
        assert closed(sock)


@pytest.mark.parametrize("sends", ["nothing", "the TLS handshake only"])
def test_a_tls_peer_that_never_finishes_the_handshake_is_dropped(tmp_path: Path, toy: Toy, sends: str) -> None:
    key_pem, cert_pem, _ = server_certificate()
    client_key, client_cert = client_certificate()
    context = tls.server_context(key_pem, cert_pem, client_cert.decode(), str(tmp_path))
    table = rpc.unary_methods(pb.DESCRIPTOR.services_by_name["Provider"], toy)
    served = rpc.Server(table, handshake_timeout=0.3)
    path = str(tmp_path / "plugin.sock")
    served.start(path, (context, ssl.PEM_cert_to_DER_cert(client_cert.decode())))
    try:
        with socket.socket(socket.AF_UNIX) as raw:
            raw.settimeout(10)
            raw.connect(path)
            if sends == "nothing":
                assert closed(raw)
            else:
                (tmp_path / "client.pem").write_bytes(client_key + client_cert)
                client_context = ssl.create_default_context(cadata=cert_pem.decode())
                client_context.load_cert_chain(tmp_path / "client.pem")
                client_context.set_alpn_protocols(["h2"])
                wrapped = client_context.wrap_socket(raw, server_hostname="localhost")
                assert wrapped.recv(1 << 16) == b""
        for _ in range(100):  # the connection's thread ends after closing the socket
            if not served.connections:
                break
            time.sleep(0.05)
        assert not served.connections
    finally:
        served.stop(grace=1)
