"""`sps-provider-install`: put the provider package into a local filesystem mirror for Terraform.

Terraform's registry is not used: the package (sps_provider.package) is unpacked to
`<mirror>/registry.terraform.io/oneidentity/sps/<version>/<os_arch>/` and a CLI config
(`sps.tfrc`) points Terraform at that mirror; use it with `TF_CLI_CONFIG_FILE=<path>/sps.tfrc`.
`~/.terraformrc` is never touched. The package is the one `make dist` zips, byte for byte, so a
`.terraform.lock.hcl` made here verifies in every other clone and on every machine of the platform.
An install whose build ID matches leaves the package untouched.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import sys
import tempfile
from pathlib import Path

import sps_provider
from sps_provider.package import build_id, build_tree, executable_name, installed_build_id, os_arch

SOURCE = "registry.terraform.io/oneidentity/sps"


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


def install(mirror: Path, tfrc: Path) -> Path:
    """Installs (if its build changed) and returns the provider executable in `mirror`."""
    package = mirror / SOURCE / sps_provider.__version__ / os_arch()
    target = package / executable_name()
    mirror.mkdir(parents=True, exist_ok=True)
    # Parallel installs (test workers) wait for the first; readers see the old tree or the new one.
    with open(mirror / ".sps-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed_build_id(target) != build_id():
            package.parent.mkdir(parents=True, exist_ok=True)
            stage = Path(tempfile.mkdtemp(dir=package.parent, prefix=".stage-"))
            build_tree(stage)
            stage.chmod(0o755)
            old = package.parent / f".old-{os.getpid()}"
            if package.exists():
                package.rename(old)
            stage.rename(package)
            shutil.rmtree(old, ignore_errors=True)
    tfrc.parent.mkdir(parents=True, exist_ok=True)
    text = tfrc_text(mirror.resolve()).encode()
    if not tfrc.exists() or tfrc.read_bytes() != text:
        _write_atomically(tfrc, text)
    return target


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    tmp = Path(tmp_name)
    tmp.chmod(0o644)
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
