"""`sps-provider-install`: put the provider into a local filesystem mirror for Terraform.

Terraform's registry is not used: the provider goes to
`<mirror>/registry.terraform.io/oneidentity/sps/<version>/<os_arch>/terraform-provider-sps_v<version>`
and a CLI config (`sps.tfrc`) points Terraform at that mirror; use it with
`TF_CLI_CONFIG_FILE=<path>/sps.tfrc`. `~/.terraformrc` is never touched.

The executable is a self-contained zip application holding the provider's code and the
compiled catalog, run by this virtualenv's Python. Because the code is inside it, Terraform's
lock-file hash changes whenever the code changes (a launcher script would hide such changes);
the archive is built reproducibly, so unchanged code keeps the same hash.
"""

from __future__ import annotations

import argparse
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


def build_archive() -> bytes:
    """A reproducible zip of the provider and catalog packages, with unchecked-hash .pyc files."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, tempfile.TemporaryDirectory() as tmp:
        _add(zf, "__main__.py", MAIN.encode())
        for pkg in (sps_provider, sps_catalog):
            root = Path(pkg.__file__ or "").parent
            for path in sorted(root.rglob("*.py")):
                rel = f"{pkg.__name__}/{path.relative_to(root).as_posix()}"
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


def install(mirror: Path, tfrc: Path, python: str = sys.executable) -> Path:
    version = sps_provider.__version__
    target = mirror / SOURCE / version / os_arch() / f"terraform-provider-sps_v{version}"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = f"#!{python} -I\n".encode() + build_archive()
    if not target.exists() or target.read_bytes() != data:
        _write_atomically(target, data, executable=True)
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
