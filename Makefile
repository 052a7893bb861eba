# Everything a fresh machine (Python 3.11, Node 20, Terraform >= 1.11) needs: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 18,20
export CHECKPOINT_DISABLE := 1
export TF_IN_AUTOMATION := 1
# The real interpreter behind the venv for the provider package's launcher (a pyenv shim costs ~60 ms a start).
export SPS_PROVIDER_PYTHON ?= $(realpath $(VENV)/bin/python)

.PHONY: all install provider lock relock dist synth demo fleet-demo postgres bench bench-targets bench-quick bench-simulator bench-scale bench-tf-profile bench-tf-state bench-schema bench-export fuzz audit test test-fast lint pytest generate check-generated clean

all: demo

# Installed from requirements.lock only, every file hash-checked (docs/adr/0018): a registry release
# changes nothing until `make relock`. The project itself goes in without build isolation (the
# lock's setuptools builds it) and is made visible to type checkers by sps_as_code_src.pth.
$(VENV)/.installed: pyproject.toml setup.py requirements.lock constructs/sps_constructs_node.pth
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps --only-binary :all: -r requirements.lock
	# -qq: setuptools notes that an editable install of this layout uses an import hook (which the
	# .pth below makes unused); the same configuration's warnings fail `make dist` (sps_harness.wheel).
	$(PY) -m pip install -qq --no-deps --no-build-isolation -e .
	$(PY) -m sps_harness.devinstall
	touch $@

install: $(VENV)/.installed provider node_modules/.installed

# cdktf-cli, so `cdktf synth` works with cdktf.json (Python stacks also synth with plain python).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Always checked (a build ID over the inputs): the mirror must hold the current code. The package is
# the one `make dist` zips (docs/adr/0008), so the committed lock files verify it in every clone.
provider: $(VENV)/.installed
	$(VENV)/bin/sps-provider-install --mirror .mirror --tfrc sps.tfrc

# The committed .terraform.lock.hcl files (examples/hcl, the demo, the fleet, sps-init's template),
# rewritten from the current package: commit them with the provider change that altered them (a test
# fails while they are stale). Nothing else writes them: `make demo` and `make test` only verify.
LOCKED := examples/hcl/.terraform.lock.hcl stacks/demo.terraform.lock.hcl stacks/fleet.terraform.lock.hcl tools/sps_init/template/terraform.lock.hcl
lock: provider
	rm -f examples/hcl/.terraform.lock.hcl
	cd examples/hcl && TF_CLI_CONFIG_FILE=$(CURDIR)/sps.tfrc terraform providers lock \
		-fs-mirror=$(CURDIR)/.mirror -platform=$$($(CURDIR)/$(PY) -m sps_provider.package --os-arch)
	for f in $(filter-out examples/hcl/.terraform.lock.hcl,$(LOCKED)); do cp examples/hcl/.terraform.lock.hcl $$f; done

# The one way Python dependency versions change (docs/adr/0018): uv resolves pyproject.toml into
# requirements.lock (and requirements-cdktn.lock, the cdktn extra alone), exact versions with every
# file's hash; sps-init's runtime part of it, the virtualenv and the Terraform lock files follow.
# `make relock UPGRADE=` keeps every pin that still fits (after adding or dropping a dependency).
UPGRADE ?= --upgrade
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make relock" $(UPGRADE)
relock: $(VENV)/.installed
	$(UV_COMPILE) pyproject.toml --extra dev -o requirements.lock
	$(PY) -m sps_harness.locks cdktn | $(UV_COMPILE) - -o requirements-cdktn.lock
	$(PY) -m sps_harness.locks runtime
	$(MAKE) lock

# The registry archive terraform-provider-sps_<version>_<os>_<arch>.zip and its SHA256SUMS, and the
# wheel sps_as_code-<version>-py3-none-any.whl: byte-identical for the same commit on any machine of the
# platform, as both are built from the lock. Install them: README "Working from your own repository".
dist: $(VENV)/.installed
	$(VENV)/bin/sps-provider-dist --out dist
	$(PY) -m sps_harness.wheel --out dist

synth: install
	TF_CLI_CONFIG_FILE=$(CURDIR)/sps.tfrc node_modules/.bin/cdktf synth

demo: install
	$(PY) stacks/run_demo.py

# Debian's PostgreSQL binaries (apt-get, as root, when missing) for the pg backend; the cluster is
# the project's own (sps-pg start|stop|status|env, state in .state/pg), never the system service.
postgres:
	tools/install-postgres.sh

# stacks/fleet.py on 8 simulators with state in the project's PostgreSQL; a second run changes nothing.
fleet-demo: install postgres
	$(PY) stacks/run_fleet_demo.py

test: install postgres lint pytest

# The inner loop: the unit and contract tests (simulators, the provider's servicer in process; no
# terraform run, no PostgreSQL), about 2 min on an idle 2-core machine. `make test` is the whole suite.
test-fast: $(VENV)/.installed
	$(PY) -m pytest -n 4 -o console_output_style=count -q tests/unit tests/contract

# Says up front how long the last complete run took here (.test-seconds), and shows progress.
pytest: install
	@if [ -f .test-seconds ]; then echo "pytest: the last complete run here took $$(cat .test-seconds) s"; \
	else echo "pytest: usually about 9 min on an idle 2-core machine (much longer under load)"; fi
	@start=$$(date +%s); $(PY) -m pytest -n 4 -o console_output_style=count -q \
		&& echo $$(( $$(date +%s) - start )) > .test-seconds

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Benchmarks against simulators it starts itself: docs/performance.md (+ plots, raw samples).
# `make bench-quick` (or `make bench ARGS=--quick`) runs a subset in under 3 minutes into bench/out/.
# `make bench` also measures the scale and cost targets (issue 18, `make bench-targets`).
bench: install
	$(PY) bench/run.py $(ARGS)
	$(PY) bench/targets.py

# The scale and cost targets in one run (bench/targets.py): simulator, crash tests, start-up, no-op
# plan CPU, group commit under load, schema cost, scale; rendered into docs/performance.md.
bench-targets: install
	$(PY) bench/targets.py $(ARGS)

# Apply, no-op plan and provider RSS at N objects (commit 0 s) against terraform_data: CPU, not only wall time.
bench-scale: install
	$(PY) bench/scale.py --n $(or $(N),1000 3000) --json bench/out/scale.json

# Where Terraform itself spends its CPU as one state grows (perf, symbolized from the binary's own
# .gopclntab) and what users can change (backend, TF_STATE_PERSIST_INTERVAL, -parallelism, split
# states): docs/scaling.md. tools/install-perf.sh installs Debian's linux-perf when missing.
bench-tf-profile: install postgres
	tools/install-perf.sh
	$(PY) bench/tf_profile.py --n $(or $(N),1000 2000) --backend local pg --json bench/out/tf_profile.json \
		--markdown bench/out/tf_profile.md
	$(PY) bench/tf_profile.py --n $(or $(N),1000 2000) --variants ours --backend local pg --json bench/out/tf_profile_ours.json \
		--markdown bench/out/tf_profile_ours.md

bench-tf-state: install postgres
	$(PY) bench/tf_state.py --n 1000 --cases local local-persist-3600 local-p1 local-p50 pg pg-persist-3600 --json bench/out/tf_state_1000.json
	$(PY) bench/tf_state.py --n 2000 --cases local pg pg-persist-3600 local-split2 pg-split2 --json bench/out/tf_state_2000.json
	$(PY) bench/tf_state.py --n 10000 --cases pg --json bench/out/tf_state_10000.json

# Terraform's own CPU per resource for the schema as served and for alternatives (docs/adr/0015).
bench-schema: install
	$(PY) bench/schema_cost.py --n 1000 --reps 3 --json bench/out/schema_cost.json

bench-quick: install
	$(PY) bench/run.py --quick

# The simulator's cost per transaction at 1,000 and 10,000 objects (docs/performance.md).
bench-simulator: install
	$(PY) bench/simulator_tx.py --n 1000 10000

# sps-export of a simulator holding 1,000 objects (docs/export.md; target: under 10 s).
bench-export: install
	$(PY) bench/export.py --objects 1000 --reps 3

# Property-based fuzzing at scale (>= 10,000 cases); counts -> docs/reliability.md.
fuzz: install
	rm -f .fuzz-counts.json
	SPS_FUZZ_SCALE=300 SPS_FUZZ_COUNTS=$(CURDIR)/.fuzz-counts.json $(PY) -m pytest -q -p no:xdist tests/fuzz
	$(PY) tests/fuzz/report.py .fuzz-counts.json docs/reliability.md

# Known vulnerabilities in the installed dependency set. Fails (exit 2) unless every package was
# audited, so it is not part of `make test`: the vulnerability service (PyPI's JSON API, or osv.dev
# with ARGS="-s osv") is not reachable from every machine. Run it in CI where it is.
audit: $(VENV)/.installed
	$(PY) tools/audit.py $(ARGS)

generate: $(VENV)/.installed
	$(VENV)/bin/sps-generate
	$(PY) -m sps_provider.protocol.stubs
	$(PY) -m sps_provider.served_schema
	$(PY) -m sps_docs

check-generated: $(VENV)/.installed
	$(VENV)/bin/sps-generate --check
	$(PY) -m sps_provider.protocol.stubs --check
	$(PY) -m sps_provider.served_schema --check
	$(PY) -m sps_docs --check

clean:
	rm -rf $(VENV) node_modules .mirror dist sps.tfrc cdktf.out .state .pytest_cache .mypy_cache .ruff_cache .test-seconds
