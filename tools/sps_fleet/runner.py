"""`sps-fleet plan|apply`: synthesize a fleet definition, then plan or apply every appliance's stack
in parallel (bounded), with one live progress line per appliance and a summary table at the end.

With `--only`, the fleet file is told which appliances are wanted (selection.py) and, if it asks,
builds only their stacks; the stacks are picked from cdktf's manifest either way.

Per stack: `terraform init` (verifying the provider against --lock-file when given; skipped when
nothing it acts on changed since the last one, initialized.py), select (or create) the workspace
named after the stack (for a state in PostgreSQL, looked up in the database and selected only when
Terraform has not selected it already), then `plan` or `apply` with `-json` (progress and
counts come from Terraform's machine-readable UI). One
appliance failing does not stop the others. Exit status: 0 when every appliance succeeded, 1 when
any failed (their names on the last line of stderr and in --report), 2 when the fleet could not
be synthesized or its state database not prepared (statedb.py: runs at once on one database
create schemas and workspaces one at a time). Commits are read from the simulator's counters; a
real appliance has no commit counter in its API, so its column says n/a.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from threading import Lock
from typing import Any, TextIO

import requests

from sps_fleet import initialized, selection
from sps_fleet.listing import listing, mismatch
from sps_fleet.plan_content import PlanContent
from sps_fleet.progress import Outcome, Progress, report, summary_table
from sps_fleet.statedb import PgBackend, StateDatabase, StateDatabaseError, StateDatabases, WaitedTooLong, pg_backend

PLAN_FILE, PLAN_TEXT = "sps-fleet.tfplan", "sps-fleet-plan.txt"
NO_CHANGES = (
    "No changes. Terraform's plan found nothing to add, change, destroy or import, no output to change, "
    "and nothing changed outside of Terraform.\n"
)


class FleetError(RuntimeError):
    """The fleet definition could not be synthesized or holds no stacks."""


def synthesize(app: Path, out: Path, only: Sequence[str] = ()) -> None:
    """Run the fleet file with cdktf's output in `out`, telling it the appliances wanted (`only`,
    empty: all; selection.py). cdktf rewrites manifest.json on every synth and leaves the other
    stacks' directories alone, so the manifest alone says what this synth built; it is removed
    first, so that a file that ends without `app.synth()` is an error, not an earlier run's stacks."""
    env = dict(os.environ, CDKTF_OUTDIR=str(out))
    env.pop(selection.ONLY, None)
    if only:
        env[selection.ONLY] = ",".join(only)
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
    manifest = out / "manifest.json"
    manifest.unlink(missing_ok=True)
    result = subprocess.run([sys.executable, str(app)], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise FleetError(f"synthesizing {app} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    if not manifest.is_file():
        raise FleetError(f"synthesizing {app} wrote no {manifest}: does it end with app.synth()?")


def manifest_stacks(out: Path) -> dict[str, Any]:
    """The stacks of cdktf's manifest.json, by name."""
    stacks: dict[str, Any] = json.loads((out / "manifest.json").read_text())["stacks"]
    return stacks


def synthesize_selected(app: Path, out: Path, only: Sequence[str]) -> list[Outcome]:
    """The stacks named in `only` (all when empty), synthesized with only those wanted. A name
    the selective synth did not build is not in the fleet, or the file asks `wanted` about other
    names than its stacks'; only the whole fleet tells which, so it is synthesized again without
    a selection (what an error costs) and judged as a file that does not ask would be."""
    synthesize(app, out, only)
    if not set(only) <= set(manifest_stacks(out)):
        synthesize(app, out)
    return stacks(out, only)


def stacks(out: Path, only: Sequence[str] = ()) -> list[Outcome]:
    """The synthesized stacks (cdktf's manifest.json) named in `only` (all when empty), each with
    its appliance's URL and CA."""
    manifest = manifest_stacks(out)
    unknown = set(only) - set(manifest)
    if unknown:
        raise FleetError(
            f"no stack named {', '.join(sorted(unknown))} in {out / 'manifest.json'} "
            f"(the fleet's stacks: {', '.join(sorted(manifest)) or 'none'})"
        )
    found = []
    for name, entry in manifest.items():
        if only and name not in only:
            continue
        workdir = out / entry["workingDirectory"]
        providers = json.loads((out / entry["synthesizedStackPath"]).read_text()).get("provider", {}).get("sps", [])
        first: dict[str, Any] = providers[0] if providers else {}
        found.append(Outcome(name, workdir, first.get("url"), first.get("ca_bundle")))
    if not found:
        raise FleetError(f"{out / 'manifest.json'} holds no stacks")
    return found


def simulator_commits(o: Outcome) -> int | None:
    """The appliance's commit counter if it is an SPS simulator started with --admin, else None."""
    if not o.url:
        return None
    try:
        resp = requests.get(f"{o.url}/_sim/stats", verify=o.ca or True, timeout=5, proxies={"https": "", "http": ""})
        return int(resp.json()["commits"]) if resp.status_code == 200 else None
    except (requests.RequestException, ValueError, KeyError):
        return None


class Deployment:
    """One stack: `prepare` (init, workspace) then `deploy` (plan/apply); updates its Outcome."""

    def __init__(
        self,
        o: Outcome,
        options: argparse.Namespace,
        progress: Progress,
        creating: Lock,
        database: StateDatabase | None,
        backend: PgBackend | None,
    ) -> None:
        self.o, self.command, self.lock_timeout, self.progress = o, options.command, options.lock_timeout, progress
        self.lock_file: Path | None = options.lock_file
        self.creating, self.database, self.backend = creating, database, backend
        self.env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
        self.log_path = o.workdir / f"sps-fleet-{self.command}.log"
        o.log = str(self.log_path)
        self.commits_before: int | None = None
        self.ready_at = 0.0

    def prepare(self) -> None:
        o = self.o
        o.started = time.monotonic()
        self.commits_before = simulator_commits(o)
        self.log_path.write_text("")
        if self.attempt(self.init_and_select):
            self.progress.update(o, "ready", "")
        self.ready_at = time.monotonic()

    def deploy(self) -> None:
        o = self.o
        o.waited = time.monotonic() - self.ready_at
        if not o.error:
            self.attempt(self.main_step)
            after = simulator_commits(o)
            o.commits = after - self.commits_before if self.commits_before is not None and after is not None else None
        o.finished = time.monotonic()
        self.progress.update(o, "failed" if o.error else "done", o.error.splitlines()[0] if o.error else "")

    def give_up(self, error: str) -> None:
        """Not deployed: another run kept the state database longer than --lock-timeout."""
        self.o.error = self.o.error or error
        self.o.finished = time.monotonic()
        self.progress.update(self.o, "failed", self.o.error.splitlines()[0])

    def attempt(self, work: Callable[[TextIO], object]) -> bool:
        with open(self.log_path, "a") as log:
            try:
                work(log)
            except _StepFailed as failed:
                self.o.error = failed.message
                return False
        return True

    def step(self, log: TextIO, phase: str, args: list[str]) -> str:
        self.progress.update(self.o, phase, "")
        log.write(f"$ terraform {' '.join(args)}\n")
        log.flush()
        result = subprocess.run(["terraform", *args], cwd=self.o.workdir, env=self.env, capture_output=True, text=True)
        log.write(result.stdout + result.stderr)
        if result.returncode != 0:
            raise _StepFailed(f"{phase}: {_first_error(result.stderr or result.stdout)}")
        return result.stdout

    def init_and_select(self, log: TextIO) -> None:
        workdir = self.o.workdir
        if self.lock_file:
            shutil.copyfile(self.lock_file, workdir / initialized.LOCK_FILE)
        if initialized.is_current(workdir, self.env):
            log.write("$ terraform init: skipped, nothing it acts on changed since the last init\n")
        else:
            initialized.forget(workdir, self.env)
            self.step(log, "init", ["init", "-input=false", "-no-color", f"-lock-timeout={self.lock_timeout}"])
            initialized.record(workdir, self.env)
        self.select_workspace(log)

    def select_workspace(self, log: TextIO) -> None:
        """The workspace named after the stack, created on first use. Not `default`: the pg backend
        creates a state's row on its first write and holds the database-wide creation lock until
        then, which would serialize every first apply in the database; `workspace new` writes it at
        once. Creations only try that lock (-lock-timeout does not apply), so they are made one at
        a time in this run and, under the state database's lock (statedb.py), in any other, and
        before any stack of this run plans or applies (see `deploy`)."""
        try:
            if self.has_workspace(log):
                self.select(log)
                return
            with self.creating, self.database.creating() if self.database else nullcontext():
                if self.has_workspace(log):
                    self.select(log)
                else:
                    new = ["workspace", "new", "-no-color", f"-lock-timeout={self.lock_timeout}", self.o.name]
                    self.step(log, "workspace", new)
        except StateDatabaseError as exc:
            raise _StepFailed(f"workspace: {exc}") from None

    def has_workspace(self, log: TextIO) -> bool:
        """Whether the stack's workspace exists: a query on this run's session when the state is in
        PostgreSQL (no Terraform start), else `terraform workspace list`."""
        if self.database is not None and self.backend is not None:
            return self.database.has_workspace(self.backend, self.o.name)
        listed = self.step(log, "workspace", ["workspace", "list", "-no-color"])
        return self.o.name in {line.strip().lstrip("* ").strip() for line in listed.splitlines()}

    def select(self, log: TextIO) -> None:
        """`workspace select`, unless Terraform has the workspace selected already."""
        if initialized.selected_workspace(self.o.workdir, self.env) != self.o.name:
            self.step(log, "workspace", ["workspace", "select", "-no-color", self.o.name])

    def main_step(self, log: TextIO) -> None:
        o = self.o
        args = [self.command, "-json", "-input=false", f"-lock-timeout={self.lock_timeout}"]
        args.append("-auto-approve" if self.command == "apply" else f"-out={PLAN_FILE}")
        self.progress.update(o, self.command, "planning")
        log.write(f"$ terraform {' '.join(args)}\n")
        proc = subprocess.Popen(
            ["terraform", *args],
            cwd=o.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert proc.stdout is not None
        errors: list[str] = []
        content = PlanContent()
        for line in proc.stdout:
            log.write(line)
            self.on_message(line, errors, content)
        if proc.wait() != 0 or errors:
            raise _StepFailed(
                f"{self.command}: " + ("; ".join(errors) if errors else f"terraform exited {proc.returncode}")
            )
        if self.command == "plan":
            text = o.workdir / PLAN_TEXT
            if content.empty:
                # `show` would start Terraform and a provider (for its schemas) to say only this
                log.write(f"$ terraform show: skipped, the plan is empty\n{NO_CHANGES}")
                text.write_text(NO_CHANGES)
            else:
                text.write_text(self.step(log, "show", ["show", "-no-color", PLAN_FILE]))
            (o.workdir / PLAN_FILE).unlink()  # it holds the configuration's values; the text masks secrets
            o.plan_text = str(text)

    def on_message(self, line: str, errors: list[str], content: PlanContent) -> None:
        o = self.o
        try:
            msg: dict[str, Any] = json.loads(line)
        except ValueError:
            return
        content.see(msg)
        kind = msg.get("type")
        hook: dict[str, Any] = msg.get("hook", {})
        if kind == "planned_change" and msg.get("change", {}).get("action") not in ("read", "noop"):
            o.total += 1
            self.progress.update(o, self.command, f"{o.total} change(s) planned")
        elif kind == "apply_complete" and hook.get("action") != "read":
            o.done += 1
            self.progress.update(o, self.command, f"{o.done}/{o.total} {hook.get('resource', {}).get('addr', '')}")
        elif kind == "change_summary":
            changes = msg.get("changes", {})
            o.added, o.changed, o.destroyed = changes.get("add", 0), changes.get("change", 0), changes.get("remove", 0)
        elif kind == "diagnostic" and msg.get("@level") == "error":
            diag = msg.get("diagnostic", {})
            errors.append(f"{diag.get('address', '')}: {diag.get('summary', '')}".lstrip(": "))


class _StepFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _first_error(output: str) -> str:
    lines = [ln.strip(" │╷╵") for ln in output.splitlines()]
    errors = [ln for ln in lines if ln.startswith("Error")]
    return (errors[0] if errors else next((ln for ln in lines if ln), "failed")).strip()


def backend_of(o: Outcome) -> PgBackend | None:
    """The stack's pg backend as synthesized, None when its state is kept elsewhere."""
    return pg_backend(json.loads((o.workdir / "cdk.tf.json").read_text()), os.environ)


def deploy(targets: list[Outcome], options: argparse.Namespace, stream: TextIO) -> list[Outcome]:
    """Create the stacks' state storage, prepare every stack, then plan/apply them, at most
    `parallel` at a time; failures are recorded, never raised. Preparing all first keeps workspace
    creations apart from lock attempts. Raises FleetError when the state database cannot be
    reached or prepared, before any stack is touched."""
    backends = {o.name: b for o in targets if (b := backend_of(o)) is not None}
    unnamed = [name for name, backend in backends.items() if not backend.conn and not os.environ.get("PGHOST")]
    if unnamed:
        raise FleetError(
            f"{', '.join(unnamed)}: the state is kept in PostgreSQL, but PG_CONN_STR is not set (Terraform would "
            'try 127.0.0.1:5432). The project\'s own cluster: `sps-pg start` then `eval "$(sps-pg env)"`; '
            "another database: export PG_CONN_STR=postgres://USER@HOST:PORT/DATABASE (password in PGPASSWORD)"
        )
    progress, creating = Progress(targets, stream), Lock()
    try:
        with StateDatabases(list(backends.values()), options.lock_timeout) as databases:
            databases.create_storage()
            database = {name: databases.of(backend) for name, backend in backends.items()}
            runs = [
                Deployment(o, options, progress, creating, database.get(o.name), backends.get(o.name)) for o in targets
            ]
            with progress, ThreadPoolExecutor(max_workers=options.parallel) as pool:
                list(pool.map(Deployment.prepare, runs))
                try:
                    with databases.deploying():
                        list(pool.map(Deployment.deploy, runs))
                except WaitedTooLong as exc:
                    for run in runs:
                        run.give_up(f"{options.command}: {exc}")
    except StateDatabaseError as exc:
        raise FleetError(str(exc)) from None
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sps-fleet", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("command", choices=["plan", "apply", "list"], help="list: the appliances only (no terraform)")
    parser.add_argument("--app", type=Path, default=Path("stacks/fleet.py"), help="the fleet definition (Python)")
    parser.add_argument("--out", type=Path, default=Path("cdktf.out"), help="synthesis directory")
    parser.add_argument("--parallel", type=int, default=4, help="appliances deployed at once (default 4)")
    parser.add_argument("--only", default="", help="comma-separated stack names (default: all)")
    parser.add_argument("--lock-timeout", default="120s", help="how long to retry a busy state lock")
    parser.add_argument("--report", type=Path, help="write the outcome per appliance as JSON (times in UTC)")
    parser.add_argument("--show-diff", action="store_true", help="plan: print each appliance's plan text")
    parser.add_argument("--json", action="store_true", help="list: one line of JSON, [{name, url, ca_bundle}]")
    parser.add_argument("--expect", help="list: exit 1 unless the appliances are exactly these (comma-separated)")
    parser.add_argument(
        "--lock-file",
        type=Path,
        help="the committed .terraform.lock.hcl every stack's init verifies the provider against",
    )
    args = parser.parse_args(argv)
    if args.parallel < 1:
        parser.error("--parallel must be at least 1")
    if args.show_diff and args.command != "plan":
        parser.error("--show-diff is for plan")
    out = args.out.resolve()
    only = selection.names(args.only)
    try:
        if args.command == "list":  # the whole fleet, whatever the environment selects
            synthesize(args.app, out)
            targets = stacks(out, only)
        else:
            targets = synthesize_selected(args.app, out, only)
    except FleetError as exc:
        print(f"sps-fleet: {exc}", file=sys.stderr)
        return 2
    if args.command == "list":
        listing(targets, args.json, sys.stdout)
        problem = mismatch(targets, args.expect) if args.expect is not None else None
        if problem:
            print(f"sps-fleet: {problem}", file=sys.stderr)
        return 1 if problem else 0
    started = time.monotonic()
    try:
        outcomes = deploy(targets, args, sys.stdout)
    except FleetError as exc:
        print(f"sps-fleet: {exc}", file=sys.stderr)
        return 2
    wall = time.monotonic() - started
    for o in outcomes:
        if o.plan_text and args.show_diff:
            print(f"==> {o.name}: {o.plan_text}\n{Path(o.plan_text).read_text().rstrip()}\n")
        elif o.plan_text:
            print(f"{o.name}: plan text in {o.plan_text}")
    print(summary_table(outcomes, args.command, wall), flush=True)
    if args.report:
        args.report.write_text(json.dumps(report(outcomes), indent=2))
    failed = [o.name for o in outcomes if o.error]
    if failed:
        print(f"sps-fleet: {len(failed)} of {len(outcomes)} appliance(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
