"""bench/gosym.py names the functions of the released (stripped) terraform binary from its own
.gopclntab, which the Terraform profiles in docs/scaling.md rest on."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def load_gosym() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gosym", Path(__file__).parents[2] / "bench" / "gosym.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gosym"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def funcs() -> Any:
    found = shutil.which("terraform")
    assert found, "the tests need the real terraform binary"
    return load_gosym().FuncTable.load(Path(found).resolve())


def test_addresses_inside_a_function_name_it(funcs: Any) -> None:
    i = funcs.names.index("github.com/hashicorp/terraform/internal/states/statemgr.(*Filesystem).WriteState")
    start, end = funcs.entries[i], funcs.entries[i + 1]
    assert funcs.entries == sorted(funcs.entries)
    assert funcs.name(start) == funcs.name(end - 1) == funcs.names[i]
    assert funcs.name(end) == funcs.names[i + 1]
    assert funcs.name(funcs.end).startswith("?")


def test_file_offsets_map_to_the_text_segment(funcs: Any) -> None:
    text = next(s for s in funcs.segments if s.vaddr <= funcs.entries[0] < s.vaddr + s.size)
    offset = funcs.entries[0] - text.vaddr + text.offset
    assert funcs.vaddr(offset) == funcs.entries[0]


def test_a_file_without_a_go_table_is_refused(tmp_path: Path) -> None:
    gosym = load_gosym()
    with pytest.raises(gosym.NotAGoBinary, match="not a 64-bit ELF"):
        gosym.FuncTable.load(Path(__file__))
    with pytest.raises(gosym.NotAGoBinary, match=r"no \.gopclntab"):
        gosym.FuncTable.load(Path(sys.executable).resolve())
