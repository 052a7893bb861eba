"""TLS for the plugin socket through memory BIOs, so one thread reads while handler threads write.

An `ssl.SSLSocket` must not be read and written from two threads at once (one OpenSSL object), and
a reader blocked in `recv` would hold any lock guarding it. Here the raw socket is read without a
lock and only the (memory-only) TLS record work and the send are serialised.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import threading


class PeerRefused(Exception):
    """The peer is not the client Terraform announced, or does not speak HTTP/2."""


def server_context(key_pem: bytes, cert_pem: bytes, client_cert_pem: str, directory: str) -> ssl.SSLContext:
    """A TLS server context presenting our certificate, offering ALPN h2 only and requiring the
    client certificate Terraform put in PLUGIN_CLIENT_CERT (its own root, so it verifies against
    itself; the exact certificate is checked after the handshake). `load_cert_chain` reads files:
    the key is written into the private socket directory and removed at once."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["h2"])
    path = os.path.join(directory, "server.pem")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key_pem + cert_pem)
        os.close(fd)
        context.load_cert_chain(path)
    finally:
        os.unlink(path)
    context.load_verify_locations(cadata=client_cert_pem)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class Plain:
    """The socket as is, for a Terraform that does not ask for TLS (no PLUGIN_CLIENT_CERT)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()

    def recv(self) -> bytes:
        return self.sock.recv(1 << 18)

    def send(self, data: bytes) -> None:
        with self.lock:
            self.sock.sendall(data)

    def close(self) -> None:
        """Shut down (waking the reader) and close under the send lock, so no answer is written
        to a reused descriptor."""
        with self.lock:
            _shut(self.sock)


class Tls:
    def __init__(self, sock: socket.socket, context: ssl.SSLContext, client_cert_der: bytes) -> None:
        self.sock = sock
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.lock = threading.Lock()
        self.client_cert_der = client_cert_der

    def handshake(self) -> None:
        """Complete the TLS handshake; refuse a peer with another certificate or without h2."""
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                data = self.sock.recv(1 << 16)
                if not data:
                    raise ConnectionError("peer closed during the TLS handshake") from None
                self.incoming.write(data)
        self._flush()
        if self.tls.getpeercert(binary_form=True) != self.client_cert_der:
            raise PeerRefused("the client certificate is not the one in PLUGIN_CLIENT_CERT")
        if self.tls.selected_alpn_protocol() != "h2":
            raise PeerRefused("the client did not negotiate HTTP/2 (ALPN h2)")

    def recv(self) -> bytes:
        """Plaintext as soon as some arrived; b"" at the end of the connection."""
        while True:
            with self.lock:
                chunks = []
                try:
                    while data := self.tls.read(1 << 18):
                        chunks.append(data)
                    return b"".join(chunks)  # b"": the peer's close_notify
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLZeroReturnError:
                    return b"".join(chunks)
                if self.outgoing.pending:
                    self.sock.sendall(self.outgoing.read())
            if chunks:
                return b"".join(chunks)
            data = self.sock.recv(1 << 18)
            if not data:
                return b""
            with self.lock:
                self.incoming.write(data)

    def send(self, data: bytes) -> None:
        with self.lock:
            self.tls.write(data)
            self.sock.sendall(self.outgoing.read())

    def close(self) -> None:
        with self.lock:
            _shut(self.sock)

    def _flush(self) -> None:
        if self.outgoing.pending:
            self.sock.sendall(self.outgoing.read())
