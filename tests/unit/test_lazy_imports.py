"""Names that load their module on first read: what an import loads, and that the lazy names
are exactly the names type checkers see.

``etcd3``, ``etcd3.client``, ``etcd3.rpc`` and ``etcd3._transport`` import their names under
``if TYPE_CHECKING:`` for type checkers and bind them at run time through ``etcd3._lazy``; the
two lists must name the same objects. Each import runs in a fresh interpreter, where nothing is
loaded yet.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import etcd3

PACKAGE = Path(etcd3.__file__).parent
LAZY_MODULES = {
    "etcd3": PACKAGE / "__init__.py",
    "etcd3.client": PACKAGE / "client.py",
    "etcd3.rpc": PACKAGE / "rpc" / "__init__.py",
    "etcd3._transport": PACKAGE / "_transport" / "__init__.py",
}


def _fresh(code: str) -> object:
    """Run ``code`` in a new interpreter; it prints one JSON value, returned here."""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _loaded_by(statement: str) -> set[str]:
    """The modules ``statement`` loads in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        f"{statement}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    loaded = _fresh(code)
    assert isinstance(loaded, list)
    return set(loaded)


def test_import_etcd3_loads_only_its_name_tables() -> None:
    loaded = _loaded_by("import etcd3")
    assert loaded - {"__future__"} == {"etcd3", "etcd3._lazy", "etcd3._version", "etcd3.client"}


def test_a_name_loads_what_it_needs() -> None:
    sync = _loaded_by("import etcd3; etcd3.client")
    assert {"grpc", "etcd3._client", "etcd3.rpc.services"} <= sync
    assert not {"etcd3._client_async", "etcd3._legacy", "etcd3.utils"} & sync
    # The coordination recipes load when a client first makes a lock, session or election.
    recipes = {"etcd3._session", "etcd3._lock", "etcd3._election", "etcd3._concurrency_core"}
    assert not recipes & sync
    made = "import etcd3; c = etcd3.client('localhost', 2379); c.lock('l'); c.election('e')"
    assert recipes <= _loaded_by(made)
    # So does the watch machinery, with the client's first watch.
    watching = {"etcd3._watch_core", "etcd3._watcher", "etcd3._events"}
    assert not watching & sync
    # Nor the asyncio transport, what only TLS files or the generator need, or any module the
    # grpc runtime and the sync client do not use. What the runtime itself loads (some releases
    # of grpc or protobuf load dataclasses) costs the client nothing.
    runtime = _loaded_by("import grpc, grpc.aio, google.protobuf")
    assert not {
        "etcd3._transport._caller_async",
        "etcd3._transport._streams_async",
        "pathlib",
        "google.protobuf.descriptor_pb2",
        # Jitter and the sync bidi stream's request queue load these when first used.
        "random",
        "queue",
        # The retry settings (a dataclass) load when a client is made.
        "etcd3._retry",
        "dataclasses",
    } & (sync - runtime)
    assert "etcd3._retry" in _loaded_by("import etcd3; etcd3.client('localhost', 2379)")
    # So do the transaction modules, with the first transaction or read of `transactions`.
    transactions = {"etcd3._transactions.operators", "etcd3._txn_results", "etcd3.rpc.txn"}
    assert not transactions & sync
    assert transactions <= _loaded_by("import etcd3; etcd3.Etcd3Client.transactions")
    # The table of etcd's errors loads with the first failed call, or when read.
    assert not {"etcd3._error_table", "etcd3.rpc.server_errors"} & sync
    table = _loaded_by("import etcd3.errors; etcd3.errors.ETCD_ERROR_TABLE")
    assert {"etcd3._error_table", "etcd3.rpc.server_errors"} <= table
    # And the namespace rewriting, with the first namespaced client.
    namespaced = {"etcd3._namespace_caller", "etcd3._namespace_core"}
    assert not namespaced & sync
    assert namespaced <= _loaded_by(
        "import etcd3; etcd3.client('localhost', 2379).namespace('app/')"
    )
    aio = _loaded_by("import etcd3; etcd3.async_client")
    assert {"etcd3._client_async", "etcd3._transport._caller_async"} <= aio
    assert not {
        "etcd3._client",
        "etcd3._transport._caller",
        "pathlib",
        "random",
        "queue",
        "etcd3._retry",
        "dataclasses",
        "etcd3._transactions.operators",
        "etcd3._namespace_caller_async",
        "etcd3._namespace_core",
        "etcd3._error_table",
    } & (aio - runtime)
    deferred_aio = {"etcd3._watcher_async", "etcd3._session_async", "etcd3._lock_async"}
    assert not (deferred_aio | {"etcd3._watch_core", "etcd3._events"}) & aio
    errors = _loaded_by("import etcd3; etcd3.EtcdError")
    assert "etcd3.errors" in errors
    assert not {"etcd3.rpc.methods", "etcd3.rpc.services", "etcd3._client"} & errors
    utils = _loaded_by("import etcd3; etcd3.utils")
    assert {"etcd3.utils", "etcd3._legacy.utils"} <= utils


def test_message_classes_under_upb_skip_the_pure_python_message_machinery() -> None:
    from google.protobuf.internal import api_implementation

    if api_implementation.Type() != "upb":
        pytest.skip("only upb messages can do without protobuf's pure-Python implementation")
    loaded = _loaded_by("import etcd3; etcd3.client; from etcd3.rpc import RangeRequest")
    assert "etcd3.rpc.etcdserverpb" in loaded
    pure_python = {
        "google.protobuf.descriptor_pool",
        "google.protobuf.message_factory",
        "google.protobuf.internal.python_message",
        "google.protobuf.text_format",
    }
    assert not pure_python & loaded


def test_message_classes_load_without_the_service_classes() -> None:
    loaded = _loaded_by("from etcd3.rpc import RangeRequest")
    assert "etcd3.rpc.etcdserverpb" in loaded
    assert not {"etcd3.rpc.services", "etcd3.rpc.methods", "etcd3.rpc.txn"} & loaded


def _static_imports(path: Path, package: str) -> dict[str, tuple[str, str | None]]:
    """What type checkers import in ``path``'s ``if TYPE_CHECKING:`` block: name -> (module,
    attribute), with attribute ``None`` for a submodule of ``package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    assert len(blocks) == 1, path
    found: dict[str, tuple[str, str | None]] = {}
    for node in blocks[0].body:
        assert isinstance(node, ast.ImportFrom), ast.unparse(node)
        module = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
        for alias in node.names:
            assert alias.asname is None, ast.unparse(node)
            if module == package:
                found[alias.name] = (f"{package}.{alias.name}", None)
            else:
                found[alias.name] = (module, alias.name)
    return found


@pytest.mark.parametrize("module", LAZY_MODULES)
def test_lazy_names_are_the_names_type_checkers_see(module: str) -> None:
    static = _static_imports(LAZY_MODULES[module], module)
    # A name the module offers but has not bound yet loads on first read; in a fresh
    # interpreter that is every name of its TYPE_CHECKING block, and submodules the import
    # system binds once loaded (etcd3.rpc.services).
    lazy = _fresh(
        f"import importlib, json\nm = importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(set(dir(m)) - set(vars(m)))))\n"
    )
    assert isinstance(lazy, list)
    assert set(static) <= set(lazy)
    importlib.import_module(module)
    namespace = sys.modules[module]
    for name in set(lazy) - set(static):
        assert getattr(namespace, name) is sys.modules[f"{module}.{name}"], name
    for name, (source, attribute) in static.items():
        value = getattr(namespace, name)
        if attribute is None:
            assert value is sys.modules[source], name
        else:
            assert value is getattr(importlib.import_module(source), attribute), name
    assert set(namespace.__all__) <= {*static, "__version__"}


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"module 'etcd3' has no attribute 'Etcd4Client'"):
        getattr(etcd3, "Etcd4Client")  # noqa: B009 (the lookup under test)
    with pytest.raises(ImportError, match="cannot import name 'nothing'"):
        exec("from etcd3.rpc import nothing")


def test_the_error_table_names_of_errors_are_those_of_its_module() -> None:
    from etcd3 import _error_table, errors

    for name in ("ETCD_ERROR_TABLE", "EtcdErrorRow"):
        assert name in errors.__all__
        assert getattr(errors, name) is getattr(_error_table, name)


def test_threads_reading_transactions_first_all_get_the_same_object() -> None:
    code = """
import threading
import etcd3
from etcd3._txn import TxnMixin

barrier = threading.Barrier(16)
seen = []


def read():
    barrier.wait()
    seen.append(TxnMixin.transactions)


threads = [threading.Thread(target=read) for _ in range(16)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert len({id(value) for value in seen}) == 1, len({id(value) for value in seen})
assert seen[0] is TxnMixin.tx
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
