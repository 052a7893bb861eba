"""Package layering: lower layers never import higher ones (checked on the source, imports anywhere)."""

from __future__ import annotations

import ast
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
    # the plugin transport knows methods and messages, not resources (DESIGN.md)
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


def imported_modules(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


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
