"""The provider's HTTP/2 server (sps_provider.transport) against generated frame sequences: requests
interleaved on many streams (header blocks split into CONTINUATION, padded and prioritized frames,
bodies in several DATA frames, ending with END_STREAM, with trailers, or left open), answered on
the reader thread, on the pool, or at once (unknown methods), beside pings, window updates
(valid, zero, overflowing), resets, PRIORITY, unknown frame types, SETTINGS and GOAWAY, and at
most one connection error (a bad frame, a bad setting, a flood of CONTINUATION).

A model of RFC 9113 and of the server's limits predicts, per stream, the answers it may get (a
handler answered on the pool races with a later reset, so some streams allow two); the server
must give one of them within a bound, answer on no stream it was not asked on, acknowledge every
PING and SETTINGS it read, close the connection with the GOAWAY code the first error calls for,
hold exactly the request bytes the model says (never beyond the limits), and release its
connection thread and every call once the connection ends."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hpack import Decoder, Encoder
from hyperframe.frame import Frame
from hypothesis import given, settings
from hypothesis import strategies as st

from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.transport import http2, rpc
from sps_provider.transport.http2 import SETTINGS_INITIAL_WINDOW_SIZE as SETTINGS_WINDOW
from sps_provider.transport.http2 import SETTINGS_MAX_FRAME_SIZE, frame
from tests.support.fuzzing import SCALE, count

LIMITS = http2.Limits(max_body=2048, max_streams=64, max_header_list=4096)
PATHS = {
    "inline": b"/tfplugin6.Provider/ReadResource",  # answered on the connection's reader thread
    "pool": b"/tfplugin6.Provider/ApplyResourceChange",  # answered on the pool: races later frames
    "unknown": b"/plugin.GRPCBroker/StartStream",  # answered when its HEADERS arrive
}
CLIENT_WINDOW = 1 << 20  # the client's SETTINGS_INITIAL_WINDOW_SIZE: answers never wait for it
BOUND = 10.0  # seconds: every wait for the server is bounded
THREADS = ("plugin-connection", "plugin-handshake-deadline")  # what a connection starts


class Echo:
    def ReadResource(self, request: Any, context: None) -> Any:
        return pb.ReadResource.Response(new_state=request.current_state)

    def ApplyResourceChange(self, request: Any, context: None) -> Any:
        return pb.ApplyResourceChange.Response(new_state=request.prior_state)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[rpc.Server]:
    table = rpc.unary_methods(pb.DESCRIPTOR.services_by_name["Provider"], Echo(), ("ReadResource",))
    served = rpc.Server(table, limits=LIMITS)
    served.start(str(tmp_path_factory.mktemp("transport-fuzz") / "plugin.sock"), None)
    yield served
    served.stop(grace=1)


@dataclass(frozen=True)
class Request:
    kind: str
    size: int  # octets of the request message's payload; 0: no body at all
    chunks: int
    ending: str  # "data" (END_STREAM on the last DATA), "trailers", "open", "trailers without END_STREAM"
    split: bool  # header block in HEADERS + CONTINUATION
    padded: bool
    prioritized: bool


def body_of(size: int) -> bytes:
    if not size:
        return b""
    data = pb.ReadResource.Request(current_state=pb.DynamicValue(msgpack=b"x" * size)).SerializeToString()
    return b"\x00" + len(data).to_bytes(4, "big") + data


requests = st.builds(
    Request,
    kind=st.sampled_from(["pool", "inline", "unknown"]),
    size=st.sampled_from([900, 100, 1500, 0, 1, 2100]),  # two of the middle ones exceed what a connection buffers
    chunks=st.integers(1, 3),
    ending=st.sampled_from(["data", "trailers", "data", "open", "data", "trailers", "trailers without END_STREAM"]),
    split=st.booleans(),
    padded=st.booleans(),
    prioritized=st.booleans(),
)
valid_setting = st.one_of(
    st.tuples(st.just(http2.SETTINGS_INITIAL_WINDOW_SIZE), st.integers(CLIENT_WINDOW, 1 << 24)),
    st.tuples(st.just(http2.SETTINGS_MAX_FRAME_SIZE), st.integers(http2.DEFAULT_MAX_FRAME, http2.MAX_FRAME_LIMIT)),
    st.tuples(st.just(http2.SETTINGS_ENABLE_PUSH), st.integers(0, 1)),
    st.tuples(st.sampled_from([http2.SETTINGS_HEADER_TABLE_SIZE, http2.SETTINGS_MAX_HEADER_LIST_SIZE, 0x10, 0xFFFF]),
              st.integers(0, (1 << 32) - 1)),
)  # fmt: skip
ref = st.integers(0, 63)  # a stream opened before, counted modulo how many
#: Each kind of operation with its strategy and weight: mostly requests and their frames.
OPERATIONS: dict[str, tuple[int, st.SearchStrategy[tuple[Any, ...]]]] = {
    "open": (6, st.tuples(st.just("open"), requests)),
    "send": (10, st.tuples(st.just("send"), ref)),
    "ping": (1, st.tuples(st.just("ping"), st.binary(min_size=8, max_size=8))),
    "connection window": (1, st.tuples(st.just("window"), st.none(), st.integers(1, 1000))),
    "stream window": (2, st.tuples(st.just("window"), ref, st.sampled_from([0, 1, 1000, http2.MAX_WINDOW]))),
    "reset": (1, st.tuples(st.just("reset"), ref)),
    "priority": (1, st.tuples(st.just("priority"), st.one_of(ref, st.none()))),  # None: an idle stream
    "unknown type": (1, st.tuples(st.just("unknown type"), st.integers(10, 255), st.integers(0, 9),
                                  st.binary(max_size=20))),
    "settings": (1, st.tuples(st.just("settings"), st.lists(valid_setting, max_size=3))),
    "goaway": (1, st.tuples(st.just("goaway"))),
}  # fmt: skip
operations = st.sampled_from([name for name, (weight, _) in OPERATIONS.items() for _ in range(weight)]).flatmap(
    lambda name: OPERATIONS[name][1]
)
#: Connection errors, by the frame that causes them (`idle`: the next stream the client would open).
FAULTS: dict[str, tuple[int, Callable[[int], bytes]]] = {
    "max frame size 0": (http2.PROTOCOL_ERROR, lambda idle: settings_frame([(SETTINGS_MAX_FRAME_SIZE, 0)])),
    "max frame size 2^24": (http2.PROTOCOL_ERROR, lambda idle: settings_frame([(SETTINGS_MAX_FRAME_SIZE, 1 << 24)])),
    "enable push 2": (http2.PROTOCOL_ERROR, lambda idle: settings_frame([(http2.SETTINGS_ENABLE_PUSH, 2)])),
    "initial window 2^31": (http2.FLOW_CONTROL_ERROR, lambda idle: settings_frame([(SETTINGS_WINDOW, 1 << 31)])),
    "settings of 5 octets": (http2.FRAME_SIZE_ERROR, lambda idle: frame(http2.SETTINGS, 0, 0, bytes(5))),
    "window update 0 on the connection": (http2.PROTOCOL_ERROR, lambda idle: window(0, 0)),
    "connection window beyond 2^31-1": (http2.FLOW_CONTROL_ERROR, lambda idle: window(0, http2.MAX_WINDOW)),
    "window update on an idle stream": (http2.PROTOCOL_ERROR, lambda idle: window(idle, 1)),
    "data on an idle stream": (http2.PROTOCOL_ERROR, lambda idle: frame(http2.DATA, 0, idle, b"x")),
    "data on stream 0": (http2.PROTOCOL_ERROR, lambda idle: frame(http2.DATA, 0, 0, b"x")),
    "rst_stream on an idle stream": (http2.PROTOCOL_ERROR, lambda idle: frame(http2.RST_STREAM, 0, idle, bytes(4))),
    "rst_stream on stream 0": (http2.PROTOCOL_ERROR, lambda idle: frame(http2.RST_STREAM, 0, 0, bytes(4))),
    "ping of 9 octets": (http2.FRAME_SIZE_ERROR, lambda idle: frame(http2.PING, 0, 0, bytes(9))),
    "frame beyond 16384 octets": (http2.FRAME_SIZE_ERROR, lambda idle: frame(http2.DATA, 0, idle, bytes(16385))),
    "headers on an even stream": (
        http2.PROTOCOL_ERROR,
        lambda idle: frame(http2.HEADERS, http2.END_HEADERS, idle + 1, rpc._field(b":path", PATHS["inline"])),
    ),
    "header block interrupted": (
        http2.PROTOCOL_ERROR,
        lambda idle: frame(http2.HEADERS, 0, idle, b"") + frame(http2.PING, 0, 0, bytes(8)),
    ),
    "continuation flood": (
        http2.ENHANCE_YOUR_CALM,
        lambda idle: frame(http2.HEADERS, 0, idle, b"") + frame(http2.CONTINUATION, 0, idle, bytes(4000)) * 2,
    ),
    "undecodable header block": (
        http2.COMPRESSION_ERROR,
        lambda idle: frame(http2.HEADERS, http2.END_HEADERS, idle, b"\xff\xff\xff\xff\x7f"),
    ),
    "push_promise": (http2.PROTOCOL_ERROR, lambda idle: frame(http2.PUSH_PROMISE, http2.END_HEADERS, 1, bytes(5))),
}
faults = st.one_of(st.none(), st.tuples(st.integers(0, 40), st.sampled_from(sorted(FAULTS))))


def settings_frame(pairs: list[tuple[int, int]]) -> bytes:
    return http2.frame(http2.SETTINGS, 0, 0, b"".join(k.to_bytes(2, "big") + v.to_bytes(4, "big") for k, v in pairs))


def window(stream: int, increment: int) -> bytes:
    return http2.frame(http2.WINDOW_UPDATE, 0, stream, increment.to_bytes(4, "big"))


Outcome = tuple[str, int, bool]  # ("status", grpc-status, RST_STREAM(NO_ERROR) after it) or ("reset", code, False)
NONE: Outcome = ("none", 0, False)


@dataclass
class Stream:
    request: Request
    id: int
    units: list[str]  # what the client still has to send on it, in order
    receiving: bool = False  # in the server's `streams`: its body is being read
    open: bool = False  # in the server's `windows`: not answered, not reset
    racing: bool = False  # answered on the pool: when, the model cannot say
    size: int = 0
    outcomes: set[Outcome] = field(default_factory=lambda: {NONE})


@dataclass
class Model:
    """What the client sends, and what RFC 9113 and the server's limits make of it."""

    encoder: Encoder = field(default_factory=Encoder)
    sent: list[bytes] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)
    next_id: int = 1
    buffered: int = 0
    initial_window: int = CLIENT_WINDOW
    windows: dict[int, int] = field(default_factory=dict)
    pings: list[bytes] = field(default_factory=list)
    settings_acks: int = 1  # the client preface's SETTINGS
    max_frame: int = http2.DEFAULT_MAX_FRAME  # the largest frame the client allows us
    error: int | None = None

    def run(self, ops: list[tuple[Any, ...]], fault: tuple[int, str] | None) -> None:
        for i, op in enumerate(ops):
            if fault is not None and i == fault[0]:
                break
            getattr(self, "op_" + op[0].replace(" ", "_"))(*op[1:])
        else:
            if fault is None:  # everything the client has left, stream by stream
                for stream in self.streams:
                    while stream.units:
                        self.op_send_stream(stream)
                return
        assert fault is not None
        code, make = FAULTS[fault[1]]
        self.sent.append(make(self.next_id))
        self.error = code
        for stream in self.streams:
            if stream.racing or stream.receiving:
                stream.outcomes.add(NONE)  # the connection closes before it is answered

    def stream(self, index: int) -> Stream | None:
        return self.streams[index % len(self.streams)] if self.streams else None

    def op_open(self, request: Request) -> None:
        if len(self.streams) >= LIMITS.max_streams:
            return
        body = body_of(request.size)
        units = ["headers"]
        step = max(1, -(-len(body) // request.chunks))
        units += [f"data {start} {min(start + step, len(body))}" for start in range(0, len(body), step)]
        if request.ending in ("trailers", "trailers without END_STREAM"):
            units.append("trailers")
        stream = Stream(request, self.next_id, units)
        self.next_id += 2
        self.streams.append(stream)
        self.op_send_stream(stream)

    def op_send(self, index: int) -> None:
        stream = self.stream(index)
        if stream is not None and stream.units:
            self.op_send_stream(stream)

    def op_send_stream(self, stream: Stream) -> None:
        unit = stream.units.pop(0)
        request = stream.request
        body = body_of(request.size)
        end = not stream.units and request.ending == "data"
        if unit == "headers":
            self.headers(stream, end)
        elif unit == "trailers":
            ends = request.ending == "trailers"
            self.sent.append(self.block(stream.id, [(b"x-trailer", b"1")], ends, split=False))
            if stream.receiving:
                if ends:
                    self.complete(stream)
                else:
                    self.reset_by_server(stream, http2.PROTOCOL_ERROR)
        else:
            start, stop = map(int, unit.split()[1:])
            chunk = body[start:stop]
            flags = http2.END_STREAM if end else 0
            if request.padded:
                self.sent.append(http2.frame(http2.DATA, flags | http2.PADDED, stream.id, b"\x03" + chunk + bytes(3)))
            else:
                self.sent.append(http2.frame(http2.DATA, flags, stream.id, chunk))
            if stream.receiving:
                stream.size += len(chunk)
                self.buffered += len(chunk)
                if stream.size > LIMITS.max_body or self.buffered > LIMITS.max_body:
                    stream.receiving = stream.open = False
                    self.buffered -= stream.size
                    stream.outcomes = {("status", rpc.RESOURCE_EXHAUSTED, not end)}
                elif end:
                    self.complete(stream)

    def headers(self, stream: Stream, end: bool) -> None:
        request = stream.request
        fields = [(b":method", b"POST"), (b":scheme", b"http"), (b":path", PATHS[request.kind]),
                  (b":authority", b"x"), (b"content-type", b"application/grpc"), (b"te", b"trailers")]  # fmt: skip
        self.sent.append(self.block(stream.id, fields, end, request.split, request.padded, request.prioritized))
        if request.kind == "unknown":
            stream.outcomes = {("status", rpc.UNIMPLEMENTED, not end)}
            return
        stream.open = True
        self.windows[stream.id] = self.initial_window
        if end:
            self.complete(stream)
        else:
            stream.receiving = True

    def block(
        self, stream: int, fields: list[tuple[bytes, bytes]], end: bool, split: bool,
        padded: bool = False, prioritized: bool = False,
    ) -> bytes:  # fmt: skip
        encoded = self.encoder.encode(fields)
        cut = len(encoded) // 2 if split else len(encoded)
        first, rest = encoded[:cut], encoded[cut:]
        flags = (http2.END_STREAM if end else 0) | (0 if split else http2.END_HEADERS)
        if prioritized:
            flags |= http2.PRIORITY_FLAG
            first = (stream - 1 if stream > 1 else 0).to_bytes(4, "big") + b"\x10" + first
        if padded:
            flags |= http2.PADDED
            first = b"\x02" + first + bytes(2)
        out = http2.frame(http2.HEADERS, flags, stream, first)
        if split:
            out += http2.frame(http2.CONTINUATION, http2.END_HEADERS, stream, rest)
        return out

    def complete(self, stream: Stream) -> None:
        self.buffered -= stream.size
        stream.receiving = False
        if not stream.size:
            stream.outcomes, stream.open = {("status", rpc.INTERNAL, False)}, False  # truncated message
        elif stream.request.kind == "inline":
            stream.outcomes, stream.open = {("status", 0, False)}, False
        else:
            stream.outcomes, stream.racing = {("status", 0, False)}, True

    def reset_by_server(self, stream: Stream, code: int) -> None:
        if stream.receiving:
            self.buffered -= stream.size
        stream.receiving = stream.open = False
        if stream.racing:
            stream.outcomes.add(("reset", code, False))
        else:
            stream.outcomes = {("reset", code, False)}

    def op_ping(self, payload: bytes) -> None:
        self.sent.append(http2.frame(http2.PING, 0, 0, payload))
        self.pings.append(payload)

    def op_window(self, index: int | None, increment: int) -> None:
        if index is None:
            self.sent.append(window(0, increment))
            return
        stream = self.stream(index)
        if stream is None:
            return
        self.sent.append(window(stream.id, increment))
        if not stream.open:
            return  # closed: ignored
        if increment == 0 or self.windows[stream.id] + increment > http2.MAX_WINDOW:
            self.reset_by_server(stream, http2.PROTOCOL_ERROR if increment == 0 else http2.FLOW_CONTROL_ERROR)
        else:
            self.windows[stream.id] += increment

    def op_reset(self, index: int) -> None:
        stream = self.stream(index)
        if stream is None:
            return
        self.sent.append(http2.frame(http2.RST_STREAM, 0, stream.id, http2.CANCEL.to_bytes(4, "big")))
        stream.units = []  # the client sends nothing more on it
        if stream.receiving:
            self.buffered -= stream.size
            stream.outcomes = {NONE}
        elif stream.racing:
            stream.outcomes.add(NONE)
        stream.receiving = stream.open = False

    def op_priority(self, index: int | None) -> None:
        stream = self.stream(index) if index is not None else None
        target = stream.id if stream is not None else self.next_id
        self.sent.append(http2.frame(http2.PRIORITY, 0, target, bytes(4) + b"\x10"))

    def op_unknown_type(self, kind: int, stream: int, payload: bytes) -> None:
        self.sent.append(http2.frame(kind, 0, stream, payload))

    def op_settings(self, pairs: list[tuple[int, int]]) -> None:
        self.sent.append(settings_frame(pairs))
        self.settings_acks += 1
        for key, value in pairs:
            if key == http2.SETTINGS_INITIAL_WINDOW_SIZE:
                for stream in self.windows:
                    self.windows[stream] += value - self.initial_window
                self.initial_window = value
            elif key == http2.SETTINGS_MAX_FRAME_SIZE:
                self.max_frame = max(self.max_frame, value)

    def op_goaway(self) -> None:
        self.sent.append(http2.frame(http2.GOAWAY, 0, 0, bytes(8)))


class Reader(threading.Thread):
    """Reads what the server sends until it closes the connection or `stop` is set."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(daemon=True)
        self.sock = sock
        self.data = bytearray()
        self.eof = threading.Event()
        self.changed = threading.Condition()

    def run(self) -> None:
        with contextlib.suppress(OSError):
            while chunk := self.sock.recv(1 << 16):
                with self.changed:
                    self.data += chunk
                    self.changed.notify_all()
        self.eof.set()
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, predicate: Any) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(bytes(self.data)) or self.eof.is_set(), timeout=BOUND)


def frames_of(data: bytes) -> list[tuple[Frame, bytes]]:
    """The server's frames, parsed by hyperframe (independent of the server's own framing)."""
    out = []
    view = memoryview(data)
    while len(view) >= 9:
        header, length = Frame.parse_frame_header(view[:9])
        if len(view) < 9 + length:
            break
        header.parse_body(view[9 : 9 + length])
        out.append((header, bytes(view[9 : 9 + length])))
        view = view[9 + length :]
    return out


def acked(payload: bytes) -> Any:
    return lambda data: any(f.type == http2.PING and "ACK" in f.flags and raw == payload for f, raw in frames_of(data))


def outcomes(frames: list[tuple[Frame, bytes]]) -> dict[int, Outcome]:
    """Per stream: its grpc-status (and whether RST_STREAM(NO_ERROR) followed), or its reset."""
    decoder = Decoder()
    seen: dict[int, Outcome] = {}
    block: dict[int, bytes] = {}
    ended: set[int] = set()
    for f, raw in frames:
        if f.type in (http2.HEADERS, http2.CONTINUATION, http2.DATA):
            assert f.stream_id not in ended, f"a frame on stream {f.stream_id} after its end"
        if f.type in (http2.HEADERS, http2.CONTINUATION):
            block[f.stream_id] = block.get(f.stream_id, b"") + f.data
            if "END_HEADERS" in f.flags:
                fields = dict(decoder.decode(block.pop(f.stream_id), raw=True))
                if b"grpc-status" in fields:
                    seen[f.stream_id] = ("status", int(fields[b"grpc-status"]), False)
        if f.type in (http2.HEADERS, http2.DATA) and "END_STREAM" in f.flags:
            ended.add(f.stream_id)
        if f.type == http2.RST_STREAM:
            code = int.from_bytes(raw, "big")
            if f.stream_id in ended:
                assert code == http2.NO_ERROR and seen[f.stream_id][0] == "status"
                seen[f.stream_id] = (*seen[f.stream_id][:2], True)  # type: ignore[assignment]
            else:
                seen[f.stream_id] = ("reset", code, False)
                ended.add(f.stream_id)
    assert ended >= set(seen), "an answer without END_STREAM"
    return seen


def exchange(server: rpc.Server, model: Model) -> list[tuple[Frame, bytes]]:
    """Send the model's frames; the server's frames once it answered everything it will."""
    assert server.listener is not None
    before = set(threading.enumerate())
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(BOUND)
    sock.connect(server.listener.getsockname())
    reader = Reader(sock)
    reader.start()
    preface = http2.PREFACE + settings_frame([(http2.SETTINGS_INITIAL_WINDOW_SIZE, CLIENT_WINDOW)])
    preface += window(0, 1 << 30)  # our answers never wait for the connection's window either
    try:
        with contextlib.suppress(OSError):  # a server that ended the connection stops reading
            sock.sendall(preface + b"".join(model.sent))
        if model.error is not None:
            assert reader.eof.wait(BOUND), "the connection is not closed after a connection error"
            return frames_of(bytes(reader.data))
        sock.sendall(http2.frame(http2.PING, 0, 0, b"read all"))
        assert reader.wait_for(acked(b"read all")) and not reader.eof.is_set()
        # the reader thread read every frame: what it holds for calls not started is the model's
        (connection,) = server.connections
        assert connection.buffered == model.buffered <= LIMITS.max_body
        assert len(connection.streams) == sum(s.receiving for s in model.streams)
        assert not connection.header_block
        with server.idle:  # and the calls on the pool have answered
            assert server.idle.wait_for(lambda: server.active == 0, timeout=BOUND)
        sock.sendall(http2.frame(http2.PING, 0, 0, b"answered"))  # acknowledged after those answers
        assert reader.wait_for(acked(b"answered")) and not reader.eof.is_set()
        return [(f, raw) for f, raw in frames_of(bytes(reader.data)) if not (f.type == http2.PING and raw in (
            b"read all", b"answered"))]  # fmt: skip
    finally:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes the reader
        reader.join(BOUND)
        sock.close()
        released(server, before)


def released(server: rpc.Server, before: set[threading.Thread]) -> None:
    """The connection's threads end and no call stays in flight once the connection is closed."""

    def held() -> list[str]:
        threads = [t.name for t in threading.enumerate() if t not in before and t.name in THREADS]
        return threads + [f"{len(server.connections)} connections"] * bool(server.connections) + [
            f"{server.active} calls"] * bool(server.active)  # fmt: skip

    deadline = time.monotonic() + BOUND
    while held() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert held() == []


@settings(max_examples=SCALE * 10 if SCALE else 100)
@given(ops=st.lists(operations, min_size=5, max_size=40), fault=faults)
def test_every_request_is_answered_or_reset_and_every_error_closes_the_connection(
    server: rpc.Server, ops: list[tuple[Any, ...]], fault: tuple[int, str] | None
) -> None:
    model = Model()
    model.run(ops, fault)
    check(exchange(server, model), model)
    count("transport: frame sequences")


def check(frames: list[tuple[Frame, bytes]], model: Model) -> None:
    opened = {s.id for s in model.streams}
    assert frames and frames[0][0].type == http2.SETTINGS and "ACK" not in frames[0][0].flags
    for f, raw in frames:
        assert f.stream_id == 0 or f.stream_id in opened, f"a frame on stream {f.stream_id}, never opened"
        assert len(raw) <= model.max_frame
    got = outcomes(frames)
    for stream in model.streams:
        answer = got.get(stream.id, NONE)
        assert answer in stream.outcomes, f"stream {stream.id} ({stream.request}): {answer}, not {stream.outcomes}"
    assert [raw for f, raw in frames if f.type == http2.PING and "ACK" in f.flags] == model.pings
    acks = sum(1 for f, _ in frames if f.type == http2.SETTINGS and "ACK" in f.flags)
    assert acks == model.settings_acks
    goaways = [int.from_bytes(raw[4:8], "big") for f, raw in frames if f.type == http2.GOAWAY]
    assert goaways == ([] if model.error is None else [model.error])
