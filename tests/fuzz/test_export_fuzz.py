"""`sps-export` by property (issue 24): whatever text an appliance holds, both exports parse, the
first plan only imports (`0 to change`: every string reads back exactly), and nothing outside the
output folder is read.

One example is one simulator (its firmware string ending in hostile text) populated with every
managed type's examples, then every string-valued field of every object (names, free text,
certificates, the unmodelled fields of the types that keep them, as `extra_json` keys and
values) rewritten with hypothesis's hostile strings: quotes, backslashes, newlines, `${`, `%{`,
`$${`, `\"\"\"`, CDKTF token markers, non-BMP and invisible characters, Python keywords and the
names the generated files define; then one export of both formats and one terraform run each.
A canary file outside the output folder is named in `file()` calls; its content must appear
nowhere (plan output, state).

Left out, with why: lone surrogates (the simulator refuses them, 400). Unmodelled fields hold text
in any Unicode normalization and numbers of any size: Terraform holds strings in NFC and numbers
to 512 bits, and the provider compares as Terraform holds them (sps_catalog.equivalence; this
test found the exact comparison planning changes). The export writes floats beyond 2**53 as exact
integers, which CDKTF cannot take for its number tokens (tests/unit/test_export_escaping.py).
Every opaque endpoint holds content too (`populate_opaque`), and each of its objects gets a
hostile key holding hostile values at any depth, so the export's `sps_object` / `sps_settings`
bodies are fuzzed through the same plan. A second, cheaper property test evaluates generic bodies
with Terraform alone (no provider) and compares what Terraform evaluates with `equivalent`.
`make test` runs one example (ten of the generic bodies); `make fuzz` SPS_FUZZ_SCALE // 30 (ten times that).
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from sps_catalog import load_catalog
from sps_catalog.endpoints import Endpoint, Endpoints, load_endpoints
from sps_catalog.equivalence import by_nfc, equivalent, nfc
from sps_catalog.firmware import DEFAULT_FIRMWARE
from sps_catalog.walk import leaves
from sps_export.hcl import generic_block
from sps_export.python import literal
from sps_export.reader import ApplianceRead
from sps_export.selection import RESERVED, select
from sps_export.tree import BodyObject, EndpointRead, TreeRead
from sps_harness import Terraform, start_simulator
from sps_harness.populate import populate, populate_opaque
from tests.support.firmware import firmware_for
from tests.support.fuzzing import SCALE, count

CATALOG = load_catalog()
ENDPOINTS = load_endpoints()
BIN = Path(sys.executable).parent
FIRMWARE = firmware_for(CATALOG.managed)
VERSION = FIRMWARE[1] if FIRMWARE else DEFAULT_FIRMWARE
CREDENTIALS = {"SPS_USERNAME": "admin", "SPS_PASSWORD": "admin"}
EXAMPLES = SCALE // 30 or 1
PIECES = [
    '"',
    "\\",
    "\n",
    "\r\n",
    "\t",
    '"""',
    "'''",
    "${",
    "%{",
    "$${",
    "%%{",
    "$",
    "}",
    "${path.cwd}",
    "%{ for x in [1] }x%{ endfor }",
    "${TfToken[TOKEN.0]}",
    "#{TfToken[TOKEN.1]}",
    "x-8.109562212591379e+298",
    "😀",
    "\U0010fffd",
    "\u202e",
    "\u2028",
    "\x00",
    "\x7f",
    "e\u0301",
    "#",
    "*/",
    "<<EOT",
]
"""Fragments that mean something to HCL, JSON, Python, CDKTF or a terminal."""
NAMES = sorted(
    {
        *(n for n in RESERVED if n.isidentifier()),
        *("tf_ldap_full_bind_password", "builtin_audit_policy_default", "for", "null", "true", "None", "self"),
        *("ops😀", "App", "TerraformStack", "Appliance", "AuditPolicy"),
    }
)
"""Whole names: keywords, builtins, and every identifier the generated files define themselves."""


def hostile(canary: Path) -> st.SearchStrategy[str]:
    """Hostile text; its simplest draw (hypothesis's first, derandomized example) is every piece at once."""
    reads = [
        f'${{file("{canary}")}}',
        f'${{trimspace(file("{canary}"))}}',
        f'%{{ if fileexists("{canary}") }}y%{{ endif }}',
    ]
    everything = "".join(PIECES + reads)
    free = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=6)
    joined = st.lists(st.one_of(st.sampled_from(PIECES + reads), free), min_size=1, max_size=4).map("".join)
    return st.one_of(st.sampled_from([everything, *reads, *NAMES]), joined)


def _set(body: Any, path: tuple[str | int, ...], value: Any) -> None:
    for step in path[:-1]:
        body = body[step]
    body[path[-1]] = value


def _fits(fmt: str | None, text: str) -> str:
    """`text` made acceptable to the field's format (names hold no whitespace)."""
    if fmt == "no_whitespace":
        return re.sub(r"\s", "_", text) or "_"
    return text if text.strip() else f"x{text}"


JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False))


def _distinct_in_nfc(obj: dict[str, Any]) -> bool:
    """No two keys are one string to Terraform (which holds keys in NFC): no configuration could
    write such an object, and no appliance answer holds one (JSON objects name a field once)."""
    return len(by_nfc(obj)) == len(obj)


def generic_value(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """A JSON value whose object keys and strings are `text`, nested in objects and lists."""
    return st.recursive(
        st.one_of(JSON_LEAF, text),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3).filter(_distinct_in_nfc)
        ),
        max_leaves=8,
    )


def generic_body(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A generic body whose keys and string values are hostile text."""
    return st.dictionaries(text, generic_value(text), min_size=1, max_size=4).filter(_distinct_in_nfc)


def rewrite(sim_session: Any, url: str, made: dict[str, str], data: st.DataObject, canary: Path) -> int:
    """Every string field of every populated object rewritten with hostile text; returns how many."""
    strings = hostile(canary)
    rewritten = 0
    names: dict[str, set[str]] = {}
    # every other name is one the generated files define (in order in the first, derandomized example)
    defined = iter(data.draw(st.permutations(NAMES), label="defined names") * 2)
    call = lambda method, path, body=None: sim_session.request(method, url + path, json=body)  # noqa: E731
    assert call("POST", "/api/transaction").status_code == 200
    for ref, key in made.items():
        t = CATALOG[ref.split("/")[0]]
        path = t.api_path if t.is_singleton else f"{t.api_path}/{key}"
        body = call("GET", path).json()["body"]
        for where, spec, value in leaves(t.root, body):
            if spec.type == "reference" and isinstance(value, dict):
                _set(body, where, value["key"])  # the answer's {key, meta} is written back as the key
                continue
            if spec.type != "string" or spec.enum or not isinstance(value, str):
                continue
            if spec.format not in (None, "no_whitespace", "filled"):
                continue
            is_name = where == (t.name_field,)
            text = _fits(spec.format, next(defined) if is_name and rewritten % 2 else data.draw(strings))
            if is_name:
                taken = names.setdefault(t.terraform_name, set())
                while text in taken:
                    text += "_"
                taken.add(text)
            _set(body, where, text)
            rewritten += 1
        if t.partly_documented:
            field_names = {f.name for f in t.fields}
            extra_key = data.draw(strings)
            if nfc(extra_key) not in field_names:
                numbers = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False))
                body[extra_key] = {data.draw(strings): [data.draw(strings)], "n": data.draw(numbers)}
                rewritten += 1
        answer = call("PUT", path, body)
        assert answer.status_code == 200, f"{ref}: {answer.status_code} {answer.text[:300]}"
    assert call("PUT", "/api/transaction", {"status": "commit"}).status_code == 200
    return rewritten


def rewrite_generic(sim_session: Any, url: str, data: st.DataObject, canary: Path) -> int:
    """Every object of every opaque endpoint REST writes gets a hostile key holding hostile values
    at any depth (a string singleton hostile text, a list singleton one more such value); the
    fields it has stay (the simulator checks some, e.g. local users' names). Returns how many."""
    text = hostile(canary)
    call = lambda method, path, body=None: sim_session.request(method, url + path, json=body)  # noqa: E731
    assert call("POST", "/api/transaction").status_code == 200
    rewritten = 0
    for e in ENDPOINTS.on(VERSION):
        if not e.is_opaque or e.is_write_once or e.write_only or not e.writable_on(VERSION):
            continue
        builtins = {b.key for b in e.builtins}
        if e.is_singleton:
            objects = {e.api_path: call("GET", e.api_path).json()["body"]}
        else:
            listed = call("GET", e.api_path).json()["items"]
            objects = {f"{e.api_path}/{i['key']}": i["body"] for i in listed if i["key"] not in builtins}
        for path, body in objects.items():
            value = data.draw(generic_value(text), label=path)
            if isinstance(body, dict):
                key = data.draw(text.filter(lambda k, b=body: _distinct_in_nfc({**b, k: None})), label=f"{path} key")
                body = {**body, key: value}
            elif isinstance(body, list):
                body = [*body, value]
            else:
                body = data.draw(text, label=path)
            answer = call("PUT", path, body)
            assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
            rewritten += 1
    assert call("PUT", "/api/transaction", {"status": "commit"}).status_code == 200
    return rewritten


def secret_values(variables: dict[str, Any] | list[str]) -> dict[str, str]:
    """A value for each secret variable: adopting sends none of them (no `*_wo_version` is set)."""
    return {f"TF_VAR_{name}": "unused-secret" for name in variables}


def plan_imports_only(tf: Terraform, imports: int, canary_text: str) -> None:
    """validate, then the first plan adopts exactly `imports` objects and changes nothing; apply;
    the canary's content is in neither the output nor the state."""
    tf.init()
    tf.run("validate", "-no-color")
    plan = tf.run("plan", "-no-color", "-input=false")
    assert f"Plan: {imports} to import, 0 to add, 0 to change, 0 to destroy" in plan.stdout, plan.stdout[-4000:]
    applied = tf.apply()
    state = tf.run("state", "pull").stdout
    for text in (plan.stdout, plan.stderr, applied.stdout, applied.stderr, state):
        assert canary_text not in text


@pytest.mark.usefixtures("provider_mirror")
@settings(max_examples=EXAMPLES, phases=[Phase.explicit, Phase.reuse, Phase.generate])  # shrinking: minutes each
@given(data=st.data())
def test_any_appliance_text_exports_as_text(data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("export-fuzz")
    canary_text = f"CANARY-{secrets.token_hex(8)}"
    canary = work / "canary.txt"
    canary.write_text(canary_text)
    suffix = data.draw(hostile(canary).filter(lambda s: "\x00" not in s), label="firmware suffix")
    sim = start_simulator(work / "sim", "--firmware", VERSION + suffix)
    try:
        session = sim.session()
        populated = populate(CATALOG, session, sim.url, VERSION)
        populate_opaque(populated, ENDPOINTS, VERSION)
        count("export: strings rewritten", rewrite(session, sim.url, populated.made, data, canary))
        generic = rewrite_generic(session, sim.url, data, canary)
        assert generic > 0, "every opaque endpoint holds an object"
        count("export: generic bodies rewritten", generic)
        out = work / "out"
        result = subprocess.run(
            [str(BIN / "sps-export"), "--url", sim.url, "--ca-bundle", str(sim.ca), "--out", str(out)],
            env={**os.environ, **CREDENTIALS},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        hcl, py = out / "hcl", out / "python"
        imports = (hcl / "imports.tf").read_text().count("\nimport {") + (hcl / "imports.tf").read_text().startswith(
            "import {"
        )
        subprocess.run(["terraform", "fmt", "-check", str(hcl)], check=True, capture_output=True)
        declared = re.findall(r'^variable "(\w+)"', (hcl / "variables.tf").read_text(), re.M)
        plan_imports_only(Terraform(hcl, env={**CREDENTIALS, **secret_values(declared)}), imports, canary_text)
        main = (py / "main.py").read_text()
        compile(main, "main.py", "exec")
        ruff = subprocess.run([str(BIN / "ruff"), "check", "main.py"], cwd=py, capture_output=True, text=True)
        assert ruff.returncode == 0, ruff.stdout
        env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "18,20"}
        subprocess.run([sys.executable, "main.py"], cwd=py, env=env, check=True, capture_output=True, text=True)
        stack = py / "cdktf.out" / "stacks" / "sps"
        synthesized = json.loads((stack / "cdk.tf.json").read_text())
        assert len(synthesized["import"]) == imports
        env = {**CREDENTIALS, **secret_values(synthesized.get("variable", {}))}
        plan_imports_only(Terraform(stack, env=env), imports, canary_text)
        count("export: examples")
    finally:
        sim.stop()


@settings(max_examples=EXAMPLES * 10, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_generic_bodies_read_back_as_the_appliance_holds_them(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Whatever keys and values a generic body holds, both formats' body text is, as Terraform
    evaluates it, the body itself: the HCL `jsonencode(...)` the export writes, and the JSON text
    `SpsObject` synthesizes from the Python dict literal (sorted keys, written into `cdk.tf.json`,
    where Terraform reads every string as a template). Terraform alone evaluates both; the provider
    is not needed. A canary file named in `file()` calls is read nowhere."""
    work = tmp_path_factory.mktemp("generic-fuzz")
    canary_text = f"CANARY-{secrets.token_hex(8)}"
    canary = work / "canary.txt"
    canary.write_text(canary_text)
    text = hostile(canary).filter(lambda s: "\x00" not in s)
    body = data.draw(generic_body(text), label="body")
    e = Endpoint(path="policies/fuzzed", kind="collection", description="fuzz")
    walked = TreeRead(
        "https://sps.example",
        VERSION,
        [EndpointRead(e, True, objects=[BodyObject(e, "k1", body)])],
        catalog=Endpoints({**ENDPOINTS.by_path, e.path: e}),
    )
    export = select(CATALOG, ApplianceRead(walked.url, walked.firmware, []), walked=walked)
    (g,) = export.generic
    block = generic_block(export, g)
    hcl_locals = "locals" + block[block.index(" {") :]
    dict_literal = literal(g.body, 1)
    py_text = json.dumps(ast.literal_eval(dict_literal), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    config = work / "config"
    config.mkdir()
    (config / "main.tf").write_text(hcl_locals + 'output "hcl" {\n  value = local.body\n}\n')
    (config / "python.tf.json").write_text(
        json.dumps({"locals": {"py": py_text}, "output": {"py": {"value": "${local.py}"}}})
    )
    tf = Terraform(config)
    tf.init()
    applied = tf.run("apply", "-auto-approve", "-input=false", "-no-color")
    outputs = json.loads(tf.run("output", "-json").stdout)
    assert equivalent(json.loads(outputs["hcl"]["value"]), body), block
    assert equivalent(json.loads(outputs["py"]["value"]), body), dict_literal
    assert canary_text not in applied.stdout + json.dumps(outputs)
    count("export: generic bodies")
