"""Server-side HTTP/2 framing CPU per unary gRPC call, without socket or TLS: the provider's own
(sps_provider.transport.http2) against the `h2` package (python-hyper), the one maintained HTTP/2
implementation in pure Python (docs/adr/0016-own-plugin-transport.md).

Both servers are fed the same bytes, written by h2's client as grpc-go writes them (one call's
HEADERS and DATA per read; after the first call the header block holds only indexes into the
HPACK table) with a 1 KiB message, and answer each call with a 1 KiB message and trailers. What
is counted is the server's CPU from the first byte read to the last byte written: frame parsing,
header decoding, flow control and the answer's frames, not the message's protobuf. h2 runs as
configured by default (it validates and normalizes headers) and with that switched off.

    python bench/framing.py [--calls 5000] [--reps 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import StreamEnded
from h2.settings import SettingCodes
from measure import write_json

from sps_provider.transport import http2, rpc

MESSAGE = b"\x00" + (1024).to_bytes(4, "big") + b"x" * 1024
REQUEST_HEADERS = [
    (b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/tfplugin6.Provider/ReadResource"),
    (b":authority", b"localhost"), (b"content-type", b"application/grpc"), (b"user-agent", b"grpc-go/1.72.0"),
    (b"te", b"trailers"),
]  # fmt: skip
H2_HEAD = [(b":status", b"200"), (b"content-type", b"application/grpc")]
H2_TRAILERS = [(b"grpc-status", b"0")]


def client_bytes(calls: int) -> list[bytes]:
    """What a client sends: its preface and SETTINGS, then one chunk per call. The client has read
    our server's preface, so it knows the windows are open."""
    client = H2Connection(H2Configuration(client_side=True, header_encoding=None))
    client.initiate_connection()
    client.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: http2.MAX_WINDOW})
    client.increment_flow_control_window(http2.MAX_WINDOW - http2.DEFAULT_WINDOW)
    # it never reads the answers, so its streams stay open: it is told they may
    client.receive_data(http2.server_preface(http2.Limits(max_streams=calls + 1)))
    chunks = [client.data_to_send()]
    for _ in range(calls):
        stream = client.get_next_available_stream_id()
        client.send_headers(stream, REQUEST_HEADERS)
        client.send_data(stream, MESSAGE, end_stream=True)
        chunks.append(client.data_to_send())
    return chunks


class Feed:
    """An http2.Channel reading the chunks and counting what is written."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = iter(chunks)
        self.written = 0

    def recv(self) -> bytes:
        return next(self.chunks, b"")

    def send(self, data: bytes) -> None:
        self.written += len(data)


class Echo:
    """An http2.Handler answering every call at once, as the reader thread answers a compute-only call."""

    def opened(self, connection: http2.Connection, stream: int, headers: dict[bytes, bytes]) -> bool:
        return True

    def request(self, connection: http2.Connection, stream: int, headers: dict[bytes, bytes], body: bytes) -> None:
        assert connection.respond(stream, rpc.RESPONSE_HEAD, MESSAGE, rpc.OK_TRAILERS, wait=False)

    def oversized(self, connection: http2.Connection, stream: int) -> None:
        raise AssertionError("no request is oversized here")


def ours(chunks: list[bytes]) -> int:
    feed = Feed(chunks)
    http2.Connection(feed, Echo()).serve()
    return feed.written


def h2_server(validate: bool) -> Callable[[list[bytes]], int]:
    config = H2Configuration(
        client_side=False, header_encoding=None, validate_outbound_headers=validate,
        normalize_outbound_headers=validate, validate_inbound_headers=validate, normalize_inbound_headers=validate,
    )  # fmt: skip

    def serve(chunks: list[bytes]) -> int:
        server = H2Connection(config)
        server.initiate_connection()
        server.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: http2.MAX_WINDOW})
        server.increment_flow_control_window(http2.MAX_WINDOW - http2.DEFAULT_WINDOW)
        written = len(server.data_to_send())
        for chunk in chunks:
            for event in server.receive_data(chunk):
                if isinstance(event, StreamEnded):  # RequestReceived and DataReceived came before it
                    server.send_headers(event.stream_id, H2_HEAD)
                    server.send_data(event.stream_id, MESSAGE)
                    server.send_headers(event.stream_id, H2_TRAILERS, end_stream=True)
            written += len(server.data_to_send())
        return written

    return serve


SERVERS: dict[str, Callable[[list[bytes]], int]] = {
    "own": ours,
    "h2": h2_server(validate=True),
    "h2 (no header validation)": h2_server(validate=False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    chunks = client_bytes(args.calls)
    rows = []
    for rep in range(args.reps):
        names = list(SERVERS) if rep % 2 == 0 else list(SERVERS)[::-1]
        for name in names:
            start = time.process_time()
            written = SERVERS[name](chunks)
            used = time.process_time() - start
            assert written > args.calls * len(MESSAGE)  # every call was answered
            row = {"server": name, "us_per_call": round(used / args.calls * 1e6, 1), "load1": os.getloadavg()[0]}
            rows.append(row)
            print(json.dumps(row), flush=True)
    for name in SERVERS:
        us = statistics.median(r["us_per_call"] for r in rows if r["server"] == name)
        print(f"{name:26} median {us:6.1f} us of CPU per call")
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
