"""The provider package is relocatable and reproducible: the same source built in two folders gives
the same bytes, and a lock file made in one clone passes `terraform init` in another (real terraform)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from sps_harness.wheel import build as build_wheel
from sps_harness.wheel import copy_sources
from sps_provider.install import SOURCE, tfrc_text
from sps_provider.package import archive_name, build_tree, os_arch

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"sps_provider": Path("provider/sps_provider"), "sps_catalog": Path("catalog/sps_catalog")}


def checkout(at: Path) -> Path:
    """The provider's sources copied to `at`, as a clone at another path would have them."""
    for rel in PACKAGES.values():
        shutil.copytree(ROOT / rel, at / rel, ignore=shutil.ignore_patterns("__pycache__"))
    return at


def make_dist(source: Path, cwd: Path) -> Path:
    out = source / "dist"
    subprocess.run([sys.executable, "-m", "sps_provider.package", "--source", str(source), "--out", str(out)],
                   cwd=cwd, check=True, capture_output=True)  # fmt: skip
    return out


def terraform(workdir: Path, tfrc: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(tfrc), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    return subprocess.run(["terraform", *args, "-no-color"], cwd=workdir, env=env, capture_output=True, text=True)


def test_two_builds_in_different_directories_are_byte_identical(tmp_path: Path) -> None:
    a = checkout(tmp_path / "a")
    b = checkout(tmp_path / "elsewhere" / "deeper" / "b")
    dist_a, dist_b = make_dist(a, cwd=a), make_dist(b, cwd=tmp_path)
    names = sorted(p.name for p in dist_a.iterdir())
    assert names == sorted(p.name for p in dist_b.iterdir())
    assert names == sorted([archive_name(), "terraform-provider-sps_0.1.0_SHA256SUMS"])
    for name in names:
        assert (dist_a / name).read_bytes() == (dist_b / name).read_bytes(), name
    archive = dist_a / archive_name()
    sums = (dist_a / "terraform-provider-sps_0.1.0_SHA256SUMS").read_text()
    assert sums == f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}\n"
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            assert str(tmp_path).encode() not in data, f"{info.filename} holds the build path"
            assert str(ROOT).encode() not in data, f"{info.filename} holds the checkout path"


def test_a_lock_file_made_in_one_clone_passes_init_in_another(tmp_path: Path) -> None:
    # Clone A: the archive installed into a packed filesystem mirror by the README's one command.
    a = checkout(tmp_path / "a")
    archive = make_dist(a, cwd=a) / archive_name()
    mirror_a = tmp_path / "mirror-a"
    subprocess.run(["install", "-D", "-m", "644", str(archive), str(mirror_a / SOURCE / archive.name)], check=True)
    tfrc_a = tmp_path / "a.tfrc"
    tfrc_a.write_text(tfrc_text(mirror_a))
    work_a = tmp_path / "work-a"
    work_a.mkdir()
    shutil.copyfile(ROOT / "examples" / "hcl" / "main.tf", work_a / "main.tf")
    lock = terraform(work_a, tfrc_a, "providers", "lock", f"-fs-mirror={mirror_a}", f"-platform={os_arch()}")
    assert lock.returncode == 0, lock.stderr
    # Clone B at another path: the unpacked package `make provider` installs, built from B's copy.
    b = checkout(tmp_path / "other" / "b")
    mirror_b = tmp_path / "other" / "mirror"
    build_tree(_mkdir(mirror_b / SOURCE / "0.1.0" / os_arch()), {n: b / rel for n, rel in PACKAGES.items()})
    tfrc_b = tmp_path / "b.tfrc"
    tfrc_b.write_text(tfrc_text(mirror_b))
    work_b = tmp_path / "other" / "work-b"
    work_b.mkdir()
    shutil.copyfile(ROOT / "examples" / "hcl" / "main.tf", work_b / "main.tf")
    shutil.copyfile(work_a / ".terraform.lock.hcl", work_b / ".terraform.lock.hcl")
    init = terraform(work_b, tfrc_b, "init", "-input=false")
    assert init.returncode == 0, init.stderr
    assert (work_b / ".terraform.lock.hcl").read_text() == (work_a / ".terraform.lock.hcl").read_text()
    # And a package that differs by one byte is refused by that lock file.
    (mirror_b / SOURCE / "0.1.0" / os_arch() / "lib" / "sps_provider" / "__init__.py").write_text("# changed\n")
    shutil.rmtree(work_b / ".terraform")
    refused = terraform(work_b, tfrc_b, "init", "-input=false")
    assert refused.returncode != 0
    assert "checksums previously recorded" in refused.stderr


def test_the_committed_lock_files_verify_a_package_built_in_a_fresh_clone(tmp_path: Path) -> None:
    """Built from a copy at another path, with no `make lock` run: only the committed lock and the
    locked dependencies decide. Stale after a provider change until `make lock` rewrites them."""
    committed = (ROOT / "examples" / "hcl" / ".terraform.lock.hcl").read_text()
    for copy in ("stacks/demo.terraform.lock.hcl", "stacks/fleet.terraform.lock.hcl"):
        assert (ROOT / copy).read_text() == committed, f"{copy} differs: run `make lock`"
    clone = checkout(tmp_path / "fresh" / "clone")
    mirror = tmp_path / "fresh" / "mirror"
    build_tree(_mkdir(mirror / SOURCE / "0.1.0" / os_arch()), {n: clone / rel for n, rel in PACKAGES.items()})
    tfrc = tmp_path / "fresh.tfrc"
    tfrc.write_text(tfrc_text(mirror))
    shutil.copyfile(ROOT / "examples" / "hcl" / "main.tf", tmp_path / "main.tf")
    (tmp_path / ".terraform.lock.hcl").write_text(committed)
    init = terraform(tmp_path, tfrc, "init", "-input=false")
    assert init.returncode == 0, f"the committed lock files are stale: run `make lock`\n{init.stderr}"
    assert (tmp_path / ".terraform.lock.hcl").read_text() == committed


def test_the_wheel_is_byte_identical_from_two_folders_and_umasks(tmp_path: Path) -> None:
    wheels = []
    for where, umask in (("a", 0o022), ("elsewhere/b", 0o002)):
        source = tmp_path / where
        copy_sources(ROOT, source)
        for path in source.rglob("*"):  # as a clone made under this umask has them
            path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
        previous = os.umask(umask)
        try:
            wheels.append(build_wheel(tmp_path / f"out-{umask:o}", source))
        finally:
            os.umask(previous)
    assert wheels[0].name == "sps_as_code-0.1.0-py3-none-any.whl"
    assert wheels[0].read_bytes() == wheels[1].read_bytes()
    with zipfile.ZipFile(wheels[0]) as zf:
        names = zf.namelist()
        assert "sps_constructs/py.typed" in names and "sps_docs/templates/resource.md.j2" in names
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
            assert str(tmp_path).encode() not in zf.read(info), info.filename


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path
