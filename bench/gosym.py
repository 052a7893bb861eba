"""Function names for addresses in a stripped Go executable such as the released `terraform`.

Stripping removes the ELF symbol table, but every Go binary keeps `.gopclntab`, the table the Go
runtime itself uses for stack traces: a sorted list of function entry addresses with their names.
Reading it directly (Go 1.20+ layout, magic 0xfffffff1; Terraform 1.11 is built with Go 1.23)
needs no Go toolchain, so profiles of the released binary can be symbolized with Python alone.
Inlined calls are attributed to the function they were inlined into.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass
from pathlib import Path

GO120_MAGIC = 0xFFFFFFF1
PT_LOAD = 1


class NotAGoBinary(ValueError):
    """The file has no `.gopclntab` in the Go 1.20+ layout."""


@dataclass(frozen=True)
class Segment:
    offset: int
    vaddr: int
    size: int


@dataclass(frozen=True)
class FuncTable:
    """Entry addresses (sorted) and names of every function of one Go executable."""

    entries: list[int]
    names: list[str]
    end: int
    segments: tuple[Segment, ...]

    @classmethod
    def load(cls, path: Path) -> FuncTable:
        data = path.read_bytes()
        if data[:4] != b"\x7fELF" or data[4] != 2:
            raise NotAGoBinary(f"{path}: not a 64-bit ELF file")
        phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 0x36)
        segments = []
        for i in range(phnum):
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
            if p_type == PT_LOAD:
                segments.append(Segment(p_offset, p_vaddr, p_filesz))
        sections = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
        names_at = sections[shstrndx][4]
        pcln = next(
            (s[4] for s in sections if data[names_at + s[0] : data.index(b"\0", names_at + s[0])] == b".gopclntab"),
            None,
        )
        if pcln is None or struct.unpack_from("<I", data, pcln)[0] != GO120_MAGIC:
            raise NotAGoBinary(f"{path}: no .gopclntab of Go 1.20 or later")
        nfunc, _, text_start, funcname_off, _, _, _, pcln_off = struct.unpack_from("<8Q", data, pcln + 8)
        functab = pcln + pcln_off
        entries: list[int] = []
        names: list[str] = []
        for i in range(nfunc):
            entry_off, func_off = struct.unpack_from("<II", data, functab + 8 * i)
            (name_off,) = struct.unpack_from("<i", data, functab + func_off + 4)
            at = pcln + funcname_off + name_off
            entries.append(text_start + entry_off)
            names.append(data[at : data.index(b"\0", at)].decode(errors="replace"))
        (end_off,) = struct.unpack_from("<I", data, functab + 8 * nfunc)
        return cls(entries, names, text_start + end_off, tuple(segments))

    def vaddr(self, file_offset: int) -> int:
        """The virtual address of a file offset (perf reports a static binary's frames as offsets)."""
        for s in self.segments:
            if s.offset <= file_offset < s.offset + s.size:
                return s.vaddr + file_offset - s.offset
        return file_offset

    def name(self, address: int) -> str:
        i = bisect.bisect_right(self.entries, address) - 1
        if i < 0 or address >= self.end:
            return f"?{address:#x}"
        return self.names[i]
