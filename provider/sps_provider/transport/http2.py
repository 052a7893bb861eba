"""The HTTP/2 a gRPC client speaks (RFC 9113), server side: frames in, flow-controlled answers out.

One reader thread per connection parses frames; handler threads answer through `respond`, which
waits for the peer's windows and writes headers, data and trailers in as few TLS writes as they
allow. The client's send windows are opened wide at the start (SETTINGS_INITIAL_WINDOW_SIZE and a
connection WINDOW_UPDATE), so it never waits for us; one connection WINDOW_UPDATE is sent per GiB
received. Request headers are decoded with `hpack` (its dynamic table is per connection); a gRPC
client repeats the same few header blocks, which after the first call of a method hold only
references into that table, so such a block is decoded once (`Headers`).

The peer is held to the protocol (it is Terraform, but a broken or hostile one must not crash,
stall or exhaust the provider): a connection error is answered with GOAWAY and its code, a stream
error with RST_STREAM on that stream only, and what a connection may make us hold is bounded
(`Limits`: frame size, header block, request bodies, open streams).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import NamedTuple, Protocol

from hpack import Decoder, OversizedHeaderListError

log = logging.getLogger(__name__)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
(SETTINGS_HEADER_TABLE_SIZE, SETTINGS_ENABLE_PUSH, SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_INITIAL_WINDOW_SIZE,
 SETTINGS_MAX_FRAME_SIZE, SETTINGS_MAX_HEADER_LIST_SIZE) = range(1, 7)  # fmt: skip
(NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, SETTINGS_TIMEOUT, STREAM_CLOSED, FRAME_SIZE_ERROR,
 REFUSED_STREAM, CANCEL, COMPRESSION_ERROR, CONNECT_ERROR, ENHANCE_YOUR_CALM) = range(12)  # fmt: skip
MAX_WINDOW = (1 << 31) - 1
DEFAULT_WINDOW = 65535
DEFAULT_MAX_FRAME = 16384  # also the largest frame we accept: we advertise no other SETTINGS_MAX_FRAME_SIZE
MAX_FRAME_LIMIT = (1 << 24) - 1
REPLENISH_AT = 1 << 30
#: Frames whose payload has one fixed length (RFC 9113 6.3, 6.4, 6.7, 6.9).
FIXED_LENGTH = {PRIORITY: 5, RST_STREAM: 4, PING: 8, WINDOW_UPDATE: 4}


class ProtocolError(Exception):
    """The peer broke HTTP/2: a connection error, answered with GOAWAY carrying `code`."""

    def __init__(self, message: str, code: int = PROTOCOL_ERROR) -> None:
        super().__init__(message)
        self.code = code


class Limits(NamedTuple):
    """What one connection may make us hold. `max_body` bounds a request body (the gRPC message and
    its 5-octet prefix) and also all bodies buffered at once before their calls start;
    `max_streams` (SETTINGS_MAX_CONCURRENT_STREAMS) bounds the calls not answered yet, so the
    decoded requests waiting for a worker too; `max_header_list` (SETTINGS_MAX_HEADER_LIST_SIZE)
    bounds a header block, compressed as received and decoded."""

    max_body: int = (256 << 20) + 5
    max_streams: int = 256
    max_header_list: int = 64 << 10


DEFAULT_LIMITS = Limits()


class Channel(Protocol):
    def recv(self) -> bytes: ...

    def send(self, data: bytes) -> None: ...


class Handler(Protocol):
    """What the connection's reader thread calls for requests."""

    def opened(self, connection: Connection, stream: int, headers: dict[bytes, bytes]) -> bool:
        """A stream was opened: True to read its request; False if answered already (an unknown
        method, answered without waiting for a body the client may never end)."""

    def request(self, connection: Connection, stream: int, headers: dict[bytes, bytes], body: bytes) -> None:
        """A request is complete (END_STREAM received)."""

    def oversized(self, connection: Connection, stream: int) -> None:
        """The request's body went beyond `Limits.max_body`: answer it, the rest is not read."""


def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return len(payload).to_bytes(3, "big") + bytes((kind, flags)) + stream.to_bytes(4, "big") + payload


def server_preface(limits: Limits) -> bytes:
    """Our SETTINGS (streams may send up to 2^31-1 octets before a WINDOW_UPDATE, more than a
    message may hold) and the connection's WINDOW_UPDATE to the same."""
    ours = {
        SETTINGS_INITIAL_WINDOW_SIZE: MAX_WINDOW,
        SETTINGS_MAX_CONCURRENT_STREAMS: limits.max_streams,
        SETTINGS_MAX_HEADER_LIST_SIZE: limits.max_header_list,
    }
    settings = b"".join(key.to_bytes(2, "big") + value.to_bytes(4, "big") for key, value in ours.items())
    opened = (MAX_WINDOW - DEFAULT_WINDOW).to_bytes(4, "big")
    return frame(SETTINGS, 0, 0, settings) + frame(WINDOW_UPDATE, 0, 0, opened)


def unpadded(payload: bytes) -> bytes:
    """The payload of a PADDED frame without its pad length octet and padding (RFC 9113 6.1)."""
    if not payload or payload[0] >= len(payload):
        raise ProtocolError("padding as long as the frame payload or longer")
    return payload[1 : len(payload) - payload[0]]


def only_indexed(block: bytes) -> bool:
    """Whether every field of the header block is an indexed field (RFC 7541 6.1): decoding such a
    block reads the dynamic table without changing it."""
    i, size = 0, len(block)
    while i < size:
        first = block[i]
        if not first & 0x80:
            return False
        i += 1
        if first & 0x7F == 0x7F:  # the index continues in 7-bit groups (RFC 7541 5.1)
            while i < size and block[i] & 0x80:
                i += 1
            i += 1
    return True


class Headers:
    """One connection's header decoding: hpack's pure-Python decoder cost more CPU per call than
    the rest of the framing. A block of indexed fields only is remembered with its decoded headers;
    any other block may change the dynamic table, so it clears what was remembered. A remembered
    block therefore always decodes as it did, and the decoder still sees every block that matters."""

    SIZE = 256

    def __init__(self, max_header_list: int = DEFAULT_LIMITS.max_header_list) -> None:
        self.decoder = Decoder(max_header_list_size=max_header_list)
        self.known: dict[bytes, dict[bytes, bytes]] = {}

    def decode(self, block: bytes) -> dict[bytes, bytes]:
        known = self.known.get(block)
        if known is not None:
            return dict(known)
        try:
            headers = dict(self.decoder.decode(block, raw=True))
        except OversizedHeaderListError as exc:
            raise ProtocolError(f"header list beyond our limit: {exc}", ENHANCE_YOUR_CALM) from exc
        except Exception as exc:  # hpack raises its own HPACKError family and ValueError on bad input
            raise ProtocolError(f"undecodable header block: {exc}", COMPRESSION_ERROR) from exc
        if not only_indexed(block):
            self.known.clear()
        elif len(self.known) < self.SIZE:
            self.known[block] = headers
        return dict(headers)


class _Stream:
    __slots__ = ("body", "headers", "size")

    def __init__(self, headers: dict[bytes, bytes]) -> None:
        self.headers = headers
        self.body: list[bytes] = []
        self.size = 0


class Connection:
    def __init__(self, channel: Channel, handler: Handler, limits: Limits = DEFAULT_LIMITS) -> None:
        self.channel = channel
        self.handler = handler
        self.limits = limits
        self.headers = Headers(limits.max_header_list)
        self.streams: dict[int, _Stream] = {}  # open streams whose request is still being received
        self.windows: dict[int, int] = {}  # our send window per open stream (not answered, not reset)
        self.window = DEFAULT_WINDOW  # our send window on the connection
        self.initial_window = DEFAULT_WINDOW
        self.max_frame = DEFAULT_MAX_FRAME  # the peer's
        self.flow = threading.Condition()
        self.closed = False
        self.last_stream = 0
        self.received = 0  # connection-level octets not yet given back with WINDOW_UPDATE
        self.buffered = 0  # request body octets held for calls not started yet
        self.header_block: list[bytes] = []
        self.header_size = 0
        self.header_stream = 0  # the stream whose header block continues, 0 if none
        self.header_end_stream = False

    def serve(self, started: Callable[[], None] = lambda: None) -> None:
        """Read frames until the peer closes the connection (or breaks the protocol); `started`
        is called once the client's preface arrived."""
        try:
            buffer = bytearray()
            self._fill(buffer, len(PREFACE))
            started()
            self.channel.send(server_preface(self.limits))
            self._fill(buffer, len(PREFACE) + 9)
            if buffer[len(PREFACE) + 3] != SETTINGS:  # RFC 9113 3.4
                raise ProtocolError("the client preface is not followed by SETTINGS")
            del buffer[: len(PREFACE)]
            while True:
                offset = 0
                size = len(buffer)
                while size - offset >= 9:
                    length = int.from_bytes(buffer[offset : offset + 3], "big")
                    if length > DEFAULT_MAX_FRAME:
                        raise ProtocolError(f"a frame of {length} octets, beyond {DEFAULT_MAX_FRAME}", FRAME_SIZE_ERROR)
                    end = offset + 9 + length
                    if end > size:
                        break
                    stream = int.from_bytes(buffer[offset + 5 : offset + 9], "big") & MAX_WINDOW
                    self._frame(buffer[offset + 3], buffer[offset + 4], stream, bytes(buffer[offset + 9 : end]))
                    offset = end
                del buffer[:offset]
                data = self.channel.recv()
                if not data:
                    return
                buffer += data
        except ProtocolError as exc:
            log.warning("closing the plugin connection: %s", exc)
            self.goaway(exc.code)
        finally:
            with self.flow:
                self.closed = True
                self.flow.notify_all()

    def _fill(self, buffer: bytearray, size: int) -> None:
        """Read the start of the connection into `buffer` up to `size` octets, refusing a peer
        whose first octets are not the client preface."""
        while len(buffer) < size:
            data = self.channel.recv()
            if not data:
                raise ProtocolError("connection closed before the HTTP/2 preface and SETTINGS")
            buffer += data
            if buffer[: len(PREFACE)] != PREFACE[: len(buffer)]:
                raise ProtocolError("not an HTTP/2 client preface")

    def _frame(self, kind: int, flags: int, stream: int, payload: bytes) -> None:
        if self.header_stream and kind != CONTINUATION:
            raise ProtocolError("a header block was interrupted by another frame")
        fixed = FIXED_LENGTH.get(kind)
        if fixed is not None and len(payload) != fixed:
            raise ProtocolError(f"frame type {kind} of {len(payload)} octets", FRAME_SIZE_ERROR)
        if kind == DATA:
            self._data(flags, stream, payload)
        elif kind == HEADERS:
            if not stream:
                raise ProtocolError("HEADERS on stream 0")
            if flags & PADDED:
                payload = unpadded(payload)
            if flags & PRIORITY_FLAG:
                if len(payload) < 5:
                    raise ProtocolError("HEADERS too short for its priority fields", FRAME_SIZE_ERROR)
                payload = payload[5:]
            self.header_stream, self.header_end_stream = stream, bool(flags & END_STREAM)
            self._header_fragment(flags, payload)
        elif kind == CONTINUATION:
            if not self.header_stream or stream != self.header_stream:
                raise ProtocolError("CONTINUATION without HEADERS")
            self._header_fragment(flags, payload)
        elif kind == SETTINGS:
            if stream:
                raise ProtocolError("SETTINGS on a stream")
            if flags & ACK:
                if payload:
                    raise ProtocolError("SETTINGS ACK with a payload", FRAME_SIZE_ERROR)
                return
            self._settings(payload)
            self.channel.send(frame(SETTINGS, ACK, 0))
        elif kind == WINDOW_UPDATE:
            self._window_update(stream, int.from_bytes(payload, "big") & MAX_WINDOW)
        elif kind == PING:
            if stream:
                raise ProtocolError("PING on a stream")
            if not flags & ACK:
                self.channel.send(frame(PING, ACK, 0, payload))
        elif kind == RST_STREAM:
            self._idle(stream, "RST_STREAM")
            state = self.streams.pop(stream, None)
            if state is not None:
                self.buffered -= state.size
            with self.flow:
                self.windows.pop(stream, None)
                self.flow.notify_all()
        elif kind == PRIORITY:
            if not stream:
                raise ProtocolError("PRIORITY on stream 0")
        elif kind == GOAWAY:
            if stream:
                raise ProtocolError("GOAWAY on a stream")
            if len(payload) < 8:
                raise ProtocolError("GOAWAY shorter than 8 octets", FRAME_SIZE_ERROR)
        elif kind == PUSH_PROMISE:
            raise ProtocolError("a client sent PUSH_PROMISE")
        # Otherwise ignored: PRIORITY, a GOAWAY (the peer closes the connection itself), unknown types.

    def _idle(self, stream: int, kind: str) -> None:
        """Refuse a frame on stream 0 or on a stream the client has not opened (RFC 9113 5.1)."""
        if not stream or stream > self.last_stream:
            raise ProtocolError(f"{kind} on {'stream 0' if not stream else f'idle stream {stream}'}")

    def _window_update(self, stream: int, increment: int) -> None:
        with self.flow:
            if not stream:
                if not increment:
                    raise ProtocolError("WINDOW_UPDATE of 0 on the connection")
                self.window += increment
                if self.window > MAX_WINDOW:
                    raise ProtocolError("the connection's window beyond 2^31-1", FLOW_CONTROL_ERROR)
                self.flow.notify_all()
                return
            window = self.windows.get(stream)
            if window is None:  # closed: a late update is no error (RFC 9113 6.9)
                self._idle(stream, "WINDOW_UPDATE")
                return
            if not increment:
                self._reset(stream, PROTOCOL_ERROR)
            elif window + increment > MAX_WINDOW:
                self._reset(stream, FLOW_CONTROL_ERROR)
            else:
                self.windows[stream] = window + increment
                self.flow.notify_all()

    def _data(self, flags: int, stream: int, payload: bytes) -> None:
        self.received += len(payload)
        if self.received >= REPLENISH_AT:
            self.channel.send(frame(WINDOW_UPDATE, 0, 0, self.received.to_bytes(4, "big")))
            self.received = 0
        state = self.streams.get(stream)
        if state is None:
            self._idle(stream, "DATA")
            return  # reset, or answered early while the client still sends: dropped
        if flags & PADDED:
            payload = unpadded(payload)
        state.size += len(payload)
        self.buffered += len(payload)
        if state.size > self.limits.max_body or self.buffered > self.limits.max_body:
            del self.streams[stream]
            self.buffered -= state.size
            self.handler.oversized(self, stream)
            if not flags & END_STREAM:
                self._send(frame(RST_STREAM, 0, stream, NO_ERROR.to_bytes(4, "big")), stream)
            return
        state.body.append(payload)
        if flags & END_STREAM:
            del self.streams[stream]
            self.buffered -= state.size
            self.handler.request(self, stream, state.headers, b"".join(state.body))

    def _header_fragment(self, flags: int, fragment: bytes) -> None:
        self.header_size += len(fragment)
        if self.header_size > self.limits.max_header_list:
            raise ProtocolError(f"a header block beyond {self.limits.max_header_list} octets", ENHANCE_YOUR_CALM)
        self.header_block.append(fragment)
        if not flags & END_HEADERS:
            return
        block = b"".join(self.header_block)
        stream, self.header_stream, self.header_block, self.header_size = self.header_stream, 0, [], 0
        headers = self.headers.decode(block)  # also for a stream we ignore: the decoder's table must follow
        state = self.streams.get(stream)
        if state is not None:  # trailers: they end the request (RFC 9113 8.1)
            if not self.header_end_stream:
                self._reset(stream, PROTOCOL_ERROR)
                return
            del self.streams[stream]
            self.buffered -= state.size
            self.handler.request(self, stream, state.headers, b"".join(state.body))
            return
        if not stream & 1:
            raise ProtocolError(f"stream {stream} cannot be opened by a client")
        if stream <= self.last_stream:
            return  # closed on our side (answered or reset) while the client still sends
        self.last_stream = stream
        if len(self.windows) >= self.limits.max_streams:
            self._send(frame(RST_STREAM, 0, stream, REFUSED_STREAM.to_bytes(4, "big")), stream)
            return
        with self.flow:
            self.windows[stream] = self.initial_window
        if not self.handler.opened(self, stream, headers):
            if not self.header_end_stream:  # asks the client to stop sending (RFC 9113 8.1)
                self._send(frame(RST_STREAM, 0, stream, NO_ERROR.to_bytes(4, "big")), stream)
        elif self.header_end_stream:
            self.handler.request(self, stream, headers, b"")
        else:
            self.streams[stream] = _Stream(headers)

    def _reset(self, stream: int, code: int) -> None:
        """A stream error: RST_STREAM, and nothing more is sent or read on the stream. Under the
        flow lock, so no answer to it starts after the RST_STREAM (`respond` checks `windows`)."""
        state = self.streams.pop(stream, None)
        if state is not None:
            self.buffered -= state.size
        with self.flow:
            self.windows.pop(stream, None)
            self._send(frame(RST_STREAM, 0, stream, code.to_bytes(4, "big")), stream)
            self.flow.notify_all()

    def _settings(self, payload: bytes) -> None:
        if len(payload) % 6:
            raise ProtocolError("SETTINGS payload is not a multiple of 6 octets", FRAME_SIZE_ERROR)
        for i in range(0, len(payload), 6):
            key = int.from_bytes(payload[i : i + 2], "big")
            value = int.from_bytes(payload[i + 2 : i + 6], "big")
            if key == SETTINGS_ENABLE_PUSH and value > 1:
                raise ProtocolError("SETTINGS_ENABLE_PUSH neither 0 nor 1")
            if key == SETTINGS_INITIAL_WINDOW_SIZE:
                if value > MAX_WINDOW:
                    raise ProtocolError("SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1", FLOW_CONTROL_ERROR)
                with self.flow:
                    delta = value - self.initial_window
                    self.initial_window = value
                    for stream in self.windows:
                        self.windows[stream] += delta
                        if self.windows[stream] > MAX_WINDOW:
                            raise ProtocolError(f"stream {stream}'s window beyond 2^31-1", FLOW_CONTROL_ERROR)
                    self.flow.notify_all()
            elif key == SETTINGS_MAX_FRAME_SIZE:
                if not DEFAULT_MAX_FRAME <= value <= MAX_FRAME_LIMIT:
                    raise ProtocolError(f"SETTINGS_MAX_FRAME_SIZE {value} outside 2^14..2^24-1")
                self.max_frame = value

    def respond(
        self, stream: int, head: bytes, body: bytes = b"", trailers: bytes | None = None, wait: bool = True
    ) -> bool:
        """Answer a stream: a header block, then `body` as DATA within the peer's windows and
        frame size, then a trailer block; without body and trailers the headers end the stream.
        Returns early if the stream was reset or the connection closed. Without `wait` (the
        reader thread, which alone reads the peer's WINDOW_UPDATEs) an answer whose body does not
        fit the windows at once is not sent: False, and the caller answers from another thread.
        Taking the stream out of `windows` under the flow lock is what commits to the answer."""
        if not body and trailers is None:
            with self.flow:
                if self.closed or self.windows.pop(stream, None) is None:
                    return True
            self._send(self._header_frames(stream, head, END_STREAM), stream)
            return True
        pending = [self._header_frames(stream, head, 0)]
        view = memoryview(body)
        offset, size = 0, len(body)
        with self.flow:
            while True:
                window = self.windows.get(stream)
                if self.closed or window is None:
                    return True
                allowed = min(self.window, window, size - offset)
                if not wait and allowed < size:
                    return False
                if allowed > 0:
                    self.window -= allowed
                    step = self.max_frame
                    for start in range(offset, offset + allowed, step):
                        pending.append(frame(DATA, 0, stream, bytes(view[start : min(start + step, offset + allowed)])))
                    offset += allowed
                    if offset == size:
                        del self.windows[stream]
                        break
                    self.windows[stream] = window - allowed
                if pending:  # part of the answer; sent under the lock, so no RST_STREAM of ours precedes it
                    self._send(b"".join(pending), stream)
                    pending = []
                self.flow.wait()
        if trailers is None:
            pending.append(frame(DATA, END_STREAM, stream))
        else:
            pending.append(self._header_frames(stream, trailers, END_STREAM))
        self._send(b"".join(pending), stream)
        return True

    def _header_frames(self, stream: int, block: bytes, end_stream: int) -> bytes:
        """A header block as HEADERS, and CONTINUATION frames where it exceeds the peer's frame size."""
        step = self.max_frame
        if len(block) <= step:
            return frame(HEADERS, END_HEADERS | end_stream, stream, block)
        last = len(block) - (len(block) - 1) % step - 1
        return frame(HEADERS, end_stream, stream, block[:step]) + b"".join(
            frame(CONTINUATION, END_HEADERS if start == last else 0, stream, block[start : start + step])
            for start in range(step, len(block), step)
        )

    def _send(self, data: bytes, stream: int) -> None:
        try:
            self.channel.send(data)
        except OSError as exc:  # the peer went away while we answered
            log.debug("answer on stream %d not delivered: %s", stream, exc)
            with self.flow:
                self.closed = True
                self.flow.notify_all()

    def goaway(self, error: int = NO_ERROR) -> None:
        """Tell the peer that no stream after the last one seen will be served."""
        with contextlib.suppress(OSError):
            self.channel.send(frame(GOAWAY, 0, 0, self.last_stream.to_bytes(4, "big") + error.to_bytes(4, "big")))
