"""Appliance text written into generated code so that it stays text (docs/export.md, "Escaping").

Everything an appliance holds (names, free text, `extra_json` keys and values, keys, the firmware
string) is written by whoever administers it, and the export turns it into code that others run
with their own credentials. So every string is written as a literal that yields exactly that
string, and nothing in it can become an expression, a statement or the end of a comment:

- Terraform evaluates `${...}` and `%{...}` in every string, in HCL and in JSON (`cdk.tf.json`)
  alike; CDKTF passes Python strings through unchanged. So `${` is written `$${` and `%{` is
  written `%%{` in both formats (`template_text`).
- HCL strings are written in Unicode NFC (Terraform holds every string so) and escape `"`, `\\`
  and every character that is not visible (controls, format characters such as bidirectional
  overrides, line and paragraph separators, spaces other than U+0020) as `\\uNNNN` /
  `\\UNNNNNNNN`, and so every character that would join the one before it into one grapheme
  cluster (combining marks left after NFC, emoji modifiers, regional indicators, Hangul jamo):
  `terraform fmt` aligns `=` by grapheme clusters, so the export aligns by characters written;
  other characters are written as UTF-8, never as UTF-16 surrogate pairs.
- Python strings are ASCII: other characters are `\\xNN`, `\\uNNNN` or `\\UNNNNNNNN` escapes (so
  no character can hide code, and ruff's ambiguous-character rules stay quiet).
- CDKTF reads its own token markers in every string it synthesizes (`${TfToken[`, `#{TfToken[`,
  `&{TfToken[`, and negative numbers in its token range such as `-1.8881545897087626e+289`) and
  replaces them with references or fails. In Python values such a marker is split by
  `%{if(true)}%{endif}`, a template directive Terraform reads as nothing (`cdktf_text`); floats
  holding large integers are written as those integers (`number_text`).
- Comments take `comment_text`: printable ASCII only, anything else escaped.
"""

from __future__ import annotations

import itertools
import json
import re
import struct
import unicodedata

from sps_catalog.equivalence import nfc

_HCL_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def template_text(s: str) -> str:
    """`s` with Terraform's template sequences escaped: Terraform reads the result back as `s`.

    `$${` reads as `${` and `%%{` as `%{`; a `$` or `%` not followed by `{` is itself."""
    return s.replace("${", "$${").replace("%{", "%%{")


def _visible(ch: str) -> bool:
    """Letters, marks, numbers, punctuation, symbols and the ASCII space: shown as themselves."""
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


_JOINING_RANGES = (
    (0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF),  # Hangul jamo: syllables are written whole
    (0x1F1E6, 0x1F1FF), (0x1F3FB, 0x1F3FF),  # regional indicators (flags), emoji modifiers
    (0xFF9E, 0xFF9F), (0x0E33, 0x0E33), (0x0EB3, 0x0EB3),  # extending letters (UAX #29)
    (0x0D4E, 0x0D4E), (0x111C2, 0x111C3), (0x1193F, 0x1193F), (0x11941, 0x11941),  # prepended letters
    (0x11A3A, 0x11A3A), (0x11A84, 0x11A89), (0x11D46, 0x11D46),
)  # fmt: skip


def _joins(ch: str) -> bool:
    """Whether `ch` may share a grapheme cluster with a neighbour (UAX #29): marks, and the
    letters and symbols the standard names (controls and format characters are escaped anyway)."""
    o = ord(ch)
    return unicodedata.category(ch)[0] == "M" or any(lo <= o <= hi for lo, hi in _JOINING_RANGES)


def _code_point(ch: str) -> str:
    o = ord(ch)
    return f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}"


def hcl_string(s: str) -> str:
    """A quoted HCL string that Terraform reads as exactly `s` (up to Unicode NFC, which Terraform
    applies to every string it holds), one grapheme cluster per character written."""
    out = []
    for ch in template_text(nfc(s)):
        if ch in _HCL_ESCAPES:
            out.append(_HCL_ESCAPES[ch])
        elif _visible(ch) and not _joins(ch):
            out.append(ch)
        else:
            out.append(_code_point(ch))
    return '"' + "".join(out) + '"'


def python_text(s: str) -> str:
    """A Python string literal (ASCII, double-quoted) of `s` as it is: for Python-only values."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif ch in "\n\r\t":
            out.append(_HCL_ESCAPES[ch])
        elif o < 0x100:
            out.append(f"\\x{o:02x}")
        else:
            out.append(_code_point(ch))
    return '"' + "".join(out) + '"'


NOTHING = "%{if(true)}%{endif}"
"""A Terraform template directive that yields the empty string (no quote or backslash in it, so it
survives being JSON-encoded inside `extra_json`)."""

_TOKEN_MARKER = re.compile(r"(?<=[$#&])(?=\{TfToken\[)")
_NUMBER_TOKEN = re.compile(r"[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)")  # cdktf's own pattern (tokens/private/encoding)
_FLOAT_PREFIX = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")  # what JavaScript's parseFloat reads
_TOKEN_DOUBLE_TAGS = (0xFDFF, 0xFBFF)  # the top 16 bits of cdktf's number and number-list tokens


def _is_token_double(text: str) -> bool:
    found = _FLOAT_PREFIX.match(text)
    if found is None:
        return False
    try:
        bits = struct.unpack("<Q", struct.pack("<d", float(found.group())))[0]
    except OverflowError:
        return False
    return bits >> 48 in _TOKEN_DOUBLE_TAGS


def cdktf_text(s: str) -> str:
    """`s` as a value for a CDKTF construct: Terraform reads the synthesized string back as `s`.

    Template sequences are escaped (`template_text`); where CDKTF would read a token marker, the
    string is split by `NOTHING` (after the marker's first character, or after the minus sign of a
    number in the token range), so CDKTF sees no marker and Terraform joins the pieces again."""
    cuts = {m.start() for m in _TOKEN_MARKER.finditer(s)}
    cuts |= {m.start() + 1 for m in _NUMBER_TOKEN.finditer(s) if _is_token_double(m.group())}
    bounds = [0, *sorted(cuts), len(s)]
    return NOTHING.join(template_text(s[a:b]) for a, b in itertools.pairwise(bounds))


def number_text(v: int | float) -> str:
    """A JSON number as written in both formats. A float holding an integer beyond 2**53 is written
    as that integer, exactly: Terraform reads a decimal such as `-8.109562212591379e+298` as exactly
    that decimal (not the float the appliance holds, so `extra_json` would plan a change), and
    CDKTF reads it as one of its number tokens (`NUMBER_TOKEN`); the integer's digits are neither."""
    if isinstance(v, float) and v.is_integer() and abs(v) >= 2**53:
        return str(int(v))
    return json.dumps(v)


def python_string(s: str) -> str:
    """A Python string literal for a value that reaches Terraform (through CDKTF) as exactly `s`."""
    return python_text(cdktf_text(s))


def comment_text(s: str) -> str:
    """`s` for a one-line comment: printable ASCII as is, anything else (a newline included) as an
    escape, so the comment cannot end early or hide characters."""
    return python_text(s)[1:-1]
