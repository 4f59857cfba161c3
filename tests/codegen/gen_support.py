"""Helpers and fixtures for generator tests (imported by the test modules; not a conftest, so
mypy sees one module named ``conftest`` in the tree)."""

from __future__ import annotations

import functools
import importlib
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

from codegen import build, emit, go_errors, load, protos
from codegen.model import ErrorTable, Schema

FRAGMENTS = Path(__file__).parent / "fragments"
ROOT = Path(__file__).resolve().parents[2]


def compile_protos(proto_dir: Path, names: list[str]) -> bytes:
    """Compile ``names`` (relative to ``proto_dir``) into FileDescriptorSet bytes."""
    import grpc_tools
    from grpc_tools import protoc

    bundled = Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.fds"
        args = [
            "protoc",
            f"-I{proto_dir}",
            f"-I{bundled}",
            "--include_imports",
            "--include_source_info",
            f"--descriptor_set_out={out}",
            *names,
        ]
        assert protoc.main(args) == 0, f"protoc failed on {names}"
        return out.read_bytes()


def fragment_schema(name: str) -> Schema:
    """The schema of ``fragments/<name>.proto``."""
    return build.build(load.load(compile_protos(FRAGMENTS, [f"{name}.proto"])), "0.0.0-test")


def _pinned_root() -> Path | None:
    pin = protos.Pin.load()
    root = protos.CACHE_DIR / pin.version
    return root if all((root / rel).is_file() for rel in pin.files) else None


@functools.cache
def _etcd_fds() -> bytes | None:
    root = _pinned_root()
    if root is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "etcd.fds"
        protos.compile_descriptor_set(root, protos.Pin.load().protos, out)
        return out.read_bytes()


def etcd_fds() -> bytes:
    """etcd's pinned protos compiled as the generator sees them (fails if not fetched)."""
    data = _etcd_fds()
    if data is None:
        pytest.fail("etcd's pinned protos are not fetched: run `make protos`", pytrace=False)
    return data


def etcd_errors_go() -> Path:
    """The pinned ``error.go`` (fails if not fetched)."""
    root = _pinned_root()
    if root is None:
        pytest.fail("etcd's pinned protos are not fetched: run `make protos`", pytrace=False)
    return root / protos.ERRORS_GO


def etcd_error_table() -> ErrorTable:
    name = f"{protos.IMPORT_PREFIX}/{protos.ERRORS_GO}"
    return go_errors.parse(etcd_errors_go().read_text(), name=name)


def etcd_schema() -> Schema:
    """The pinned etcd API as ``make regen`` builds it (error table included)."""
    return build.build(load.load(etcd_fds()), protos.Pin.load().etcd_version, etcd_error_table())


def generate_and_import(
    s: Schema, package: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ModuleType:
    """Generate ``s`` into a throwaway package ``package`` and import it."""
    emit.write(tmp_path / package, emit.generate(s))
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in list(sys.modules):
        if name == package or name.startswith(package + "."):
            monkeypatch.delitem(sys.modules, name)
    return importlib.import_module(package)
