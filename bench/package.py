"""Provider start -> handshake of the shipped package (ADR 0008), as Terraform runs it: `make dist`'s
archive is put into a packed filesystem mirror, `terraform init` extracts it into a working
directory, and the extracted executable is timed with the interpreter named by SPS_PROVIDER_PYTHON
(the real file) and found on PATH (`python3.11`, which may be a version-manager shim). Also the
archive's size and the one-off cost a shiv/pex-style self-extracting zipapp would add to a first
start (extracting the same archive). `python bench/package.py [--runs N] [--json out.json]`; target: <= 150 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from handshake import time_handshake
from measure import write_json

from sps_harness import provider_python
from sps_provider.install import SOURCE, tfrc_text
from sps_provider.package import dist, executable_name
from sps_provider.plugin_cert import server_certificate

MAIN_TF = 'terraform {\n  required_providers {\n    sps = { source = "oneidentity/sps" }\n  }\n}\n'


def installed_by_terraform(archive: Path, work: Path) -> Path:
    mirror = work / "mirror"
    (mirror / SOURCE).mkdir(parents=True)
    shutil.copyfile(archive, mirror / SOURCE / archive.name)
    (work / "sps.tfrc").write_text(tfrc_text(mirror))
    (work / "main.tf").write_text(MAIN_TF)
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(work / "sps.tfrc"), CHECKPOINT_DISABLE="1")
    subprocess.run(["terraform", "init", "-input=false", "-no-color"], cwd=work, env=env, check=True,
                   capture_output=True)  # fmt: skip
    return next((work / ".terraform" / "providers").rglob(executable_name()))


def handshakes(binary: Path, cert: str, python: str, runs: int) -> list[float]:
    """Seconds from exec to the handshake line, `runs` times, with `python` as the interpreter."""
    os.environ["SPS_PROVIDER_PYTHON"] = python
    time_handshake(binary, cert)  # warm the page cache once
    return [time_handshake(binary, cert) for _ in range(runs)]


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.0f} ms, min {min(samples) * 1000:.0f} ms"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--json", type=Path, help="also write the samples here")
    args = p.parse_args()
    cert = server_certificate()[1].decode()
    real = provider_python()
    work = Path(tempfile.mkdtemp(prefix="sps-bench-package-"))
    try:
        archive = dist(work / "dist")
        binary = installed_by_terraform(archive, work)
        files = len(zipfile.ZipFile(archive).namelist())
        print(f"archive: {archive.stat().st_size / 1e6:.1f} MB, {files} files")
        real_s = handshakes(binary, cert, real, args.runs)
        print(f"start -> handshake, SPS_PROVIDER_PYTHON={real}: {ms(real_s)}")
        on_path = shutil.which("python3.11") or "python3.11"
        path_s = handshakes(binary, cert, "python3.11", args.runs)
        print(f"start -> handshake, python3.11 on PATH ({on_path}): {ms(path_s)}")
        extract = []
        for i in range(5):
            start = time.perf_counter()
            zipfile.ZipFile(archive).extractall(work / f"x{i}")
            extract.append(time.perf_counter() - start)
        print(f"self-extracting zipapp, first start adds: median {statistics.median(extract) * 1000:.0f} ms")
        write_json(args.json, {
            "archive_mb": round(archive.stat().st_size / 1e6, 2), "files": files, "runs": args.runs,
            "interpreter": real, "handshake_s": real_s, "on_path": on_path, "handshake_on_path_s": path_s,
            "zipapp_extract_s": extract})  # fmt: skip
    finally:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
