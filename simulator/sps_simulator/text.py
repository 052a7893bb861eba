"""Text the appliance can hold: sequences of Unicode scalar values, i.e. strings UTF-8 can encode.

JSON lets a request spell a lone surrogate (`"\\ud800"`), and Python's JSON reader decodes one
even from raw bytes; such a string cannot be written as UTF-8, so every answer that would carry
it (the list of its type, the transaction's changes) fails. Requests holding one are refused
(`bodies.parse`), and so is a URL whose percent-escapes are not UTF-8 (`undecodable`); a stored
one, written before that check existed, is mended when the state is loaded (`mend.py`,
docs/simulator.md, "Text that is not Unicode").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class BadText:
    """Where a string that is not Unicode text sits: its dotted path (a key's path when the key
    itself is bad), the character's offset and its code point."""

    path: str
    offset: int
    code_point: int

    @property
    def message(self) -> str:
        return (
            f"holds a lone surrogate U+{self.code_point:04X} at character {self.offset}; "
            "SPS holds Unicode text only (a string UTF-8 can encode)"
        )


def _join(path: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{path}[{step}]"
    return f"{path}.{step}" if path else step


def bad_text(value: Any) -> BadText | None:
    """The first string (object key or value) in a parsed JSON value that is not Unicode text."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            found = SURROGATE.search(item)
            if found:
                return BadText(path or "(body)", found.start(), ord(found.group()))
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                found = SURROGATE.search(key)
                if found:
                    return BadText(
                        _join(path, key.encode("utf-8", "backslashreplace").decode()), found.start(), ord(found.group())
                    )
                stack.append((_join(path, key), child))
        elif isinstance(item, list):
            stack.extend((_join(path, i), child) for i, child in reversed(list(enumerate(item))))
    return None


def undecodable(raw: bytes) -> bool:
    """Whether a URL part's percent-escapes spell bytes that are not UTF-8 (the server's decoder
    would silently turn them into U+FFFD)."""
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
