"""The provider package: a launcher plus `lib/` (the provider, the compiled catalog and every
runtime dependency, native extensions included), byte-identical wherever it is built.

Layout (docs/adr/0008-relocatable-provider-package.md):

    terraform-provider-sps_v<version>   /bin/sh + Python polyglot launcher
    lib/<packages>                      sources and unchecked-hash .pyc files, no absolute paths

The launcher runs `${SPS_PROVIDER_PYTHON:-python3.11} -I -S -B` on itself, so neither the
checkout's virtualenv nor a site-packages is involved and nothing is written into the package
(Terraform checks its hash on every command). `make dist` zips the tree into the registry archive
`terraform-provider-sps_<version>_<os>_<arch>.zip` with sorted entries and fixed timestamps
(SOURCE_DATE_EPOCH, default 1980-01-01) and writes `terraform-provider-sps_<version>_SHA256SUMS`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib.metadata import Distribution, distribution
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import sps_catalog
import sps_provider

NAME = "terraform-provider-sps"
#: Distributions the provider imports; their requirements are followed (markers evaluated here).
RUNTIME = ("hpack", "protobuf", "msgpack", "cryptography")
#: Installer bookkeeping that differs between installs of the same wheel.
SKIPPED_METADATA = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
#: Generation-only folders of the project's packages: the provider never reads them and the wheel
#: leaves them out, so a package built from an installed wheel (sps-init) equals one from a checkout.
SKIPPED_FOLDERS = {("sps_catalog", "templates")}
LAUNCHER = """#!/bin/sh
'''':
command -v "${{SPS_PROVIDER_PYTHON:=python3.11}}" >/dev/null || {{
  echo "{name}: Python 3.11 not found: put python3.11 on PATH or set SPS_PROVIDER_PYTHON" >&2
  exit 127
}}
exec "$SPS_PROVIDER_PYTHON" -I -S -B "$0" "$@"
'''
# Started by Terraform: the shell lines above run this file with Python, which runs the provider
# bundled in lib/ (build {build}).
import os
import sys

if sys.version_info[:2] != (3, 11):
    sys.exit(f"{name}: needs Python 3.11, SPS_PROVIDER_PYTHON is {{sys.version.split()[0]}}")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from sps_provider.main import main

sys.exit(main())
"""
# Compiles in a fresh interpreter with a fixed hash seed: marshal output depends on set order and on
# reference counts, both of which a long-lived or differently seeded process would change.
COMPILE = """
import importlib.util, py_compile, sys
lib = sys.argv[1]
for rel in sys.stdin.read().split():
    py_compile.compile(f"{lib}/{rel}", cfile=f"{lib}/{importlib.util.cache_from_source(rel)}", dfile=rel,
                       doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
"""


def os_arch() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{sys.platform}_{arch}"


def executable_name() -> str:
    return f"{NAME}_v{sps_provider.__version__}"


def own_packages() -> dict[str, Path]:
    """The project's packages the provider runs, from wherever they are imported (the checkout)."""
    return {pkg.__name__: Path(pkg.__file__ or "").parent for pkg in (sps_provider, sps_catalog)}


def runtime_distributions() -> list[Distribution]:
    """RUNTIME and what it requires in this environment, sorted by name."""
    found: dict[str, Distribution] = {}
    todo = list(RUNTIME)
    while todo:
        dist = distribution(todo.pop())
        key = canonicalize_name(dist.metadata["Name"])
        if key in found:
            continue
        found[key] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return [found[k] for k in sorted(found)]


def _files(packages: dict[str, Path], dists: list[Distribution]) -> dict[str, Path]:
    """Name under lib/ -> file, for every file the package carries (no bytecode: compiled here)."""
    out: dict[str, Path] = {}
    for name, root in packages.items():
        for path in root.rglob("*"):
            parts = path.relative_to(root).parts
            if (name, parts[0]) in SKIPPED_FOLDERS or "__pycache__" in parts or path.suffix == ".pyc":
                continue
            if path.is_file():
                out[f"{name}/{'/'.join(parts)}"] = path
    for dist in dists:
        for rel in dist.files or []:
            posix = PurePosixPath(rel.as_posix())
            if posix.parts[0] == ".." or "__pycache__" in posix.parts or posix.suffix == ".pyc":
                continue
            if posix.parent.name.endswith(".dist-info") and posix.name in SKIPPED_METADATA:
                continue
            out[str(posix)] = Path(str(dist.locate_file(rel)))
    return dict(sorted(out.items()))


def build_id(packages: dict[str, Path] | None = None) -> str:
    """A digest of every input of the tree: an install whose launcher names it is current."""
    files = _files(packages or own_packages(), runtime_distributions())
    digest = hashlib.sha256(f"{sys.implementation.cache_tag}\n{LAUNCHER}".encode())
    for rel, path in files.items():
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def build_tree(dest: Path, packages: dict[str, Path] | None = None) -> str:
    """Writes the package into the empty folder `dest`; returns its build ID."""
    packages = packages or own_packages()
    build = build_id(packages)
    lib = dest / "lib"
    sources = []
    for rel, path in _files(packages, runtime_distributions()).items():
        target = lib / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        if rel.endswith(".py"):
            sources.append(rel)
    env = {"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")}
    subprocess.run([sys.executable, "-I", "-S", "-c", COMPILE, str(lib)], input="\n".join(sources), text=True,
                   env=env, check=True)  # fmt: skip
    launcher = dest / executable_name()
    launcher.write_text(LAUNCHER.format(name=NAME, build=build))
    launcher.chmod(0o755)
    return build


def installed_build_id(launcher: Path) -> str | None:
    try:
        text = launcher.read_text()
    except (OSError, UnicodeDecodeError):
        return None
    marker = "(build "
    start = text.find(marker)
    return text[start + len(marker) : text.find(")", start)] if start >= 0 else None


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = max(int(os.environ.get("SOURCE_DATE_EPOCH") or 315532800), 315532800)  # zip cannot go before 1980
    t = time.gmtime(epoch)
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)


def write_zip(tree: Path, archive: Path) -> None:
    """Sorted entries, one timestamp, fixed modes and host: the same tree gives the same bytes."""
    stamp = _zip_time()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(tree).as_posix(), stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100755 if os.access(path, os.X_OK) else 0o100644) << 16
            zf.writestr(info, path.read_bytes())


def archive_name() -> str:
    return f"{NAME}_{sps_provider.__version__}_{os_arch()}.zip"


def dist(out: Path, packages: dict[str, Path] | None = None) -> Path:
    """`make dist`: the registry archive and its SHA256SUMS in `out`; returns the archive."""
    out.mkdir(parents=True, exist_ok=True)
    archive = out / archive_name()
    with tempfile.TemporaryDirectory() as tmp:
        build_tree(Path(tmp), packages)
        write_zip(Path(tmp), archive)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    (out / f"{NAME}_{sps_provider.__version__}_SHA256SUMS").write_text(f"{digest}  {archive.name}\n")
    return archive


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="sps-provider-dist", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default dist)")
    p.add_argument("--source", type=Path, help="a checkout to package instead of the imported one")
    p.add_argument("--os-arch", action="store_true", help="print the platform (Terraform's os_arch) and exit")
    args = p.parse_args(argv)
    if args.os_arch:
        print(os_arch())
        return 0
    packages = None
    if args.source:
        src = args.source.resolve()
        packages = {"sps_provider": src / "provider" / "sps_provider", "sps_catalog": src / "catalog" / "sps_catalog"}
    archive = dist(args.out, packages)
    print(f"{archive}\n{archive.parent / (NAME + '_' + sps_provider.__version__ + '_SHA256SUMS')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
