"""The HTTP/2 a gRPC client speaks (RFC 9113), server side: frames in, flow-controlled answers out.

One reader thread per connection parses frames; handler threads answer through `respond`, which
waits for the peer's windows and writes headers, data and trailers in as few TLS writes as they
allow. The client's send windows are opened wide at the start (SETTINGS_INITIAL_WINDOW_SIZE and a
connection WINDOW_UPDATE), so it never waits for us; one connection WINDOW_UPDATE is sent per GiB
received. Request headers are decoded with `hpack` (its dynamic table is per connection); a gRPC
client repeats the same few header blocks, which after the first call of a method hold only
references into that table, so such a block is decoded once (`Headers`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Protocol

from hpack import Decoder

log = logging.getLogger(__name__)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_FRAME_SIZE = 0x4, 0x5
NO_ERROR, PROTOCOL_ERROR, FLOW_CONTROL_ERROR = 0x0, 0x1, 0x3
MAX_WINDOW = (1 << 31) - 1
DEFAULT_WINDOW = 65535
DEFAULT_MAX_FRAME = 16384
REPLENISH_AT = 1 << 30


class ProtocolError(Exception):
    """The peer broke HTTP/2; the connection is closed with GOAWAY."""


class Channel(Protocol):
    def recv(self) -> bytes: ...

    def send(self, data: bytes) -> None: ...


def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return len(payload).to_bytes(3, "big") + bytes((kind, flags)) + stream.to_bytes(4, "big") + payload


#: Our settings: streams may send up to 2^31-1 bytes before a WINDOW_UPDATE (more than a message may hold).
SERVER_PREFACE = frame(
    SETTINGS, 0, 0, SETTINGS_INITIAL_WINDOW_SIZE.to_bytes(2, "big") + MAX_WINDOW.to_bytes(4, "big")
) + frame(WINDOW_UPDATE, 0, 0, (MAX_WINDOW - DEFAULT_WINDOW).to_bytes(4, "big"))

#: Called by the reader thread with (connection, stream id, request headers, request body).
RequestHandler = Callable[["Connection", int, dict[bytes, bytes], bytes], None]


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

    def __init__(self) -> None:
        self.decoder = Decoder()
        self.known: dict[bytes, dict[bytes, bytes]] = {}

    def decode(self, block: bytes) -> dict[bytes, bytes]:
        known = self.known.get(block)
        if known is not None:
            return dict(known)
        try:
            headers = dict(self.decoder.decode(block, raw=True))
        except Exception as exc:  # hpack raises its own HPACKError family and ValueError on bad input
            raise ProtocolError(f"undecodable header block: {exc}") from exc
        if not only_indexed(block):
            self.known.clear()
        elif len(self.known) < self.SIZE:
            self.known[block] = headers
        return dict(headers)


class _Stream:
    __slots__ = ("body", "headers")

    def __init__(self, headers: dict[bytes, bytes]) -> None:
        self.headers = headers
        self.body: list[bytes] = []


class Connection:
    def __init__(self, channel: Channel, on_request: RequestHandler) -> None:
        self.channel = channel
        self.on_request = on_request
        self.headers = Headers()
        self.streams: dict[int, _Stream] = {}
        self.windows: dict[int, int] = {}  # our send window per stream with an answer pending
        self.window = DEFAULT_WINDOW  # our send window on the connection
        self.initial_window = DEFAULT_WINDOW
        self.max_frame = DEFAULT_MAX_FRAME
        self.flow = threading.Condition()
        self.closed = False
        self.last_stream = 0
        self.received = 0  # connection-level bytes not yet given back with WINDOW_UPDATE
        self.header_block: list[bytes] = []
        self.header_stream = 0
        self.header_end_stream = False

    def serve(self) -> None:
        """Read frames until the peer closes the connection (or breaks the protocol)."""
        try:
            buffer = self._read_preface()
            self.channel.send(SERVER_PREFACE)
            while True:
                offset = 0
                size = len(buffer)
                while size - offset >= 9:
                    length = int.from_bytes(buffer[offset : offset + 3], "big")
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
            self.goaway(PROTOCOL_ERROR)
        finally:
            with self.flow:
                self.closed = True
                self.flow.notify_all()

    def _read_preface(self) -> bytearray:
        buffer = bytearray()
        while len(buffer) < len(PREFACE):
            data = self.channel.recv()
            if not data:
                raise ProtocolError("connection closed before the HTTP/2 preface")
            buffer += data
        if buffer[: len(PREFACE)] != PREFACE:
            raise ProtocolError("not an HTTP/2 client preface")
        del buffer[: len(PREFACE)]
        return buffer

    def _frame(self, kind: int, flags: int, stream: int, payload: bytes) -> None:
        if self.header_block and kind != CONTINUATION:
            raise ProtocolError("a header block was interrupted by another frame")
        if kind == DATA:
            self._data(flags, stream, payload)
        elif kind == HEADERS:
            if flags & PADDED:
                payload = payload[1 : len(payload) - payload[0]]
            if flags & PRIORITY_FLAG:
                payload = payload[5:]
            self.header_stream, self.header_end_stream = stream, bool(flags & END_STREAM)
            self._header_fragment(flags, payload)
        elif kind == CONTINUATION:
            if not self.header_block or stream != self.header_stream:
                raise ProtocolError("CONTINUATION without HEADERS")
            self._header_fragment(flags, payload)
        elif kind == SETTINGS:
            if not flags & ACK:
                self._settings(payload)
                self.channel.send(frame(SETTINGS, ACK, 0))
        elif kind == WINDOW_UPDATE:
            increment = int.from_bytes(payload[:4], "big") & MAX_WINDOW
            with self.flow:
                if stream == 0:
                    self.window += increment
                elif stream in self.windows:
                    self.windows[stream] += increment
                self.flow.notify_all()
        elif kind == PING:
            if not flags & ACK:
                self.channel.send(frame(PING, ACK, 0, payload))
        elif kind == RST_STREAM:
            self.streams.pop(stream, None)
            with self.flow:
                self.windows.pop(stream, None)
                self.flow.notify_all()
        elif kind == PUSH_PROMISE:
            raise ProtocolError("a client sent PUSH_PROMISE")
        # PRIORITY, GOAWAY (the peer closes the connection itself) and unknown frame types: ignored.

    def _data(self, flags: int, stream: int, payload: bytes) -> None:
        self.received += len(payload)
        if self.received >= REPLENISH_AT:
            self.channel.send(frame(WINDOW_UPDATE, 0, 0, self.received.to_bytes(4, "big")))
            self.received = 0
        state = self.streams.get(stream)
        if state is None:
            return  # reset by the peer, or already answered
        if flags & PADDED:
            payload = payload[1 : len(payload) - payload[0]]
        state.body.append(payload)
        if flags & END_STREAM:
            self._complete(stream, state)

    def _header_fragment(self, flags: int, fragment: bytes) -> None:
        self.header_block.append(fragment)
        if not flags & END_HEADERS:
            return
        block = b"".join(self.header_block)
        self.header_block = []
        headers = self.headers.decode(block)
        stream = self.header_stream
        if stream in self.streams:
            return  # trailers from the client: gRPC requests carry none that matter
        if stream % 2 == 0 or stream <= self.last_stream:
            raise ProtocolError(f"stream {stream} cannot be opened by a client")
        self.last_stream = stream
        state = _Stream(headers)
        self.streams[stream] = state
        with self.flow:
            self.windows[stream] = self.initial_window
        if self.header_end_stream:
            self._complete(stream, state)

    def _complete(self, stream: int, state: _Stream) -> None:
        del self.streams[stream]
        self.on_request(self, stream, state.headers, b"".join(state.body))

    def _settings(self, payload: bytes) -> None:
        if len(payload) % 6:
            raise ProtocolError("SETTINGS payload is not a multiple of 6 octets")
        for i in range(0, len(payload), 6):
            key = int.from_bytes(payload[i : i + 2], "big")
            value = int.from_bytes(payload[i + 2 : i + 6], "big")
            if key == SETTINGS_INITIAL_WINDOW_SIZE:
                if value > MAX_WINDOW:
                    raise ProtocolError("SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1")
                with self.flow:
                    delta = value - self.initial_window
                    self.initial_window = value
                    for stream in self.windows:
                        self.windows[stream] += delta
                    self.flow.notify_all()
            elif key == SETTINGS_MAX_FRAME_SIZE:
                self.max_frame = value

    def respond(
        self, stream: int, head: bytes, body: bytes = b"", trailers: bytes | None = None, wait: bool = True
    ) -> bool:
        """Answer a stream: a header block, then `body` as DATA within the peer's windows and
        frame size, then a trailer block; without body and trailers the headers end the stream.
        Returns early if the peer reset the stream or the connection closed. Without `wait` (the
        reader thread, which alone reads the peer's WINDOW_UPDATEs) an answer whose body does not
        fit the windows at once is not sent: False, and the caller answers from another thread."""
        done = True
        try:
            done = self._respond(stream, head, body, trailers, wait)
            return done
        finally:
            if done:
                with self.flow:
                    self.windows.pop(stream, None)

    def _respond(self, stream: int, head: bytes, body: bytes, trailers: bytes | None, wait: bool) -> bool:
        if not body and trailers is None:
            self._send(frame(HEADERS, END_HEADERS | END_STREAM, stream, head), stream)
            return True
        pending = [frame(HEADERS, END_HEADERS, stream, head)]
        view = memoryview(body)
        offset = 0
        while offset < len(body):
            with self.flow:
                while True:
                    if self.closed or stream not in self.windows:
                        return True
                    allowed = min(self.window, self.windows[stream], len(body) - offset)
                    if not wait and allowed < len(body):
                        return False
                    if allowed > 0 or pending:
                        break
                    self.flow.wait()
                if allowed > 0:
                    self.window -= allowed
                    self.windows[stream] -= allowed
            if allowed <= 0:
                self._send(b"".join(pending), stream)
                pending = []
                continue
            size = self.max_frame
            for start in range(offset, offset + allowed, size):
                pending.append(frame(DATA, 0, stream, bytes(view[start : min(start + size, offset + allowed)])))
            offset += allowed
        if trailers is None:
            pending.append(frame(DATA, END_STREAM, stream))
        else:
            pending.append(frame(HEADERS, END_HEADERS | END_STREAM, stream, trailers))
        self._send(b"".join(pending), stream)
        return True

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
