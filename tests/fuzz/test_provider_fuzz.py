"""Random invalid configurations through the real `terraform`: never a crash or a plugin error,
and every broken resource gets an error that names its address and the attribute.

Each hypothesis example is one configuration of many resources, each broken in one place,
written as `main.tf.json` so any value can be expressed. Mistakes the catalog's own validation
sees go through one `terraform plan -json`; references to objects that do not exist, or that are
of another type, only the appliance can see, so those go through `terraform apply`, which must
fail them all and leave the appliance unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from sps_catalog import TypeDef
from sps_harness import RunningSimulator, Terraform
from tests.support.catalog_cases import (
    REFERENCE_KINDS,
    Mutation,
    apply_mutation,
    base_attrs,
    fuzzable_types,
    has_reference,
    invalid_mutation,
    is_invalid,
)
from tests.support.fuzzing import SCALE, count

TYPES = [t for t in fuzzable_types() if not t.is_singleton]  # one singleton object cannot be many resources
REFERRING_TYPES = [t for t in TYPES if has_reference(t)]
PER_CONFIG = 100 if SCALE else 25
CRASH_MARKS = ("plugin did not respond", "plugin crashed", "panic:", "rpc error", "request cancelled",
               "plugin exited")  # fmt: skip


@st.composite
def broken_resource(draw: st.DrawFn) -> tuple[TypeDef, Mutation, dict[str, Any]]:
    t = draw(st.sampled_from(TYPES))
    attrs = base_attrs(t)
    m = draw(invalid_mutation(t, attrs).filter(lambda m: m.kind != "extra_field"))
    return t, m, apply_mutation(attrs, m)


@st.composite
def broken_reference(draw: st.DrawFn) -> tuple[TypeDef, Mutation, dict[str, Any]]:
    t = draw(st.sampled_from(REFERRING_TYPES))
    attrs = base_attrs(t)
    m = draw(invalid_mutation(t, attrs, kinds=REFERENCE_KINDS))
    return t, m, apply_mutation(attrs, m)


def escape(v: Any) -> Any:
    """JSON syntax interpolates `${...}` in strings; fuzzed strings must stay literal."""
    if isinstance(v, str):
        return v.replace("${", "$${").replace("%{", "%%{")
    if isinstance(v, dict):
        return {escape(k): escape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [escape(x) for x in v]
    return v


def diagnostics(result_stdout: str) -> list[dict[str, Any]]:
    out = []
    for line in result_stdout.splitlines():
        if line.startswith("{"):
            msg = json.loads(line)
            if msg.get("type") == "diagnostic":
                out.append(msg["diagnostic"])
    return out


def names_resource(d: dict[str, Any], t: TypeDef, label: str) -> bool:
    address = f"{t.resource_type}.{label}"
    context = (d.get("snippet") or {}).get("context") or ""
    return d.get("address") == address or context == f'resource "{t.resource_type}" "{label}"' or address in context


def names_attribute(d: dict[str, Any], m: Mutation) -> bool:
    top = str(m.path[0])
    text = " ".join(str(d.get(k, "")) for k in ("summary", "detail"))
    code = (d.get("snippet") or {}).get("code") or ""
    return m.dotted() in text or f'"{top}"' in code or top in text


def workdir(sim: RunningSimulator, tmp_path: Path) -> tuple[Terraform, dict[str, Any]]:
    """An initialized working directory and the head (terraform and provider blocks) of its configs."""
    work = tmp_path / "tf"
    work.mkdir()
    tf = Terraform(work)
    provider = {"url": sim.url, "username": "admin", "password": "admin", "ca_bundle": sim.ca}
    head = {"terraform": {"required_providers": {"sps": {"source": "oneidentity/sps"}}}, "provider": {"sps": provider}}
    (work / "main.tf.json").write_text(json.dumps(head))
    tf.init()
    return tf, head


def write_config(tf: Terraform, head: dict[str, Any], cases: list[tuple[TypeDef, Mutation, dict[str, Any]]]) -> None:
    resources: dict[str, dict[str, Any]] = {}
    for i, (t, _, attrs) in enumerate(cases):
        resources.setdefault(t.resource_type, {})[f"r{i}"] = escape(attrs)
    (tf.workdir / "main.tf.json").write_text(json.dumps({**head, "resource": resources}))


def assert_named(diags: list[dict[str, Any]], broken: list[tuple[int, TypeDef, Mutation]]) -> None:
    for i, t, m in broken:
        mine = [d for d in diags if names_resource(d, t, f"r{i}")]
        assert mine, f"no error names {t.resource_type}.r{i} (broken at {m.dotted()} by {m.kind}: {m.value!r})"
        assert any(names_attribute(d, m) for d in mine), (
            f"{t.resource_type}.r{i}: broken at {m.dotted()} ({m.kind}), but the errors say: "
            + " | ".join(f"{d['summary']}: {d.get('detail', '')}" for d in mine)
        )


def failing_run(tf: Terraform, *args: str) -> list[dict[str, Any]]:
    """Run terraform on a config that must fail, without a crash; its error diagnostics."""
    result = tf.run(*args, "-json", "-input=false", "-no-color", check=False)
    everything = (result.stdout + result.stderr).lower()
    assert not any(mark in everything for mark in CRASH_MARKS), result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 1, result.stdout[-2000:]
    return [d for d in diagnostics(result.stdout) if d.get("severity") == "error"]


def test_invalid_configurations_get_named_diagnostics(
    sim: RunningSimulator, provider_mirror: Path, tmp_path: Path
) -> None:
    tf, head = workdir(sim, tmp_path)
    before = sim.committed()

    # each example is one terraform run of PER_CONFIG cases; shrinking 100-resource configs is too slow
    @settings(max_examples=SCALE // 5 if SCALE else 2, phases=[Phase.explicit, Phase.generate])
    @given(st.lists(broken_resource(), min_size=PER_CONFIG, max_size=PER_CONFIG))
    def run(cases: list[tuple[TypeDef, Mutation, dict[str, Any]]]) -> None:
        write_config(tf, head, cases)
        broken = [(i, t, m) for i, (t, m, attrs) in enumerate(cases) if is_invalid(t, m, attrs)]
        count("provider: invalid resources through terraform plan", len(broken))
        assert_named(failing_run(tf, "plan"), broken)

    run()
    assert sim.committed() == before


def test_broken_references_fail_the_apply_at_its_plan_and_change_nothing(
    sim: RunningSimulator, provider_mirror: Path, tmp_path: Path
) -> None:
    """`terraform apply` of references to keys the appliance lacks: the plan's read-only lookups
    (engine/lookups.py) refuse every one, naming resource and attribute, before any transaction."""
    tf, head = workdir(sim, tmp_path)
    before = sim.committed()

    @settings(max_examples=SCALE // 10 if SCALE else 2, phases=[Phase.explicit, Phase.generate])
    @given(st.lists(broken_reference(), min_size=10, max_size=10))
    def run(cases: list[tuple[TypeDef, Mutation, dict[str, Any]]]) -> None:
        write_config(tf, head, cases)
        count("provider: broken references through terraform apply", len(cases))
        assert_named(failing_run(tf, "apply", "-auto-approve"), [(i, t, m) for i, (t, m, _) in enumerate(cases)])
        assert sim.committed() == before
        assert not tf.resources()
        stats = sim.stats()
        assert stats["open_transactions"] == 0 and not stats["lock_held"], stats

    run()
