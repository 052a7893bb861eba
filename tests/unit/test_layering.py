"""Package layering: lower layers never import higher ones (checked on the source, imports anywhere)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package directory -> module prefixes it must not import
FORBIDDEN = {
    "provider/sps_provider/protocol": (
        "sps_provider.engine",
        "sps_provider.provider",
        "sps_provider.coordinator",
        "sps_provider.client",
    ),
    # the plugin transport knows methods and messages, not resources (ADR 0016)
    "provider/sps_provider/transport": (
        "sps_provider.engine",
        "sps_provider.provider",
        "sps_provider.coordinator",
        "sps_provider.client",
        "sps_provider.protocol",
        "sps_catalog",
    ),
    "provider/sps_provider/client": ("sps_provider.engine", "sps_provider.provider", "sps_provider.coordinator"),
    # transactions know requests and changes, not resources or Terraform's messages
    "provider/sps_provider/coordinator": (
        "sps_provider.engine",
        "sps_provider.provider",
        "sps_provider.protocol",
        "sps_catalog",
    ),
    "catalog/sps_catalog": ("sps_provider", "sps_simulator", "sps_constructs", "sps_docs"),
    # the docs renderer and the template library are development tools: nothing that runs uses them
    # (the catalog's generators may use Jinja2; the provider package does not bundle them)
    "provider/sps_provider": ("sps_docs", "jinja2"),
    "constructs/sps_constructs": ("sps_docs", "jinja2"),
    "simulator/sps_simulator": ("sps_docs", "jinja2"),
}


# the folders on sys.path when the project runs: packages below them, and bench's and stacks' scripts
# (which import one another by bare name); the checkout itself holds the `tests` package
SOURCE_ROOTS = ("catalog", "provider", "constructs", "simulator", "tools", "bench", "stacks", "examples/cdktf")


def imported_modules(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def project_modules() -> dict[str, Path]:
    """Every module of the project by its import name (generated protocol stubs left out)."""
    found: dict[str, Path] = {}
    for root in (*SOURCE_ROOTS, "."):
        base = ROOT / root
        paths = (ROOT / "tests").rglob("*.py") if root == "." else base.rglob("*.py")
        for path in paths:
            parts = list(path.relative_to(base).with_suffix("").parts)
            if "gen" in parts or (len(parts) > 1 and not (base / parts[0] / "__init__.py").exists()):
                continue
            found.setdefault(".".join(parts[:-1] if parts[-1] == "__init__" else parts), path)
    return found


def import_edges(name: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The project modules `name` imports anywhere in its source: at module level, inside functions
    and under `if TYPE_CHECKING` (an import only the type checker follows still ties the two
    modules together). `from package import module` is an import of the module."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            for a in node.names:
                out.add(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base)
    return {m for m in out if m in modules and m != name}


def import_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan): modules that import each
    other, directly or around a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = stack[stack.index(v) :]
            del stack[stack.index(v) :]
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_higher_layers(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if "/gen/" not in str(path)
        for module in sorted(imported_modules(path))
        if module.startswith(FORBIDDEN[package])
    ]
    assert wrong == []


def test_model_needs_no_function_local_import() -> None:
    """The catalog model is the bottom layer: its imports are all at module level."""
    tree = ast.parse((ROOT / "catalog/sps_catalog/model.py").read_text())
    local = [
        node.lineno
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef)
        for node in ast.walk(fn)
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    assert local == []


def test_test_modules_share_helpers_only_through_tests_support() -> None:
    """A test module (or conftest) imports helpers from tests.support, never from another test
    module: moving or deleting a test then cannot break an unrelated one."""
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module.startswith("tests.")
        and not module.startswith("tests.support.")
        and (module.rsplit(".", 1)[-1].startswith("test_") or module.endswith("conftest"))
    ]
    assert wrong == []


def test_no_modules_import_each_other_in_a_loop() -> None:
    """A loop of imports leaves no module that can be read (or changed) first; one held apart by
    imports inside functions or only for the type checker is still a loop."""
    modules = project_modules()
    graph = {name: import_edges(name, path, modules) for name, path in modules.items()}
    assert import_cycles(graph) == []


def test_the_cycle_check_finds_a_loop_through_a_function_local_and_a_type_only_import(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f():\n    from b import g\n")
    (tmp_path / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import c\n")
    (tmp_path / "c.py").write_text("import a\nimport d\n")
    (tmp_path / "d.py").write_text("")
    modules = {p.stem: p for p in tmp_path.glob("*.py")}
    graph = {name: import_edges(name, path, modules) for name, path in modules.items()}
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_the_reader_thread_rule_is_neutral() -> None:
    """`no_wait` is imported by the transport and by the layers above it, so it imports neither."""
    mine = [m for m in imported_modules(ROOT / "provider/sps_provider/no_wait.py") if m.startswith("sps_")]
    assert mine == []
