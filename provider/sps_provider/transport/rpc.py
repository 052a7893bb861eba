"""Unary gRPC calls (the only kind the provider serves) on HTTP/2 connections over a Unix socket.

A call is a length-prefixed protobuf message in; the answer is HEADERS, DATA and trailers with
grpc-status 0, or trailers only with the status and a percent-encoded grpc-message. A path no
service implements gets UNIMPLEMENTED as soon as its headers arrive, as go-plugin expects for its
broker and stdio streams (which the client keeps open).
Handlers run on a thread pool: ApplyResourceChange blocks for seconds in a group commit while
Terraform keeps up to -parallelism calls in flight. Methods marked `inline` (they only compute, e.g.
ValidateResourceConfig) run on the connection's reader thread instead, which saves the hand-off to
a pool thread and back; an answer that would have to wait for the peer's flow-control windows is
still sent from the pool, since only the reader thread reads the peer's WINDOW_UPDATEs.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

from google.protobuf.message import DecodeError, Message

if TYPE_CHECKING:
    from google.protobuf.descriptor import ServiceDescriptor

from sps_provider import no_wait
from sps_provider.transport.http2 import DEFAULT_LIMITS, Connection, Limits
from sps_provider.transport.tls import PeerRefused, Plain, Tls

log = logging.getLogger(__name__)

UNKNOWN, RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE = 2, 8, 12, 13, 14
MAX_STATUS_MESSAGE = 4096  # octets of grpc-message as sent (percent-encoded): far within one 16 KiB frame
HANDSHAKE_TIMEOUT = 10.0  # seconds from accept() to the client's HTTP/2 preface (TLS handshake included)


def _integer(value: int, prefix_bits: int) -> bytes:
    """An HPACK integer (RFC 7541 5.1) with the bits above the prefix left zero."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes((value,))
    out = bytearray((limit,))
    value -= limit
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(name: bytes, value: bytes) -> bytes:
    """A literal header field without indexing, new name, no Huffman coding (RFC 7541 6.2.2): the
    peer's dynamic table is never touched, so our encoder keeps no state."""
    return b"\x00" + _integer(len(name), 7) + name + _integer(len(value), 7) + value


#: `:status: 200` (static index 8) and `content-type: application/grpc` (static name 31).
RESPONSE_HEAD = b"\x88\x0f\x10" + _integer(16, 7) + b"application/grpc"
OK_TRAILERS = _field(b"grpc-status", b"0")


def percent_encoded(message: str, limit: int = MAX_STATUS_MESSAGE) -> bytes:
    """grpc-message as the gRPC HTTP/2 spec wants it: UTF-8, with '%' and bytes outside 0x20-0x7E
    percent-encoded; cut after the last whole character within `limit` octets as encoded (a
    non-ASCII character takes 6-12)."""
    out: list[str] = []
    size = 0
    for char in message:
        encoded = char if " " <= char < "\x7f" and char != "%" else "".join(f"%{b:02X}" for b in char.encode())
        size += len(encoded)
        if size > limit:
            break
        out.append(encoded)
    return "".join(out).encode()


def error_head(code: int, message: str) -> bytes:
    """A trailers-only answer: the response headers and the status in one block."""
    status = _field(b"grpc-status", str(code).encode())
    return RESPONSE_HEAD + status + _field(b"grpc-message", percent_encoded(message))


Attempt = Callable[[Any], Message | bytes | None]
"""A handler for the reader thread: the response, or None (or `no_wait.WouldWait` raised) when
answering would wait (for the appliance, another call, a lock held by another thread): the call
then runs on the pool."""


class Method(NamedTuple):
    """A unary method: `request` decodes the message; a raw method (`request` None) is given the
    message's bytes and answers with bytes, so serving it needs no protobuf classes."""

    request: type[Message] | None
    call: Callable[[Any, None], Message | bytes]
    attempt: Attempt | None = None


class Table(Protocol):
    """The methods a server serves, by gRPC path; a mapping, or a table that builds them on use."""

    def get(self, path: bytes, /) -> Method | None: ...


def _at_once(call: Callable[[Any, None], Message | bytes]) -> Attempt:
    return lambda request: call(request, None)


def raw_method(answer: Callable[[bytes], bytes]) -> Method:
    """A method run on the reader thread that maps the request's bytes to the response's bytes."""

    def call(request: bytes, _context: None) -> bytes:
        return answer(request)

    return Method(None, call, _at_once(call))


def unary_methods(
    service: ServiceDescriptor,
    handler: object,
    inline: Collection[str] = (),
    attempts: Mapping[str, Attempt] | None = None,
) -> dict[str, Method]:
    """The unary methods of `service` that `handler` implements, by gRPC path. Handlers take
    (request, context) like grpcio servicers; this transport has no per-call context (None).
    Methods named in `inline` never wait: they run on the connection's reader thread; those in
    `attempts` are tried there first."""
    from google.protobuf import message_factory  # the first use of descriptors: ~70 M instructions

    table = {}
    for m in service.methods:
        if m.client_streaming or m.server_streaming or not hasattr(handler, m.name):
            continue
        call = getattr(handler, m.name)
        attempt = _at_once(call) if m.name in inline else (attempts or {}).get(m.name)
        table[f"/{service.full_name}/{m.name}"] = Method(message_factory.GetMessageClass(m.input_type), call, attempt)
    return table


#: An answer: the header block, the body (a length-prefixed message) and the trailer block.
Answer = tuple[bytes, bytes, bytes | None]


class Server:
    """Serves `methods`; also the `http2.Handler` of every connection. `limits` bound what one
    connection may make us hold (`Limits.max_body` is the gRPC message size limit with its
    prefix); a peer that has not sent its HTTP/2 preface `handshake_timeout` seconds after
    connecting is dropped."""

    def __init__(
        self,
        methods: dict[str, Method] | Table,
        workers: int = 256,
        limits: Limits = DEFAULT_LIMITS,
        handshake_timeout: float = HANDSHAKE_TIMEOUT,
    ) -> None:
        self.methods: Table = (
            {path.encode(): method for path, method in methods.items()} if isinstance(methods, dict) else methods
        )
        self.limits = limits
        self.handshake_timeout = handshake_timeout
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rpc")
        self.tls: tuple[ssl.SSLContext, bytes] | None = None
        self.listener: socket.socket | None = None
        self.channels: set[Plain | Tls] = set()
        self.connections: set[Connection] = set()
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.active = 0
        self.stopping = False

    def start(self, path: str, tls: tuple[ssl.SSLContext, bytes] | None) -> None:
        """Listen on the Unix socket `path`; with `tls` (context, the client certificate's DER) only
        a client presenting that certificate is served."""
        self.tls = tls
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), name="plugin-accept", daemon=True).start()

    def stop(self, grace: float) -> None:
        """Refuse new calls, give those in flight `grace` seconds, then close every connection."""
        with self.lock:
            self.stopping = True
            listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.idle:
            self.idle.wait_for(lambda: self.active == 0, timeout=grace)
            connections, channels = list(self.connections), list(self.channels)
        for connection in connections:
            connection.goaway()
        for channel in channels:
            channel.close()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError:
                return  # closed by stop()
            threading.Thread(target=self._connection, args=(sock,), name="plugin-connection", daemon=True).start()

    def _connection(self, sock: socket.socket) -> None:
        # Shutting the socket down wakes this thread wherever the peer keeps it waiting (the TLS
        # handshake, the preface); the socket is closed here only.
        deadline = threading.Timer(self.handshake_timeout, _shut_down, (sock,))
        deadline.name, deadline.daemon = "plugin-handshake-deadline", True
        deadline.start()
        try:
            self._serve(sock, deadline.cancel)
        finally:
            deadline.cancel()

    def _serve(self, sock: socket.socket, started: Callable[[], None]) -> None:
        channel: Plain | Tls
        try:
            if self.tls is None:
                channel = Plain(sock)
            else:
                channel = Tls(sock, *self.tls)
                channel.handshake()
        except (OSError, PeerRefused) as exc:  # ssl.SSLError is an OSError
            log.warning("refused a connection to the plugin socket: %s", exc)
            sock.close()
            return
        connection = Connection(channel, self, self.limits)
        with self.lock:
            self.channels.add(channel)
            self.connections.add(connection)
        try:
            connection.serve(started)
        except OSError as exc:
            log.debug("plugin connection ended: %s", exc)
        finally:
            with self.lock:
                self.channels.discard(channel)
                self.connections.discard(connection)
            channel.close()

    def opened(self, connection: Connection, stream: int, headers: dict[bytes, bytes]) -> bool:
        """An unknown method is answered at once: go-plugin's broker and stdio streams stay open."""
        path = headers.get(b":path", b"")
        if self.methods.get(path) is not None:
            return True
        connection.respond(stream, error_head(UNIMPLEMENTED, f"unknown method {path.decode('latin-1')}"))
        return False

    def oversized(self, connection: Connection, stream: int) -> None:
        limit = self.limits.max_body - 5
        connection.respond(stream, error_head(RESOURCE_EXHAUSTED, f"request message larger than {limit} bytes"))

    def request(self, connection: Connection, stream: int, headers: dict[bytes, bytes], body: bytes) -> None:
        method = self.methods.get(headers[b":path"])
        assert method is not None, "opened() answered every path without a method"
        with self.lock:
            if self.stopping:
                connection.respond(stream, error_head(UNAVAILABLE, "the provider is shutting down"))
                return
            self.active += 1
        request = self._decode(method, body, self.limits.max_body - 5)
        answer = request if isinstance(request, tuple) else self._attempt(method, request)
        if answer is None:
            self._hand_off(self._call, connection, stream, method, request)
            return
        if connection.respond(stream, *answer, wait=False):
            self._done()
        else:
            self._hand_off(self._answer, connection, stream, answer)

    @staticmethod
    def _attempt(method: Method, request: Message | bytes) -> Answer | None:
        """The answer from the reader thread, or None: the call runs on the pool."""
        if method.attempt is None:
            return None
        try:
            response = cast("Message | bytes | None", no_wait.attempt(method.attempt, request, method.call))
        except Exception as exc:
            return _failed(method, exc)
        return None if response is None else _ok(response)

    def _hand_off(self, task: Callable[..., None], *args: Any) -> None:
        with self.lock:
            try:
                self.pool.submit(task, *args)
            except RuntimeError:  # stop() gave up waiting and shut the pool: the connection is closing
                self.active -= 1
                self.idle.notify_all()

    def _call(self, connection: Connection, stream: int, method: Method, request: Message | bytes) -> None:
        self._answer(connection, stream, self._invoke(method, request))

    def _answer(self, connection: Connection, stream: int, answer: Answer) -> None:
        try:
            connection.respond(stream, *answer)
        finally:
            self._done()

    def _done(self) -> None:
        with self.idle:
            self.active -= 1
            self.idle.notify_all()

    @staticmethod
    def _decode(method: Method, body: bytes, max_message: int) -> Message | bytes | Answer:
        """The request message (its bytes for a raw method), or the error answer when the body holds none."""
        if len(body) < 5:
            return error_head(INTERNAL, "truncated gRPC message"), b"", None
        if body[0]:
            return error_head(UNIMPLEMENTED, "compressed gRPC messages are not supported"), b"", None
        length = int.from_bytes(body[1:5], "big")
        if length > max_message:
            return error_head(RESOURCE_EXHAUSTED, f"message of {length} bytes exceeds {max_message}"), b"", None
        if length != len(body) - 5:
            return error_head(INTERNAL, "the gRPC message length does not match the stream"), b"", None
        if method.request is None:
            return body[5:]
        try:
            return method.request.FromString(body[5:])
        except DecodeError as exc:
            return error_head(INTERNAL, f"undecodable request: {exc}"), b"", None

    @staticmethod
    def _invoke(method: Method, request: Message | bytes) -> Answer:
        try:
            response = method.call(request, None)
        except Exception as exc:
            return _failed(method, exc)
        return _ok(response)


def _shut_down(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _failed(method: Method, exc: Exception) -> Answer:
    """A handler raised: logged with its traceback, answered UNKNOWN as grpcio's servers answer."""
    log.exception("unexpected exception in %s", method.call)
    return error_head(UNKNOWN, f"Exception calling application: {exc}"), b"", None


def _ok(response: Message | bytes) -> Answer:
    data = response if isinstance(response, bytes) else response.SerializeToString()
    return RESPONSE_HEAD, b"\x00" + len(data).to_bytes(4, "big") + data, OK_TRAILERS
