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

# Oldest and newest runtime pins we prove in `make test-compat`: Python, protobuf, grpcio.
COMPAT_OLDEST := 3.10 protobuf==5.26.1 grpcio==1.62.3
COMPAT_NEWEST := 3.13 protobuf==7.36.2 grpcio==1.85.3

.DEFAULT_GOAL := help
.PHONY: help dev protos regen gen-check lint format mypy verifytypes docs test test-compat bench bench-peers demo check clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

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

docs: $(STAMP)  ## Build the documentation site (strict: warnings are errors) into build/site
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: $(STAMP)  ## Run the whole test suite (real etcd processes, started by the tests)
	$(BIN)/pytest $(PYTEST_ARGS)

test-compat: $(STAMP)  ## Run the suite at the oldest and newest supported Python/protobuf/grpcio
	bash tools/compat.sh $(COMPAT_OLDEST)
	bash tools/compat.sh $(COMPAT_NEWEST)

# BENCH_ARGS=--quick for a short development run; see docs/guide/performance.md.
BENCH_ARGS ?=

bench: $(STAMP)  ## Benchmarks against raw grpc (table, 10k watches, import); bench/results/latest.*
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-peers: $(STAMP)  ## The same table for the other Python etcd clients (own venvs); updates the docs
	$(BIN)/python -m bench.peers $(BENCH_ARGS)

demo: $(STAMP)  ## Start an embedded etcd and walk through the client
	$(BIN)/python examples/demo.py

# MODULES=_paging,_retry mutates only those modules (names as in tools/mutation/config.py);
# MUTATE_SINCE=REF only those whose source or unit tests changed since the git revision REF.
MODULES ?=
MUTATE_SINCE ?=

.PHONY: mutate
mutate: $(STAMP)  ## Mutation testing of the sans-IO cores against their own unit tests (MODULES=...)
	$(BIN)/python -m tools.mutation $(if $(MODULES),--modules '$(MODULES)') $(if $(MUTATE_SINCE),--since '$(MUTATE_SINCE)')

check: gen-check lint mypy verifytypes docs test  ## Everything CI runs except test-compat

clean:  ## Remove build outputs and caches (keeps .venv)
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache protos/.cache
