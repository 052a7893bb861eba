"""The simulator's TLS private key is readable by its owner only from its first byte."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_simulator import tls


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets new files be read by everyone, as some accounts have."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_the_key_is_never_readable_by_others(tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch) -> None:
    modes: list[int] = []
    write_bytes = Path.write_bytes

    def recording(path: Path, data: bytes) -> int:  # every write_bytes, with the mode just after it
        written = write_bytes(path, data)
        modes.append(stat.S_IMODE(path.stat().st_mode))
        return written

    monkeypatch.setattr(Path, "write_bytes", recording)
    _, _, key = tls.ensure_certificates(tmp_path, "127.0.0.1")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in key.read_bytes()
    assert modes == [0o666, 0o666], "only the CA and the certificate (public) are written with the umask's mode"
