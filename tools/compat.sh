#!/usr/bin/env bash
# Run the unit and integration tests in a fresh venv at pinned runtime versions.
#   tools/compat.sh PYTHON_VERSION REQUIREMENT...   e.g. tools/compat.sh 3.10 protobuf==5.26.1 grpcio==1.62.3
# The generator's own tests are left out: they need grpcio-tools, which pins protobuf itself.
set -euo pipefail
cd "$(dirname "$0")/.."
pyver=$1; shift
python=$(bash tools/find-python.sh "$pyver")
venv=".venv-compat-$pyver"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e '.[testing]' "$@" \
    pytest-asyncio==1.5.0 pytest-timeout==2.4.0 ruff==0.17.6 \
    gevent==26.9.0 opentelemetry-instrumentation-grpc==0.66b2 opentelemetry-sdk==1.45.2
# ruff: the sync-twin freshness test; gevent and OpenTelemetry: the guides' examples and their tests.
echo "== compat: $("$venv/bin/python" -c 'import sys, grpc, google.protobuf as pb; print(f"Python {sys.version.split()[0]}, protobuf {pb.__version__}, grpcio {grpc.__version__}")')"
# The docs checks need the doc tools, which are not runtime-version dependent.
"$venv/bin/pytest" -p no:cacheprovider tests/unit tests/integration --ignore=tests/unit/test_docs.py ${PYTEST_ARGS:-}
