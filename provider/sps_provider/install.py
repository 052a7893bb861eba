"""`sps-provider-install`: put the provider into a local filesystem mirror for Terraform.

Terraform's registry is not used: the provider goes to
`<mirror>/registry.terraform.io/oneidentity/sps/<version>/<os_arch>/terraform-provider-sps_v<version>`
and a CLI config (`sps.tfrc`) points Terraform at that mirror; use it with
`TF_CLI_CONFIG_FILE=<path>/sps.tfrc`. `~/.terraformrc` is never touched.

The executable is a self-contained zip application holding the provider's code and the
compiled catalog, run by this virtualenv's Python. Because the code is inside it, Terraform's
lock-file hash changes whenever the code changes (a launcher script would hide such changes);
an install whose build ID (the zip comment) matches leaves it untouched, so unchanged code keeps its hash.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import platform
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

import sps_catalog
import sps_provider

SOURCE = "registry.terraform.io/oneidentity/sps"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MAIN = "import sys\nfrom sps_provider.main import main\nsys.exit(main())\n"


def os_arch() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{sys.platform}_{arch}"


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def sources() -> list[tuple[str, Path]]:
    """(name in the archive, file) of every module the executable carries."""
    out = []
    for pkg in (sps_provider, sps_catalog):
        root = Path(pkg.__file__ or "").parent
        out += [(f"{pkg.__name__}/{p.relative_to(root).as_posix()}", p) for p in sorted(root.rglob("*.py"))]
    return out


def build_id(python: str) -> str:
    """Identifies a build by its inputs. The archive itself is not byte-reproducible (marshalled
    .pyc files differ between interpreter processes), so this, not the bytes, decides whether an
    installed executable is current: rewriting an equal build would break the lock-file hash of
    working directories that installed it moments before."""
    digest = hashlib.sha256(f"{python}\n{MAIN}".encode())
    for rel, path in sources():
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def installed_build_id(target: Path) -> str | None:
    try:
        with zipfile.ZipFile(target) as zf:
            return zf.comment.decode() or None
    except (OSError, zipfile.BadZipFile):
        return None


def build_archive(build: str) -> bytes:
    """A zip of the provider and catalog packages with unchecked-hash .pyc files; its comment is `build`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, tempfile.TemporaryDirectory() as tmp:
        zf.comment = build.encode()
        _add(zf, "__main__.py", MAIN.encode())
        for rel, path in sources():
            _add(zf, rel, path.read_bytes())
            pyc = Path(tmp) / "x.pyc"
            py_compile.compile(
                str(path),
                cfile=str(pyc),
                dfile=rel,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            _add(zf, rel + "c", pyc.read_bytes())
    return buf.getvalue()


def tfrc_text(mirror: Path) -> str:
    return (
        "# Written by sps-provider-install: use with TF_CLI_CONFIG_FILE.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        f'    include = ["{SOURCE}"]\n'
        "  }\n"
        "  direct {\n"
        f'    exclude = ["{SOURCE}"]\n'
        "  }\n"
        "}\n"
    )


def interpreter() -> str:
    """This environment's Python under one name, whichever name started it (`python3.11`,
    `python`), so every install of the same code writes the same shebang."""
    for name in ("python", "python3"):
        candidate = Path(sys.prefix, "bin", name)
        if candidate.exists():
            return str(candidate)
    return sys.executable


def install(mirror: Path, tfrc: Path, python: str | None = None) -> Path:
    python = python or interpreter()
    version = sps_provider.__version__
    target = mirror / SOURCE / version / os_arch() / f"terraform-provider-sps_v{version}"
    target.parent.mkdir(parents=True, exist_ok=True)
    build = build_id(python)
    if installed_build_id(target) != build:
        _write_atomically(target, f"#!{python} -I\n".encode() + build_archive(build), executable=True)
    tfrc.parent.mkdir(parents=True, exist_ok=True)
    text = tfrc_text(mirror.resolve()).encode()
    if not tfrc.exists() or tfrc.read_bytes() != text:
        _write_atomically(tfrc, text, executable=False)
    return target


def _write_atomically(path: Path, data: bytes, *, executable: bool) -> None:
    """Readers (a running terraform, a parallel install) see the old file or the new one, never half."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    tmp = Path(tmp_name)
    mode = 0o755 if executable else 0o644
    tmp.chmod(mode)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="sps-provider-install", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--mirror", type=Path, default=Path(".mirror"), help="filesystem mirror folder (default .mirror)")
    p.add_argument("--tfrc", type=Path, default=Path("sps.tfrc"), help="CLI config file to write (default sps.tfrc)")
    args = p.parse_args(argv)
    target = install(args.mirror.resolve(), args.tfrc.resolve())
    print(f"installed {SOURCE} {sps_provider.__version__} -> {target}")
    print(f"use it with: export TF_CLI_CONFIG_FILE={args.tfrc.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
