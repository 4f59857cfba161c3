#!/usr/bin/env bash
# Run the unit, integration and typing tests in a fresh venv at pinned runtime versions:
#   tools/compat.sh PYTHON_VERSION REQUIREMENT...
#   e.g. tools/compat.sh 3.10 protobuf==4.21.3 grpcio==1.42.0
# The venv holds the package with its [testing] extra, the pins, and the test tools our pytest
# configuration names. The generator's own tests are left out: they need grpcio-tools, which pins
# protobuf itself; so are the docs checks (test_docs, test_reference) and the mutation tool's
# tests, which need dev tools (mkdocs, griffe, libcst) and are not runtime-version bound.
set -euo pipefail
cd "$(dirname "$0")/.."
pyver=$1; shift
python=$(bash tools/find-python.sh "$pyver")
venv=".venv-compat-$pyver"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
# grpcio from a wheel only: an sdist build takes many minutes and proves nothing about us.
# ruff: the sync-twin freshness test; gevent and OpenTelemetry: the guides' examples and tests.
"$venv/bin/python" -m pip install --quiet --only-binary=grpcio,gevent -e '.[testing]' "$@" \
    pytest-timeout==2.4.0 mypy==2.4.1 'pyright[nodejs]==1.1.414' ruff==0.17.6 \
    gevent==26.9.0 opentelemetry-instrumentation-grpc==0.66b2 opentelemetry-sdk==1.45.2
echo "== compat: $("$venv/bin/python" -c 'import sys, grpc, google.protobuf as pb; print(f"Python {sys.version.split()[0]}, protobuf {pb.__version__}, grpcio {grpc.__version__}")') ($*)"
"$venv/bin/pytest" -p no:cacheprovider tests/unit tests/integration tests/typing \
    --ignore=tests/unit/test_docs.py --ignore=tests/unit/test_reference.py \
    --ignore=tests/unit/test_mutation_tool.py ${PYTEST_ARGS:-}
