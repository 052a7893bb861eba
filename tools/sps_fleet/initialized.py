"""Whether a stack's `terraform init` would find anything to do, so that sps-fleet skips it.

`init` installs the providers the lock file pins, configures the backend and installs modules;
it costs a Terraform start (~0.15-0.2 s of CPU) per stack and run, a tenth of a 100-object
stack's no-op plan. Its outcome depends only on what is hashed here: the configuration's
`terraform` block (backend, required providers and version) and module sources, the lock file,
the Terraform executable and its CLI configuration (provider installation). After a successful
init sps-fleet records that hash in Terraform's data directory (`.terraform`, or TF_DATA_DIR);
the next run skips init while the hash is the same and the data directory still holds it, so
deleting `.terraform` or changing any input brings init back. Terraform itself still checks the
installed providers against the lock file and the backend configuration at every plan and apply.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path

RECORD = "sps-fleet-init.sha256"
LOCK_FILE = ".terraform.lock.hcl"


def data_dir(workdir: Path, environ: Mapping[str, str]) -> Path:
    """Terraform's data directory for a stack: TF_DATA_DIR (relative to the stack) or .terraform."""
    return workdir / environ.get("TF_DATA_DIR", ".terraform")


def fingerprint(workdir: Path, environ: Mapping[str, str]) -> str:
    """The hash of everything `init` acts on for the stack in `workdir`."""
    config = json.loads((workdir / "cdk.tf.json").read_text())
    modules = {name: [m.get("source"), m.get("version")] for name, m in config.get("module", {}).items()}
    digest = hashlib.sha256()
    digest.update(json.dumps([config.get("terraform", {}), modules], sort_keys=True).encode())
    lock = workdir / LOCK_FILE
    digest.update(b"\0lock\0" + (lock.read_bytes() if lock.exists() else b"(none)"))
    executable = shutil.which("terraform", path=environ.get("PATH"))
    if executable:
        stat = Path(executable).resolve().stat()
        digest.update(f"\0terraform\0{Path(executable).resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    for name in ("TF_CLI_CONFIG_FILE", "TERRAFORM_CONFIG", "TF_PLUGIN_CACHE_DIR", "TF_DATA_DIR"):
        digest.update(f"\0{name}\0{environ.get(name, '')}".encode())
    cli_config = environ.get("TF_CLI_CONFIG_FILE") or environ.get("TERRAFORM_CONFIG")
    if cli_config and Path(cli_config).is_file():
        digest.update(b"\0cli config\0" + Path(cli_config).read_bytes())
    return digest.hexdigest()


def is_current(workdir: Path, environ: Mapping[str, str]) -> bool:
    """True when the last successful init recorded the hash the stack has now."""
    record = data_dir(workdir, environ) / RECORD
    try:
        return record.read_text().strip() == fingerprint(workdir, environ)
    except OSError:
        return False


def record(workdir: Path, environ: Mapping[str, str]) -> None:
    """Call after a successful init (which may have written the lock file: hashed after it)."""
    directory = data_dir(workdir, environ)
    if directory.is_dir():
        (directory / RECORD).write_text(fingerprint(workdir, environ) + "\n")


def forget(workdir: Path, environ: Mapping[str, str]) -> None:
    """Before an init: a failed one must not leave the previous record standing."""
    (data_dir(workdir, environ) / RECORD).unlink(missing_ok=True)


def selected_workspace(workdir: Path, environ: Mapping[str, str]) -> str:
    """The workspace Terraform has selected in this stack (its data directory's `environment`
    file, which `workspace select` and `workspace new` write), `default` when none is."""
    try:
        return (data_dir(workdir, environ) / "environment").read_text().strip() or "default"
    except OSError:
        return "default"
