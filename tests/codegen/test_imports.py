"""Import and export lists of generated files (``codegen.imports``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gen_support import compile_protos, etcd_schema, fragment_schema

from codegen import build, imports, load, policy
from codegen.model import Package, Schema, SchemaError


def _package(s: Schema, name: str) -> Package:
    return next(p for p in s.packages if p.name == name)


def test_stub_imports() -> None:
    s = etcd_schema()
    etcdserverpb = imports.stub(_package(s, "etcdserverpb"))
    assert etcdserverpb.modules == ("authpb", "mvccpb")
    assert etcdserverpb.containers
    assert etcdserverpb.typing  # oneofs, nested enum values, module constants
    oneof = imports.stub(_package(fragment_schema("oneof"), "frag.oneof"))
    assert (oneof.modules, oneof.containers, oneof.typing) == ((), True, True)
    keywords = imports.stub(_package(fragment_schema("keywords"), "frag.keywords"))
    assert (keywords.containers, keywords.typing) == (False, False)


def test_files_importing_by_name() -> None:
    s = etcd_schema()
    services = imports.services(s)
    assert list(services) == sorted(services)
    assert ("SortOrder", "SortOrder") in services["etcdserverpb"]  # a flattened field's enum
    assert ("LeaderKey", "LeaderKey") in services["v3electionpb"]
    methods = imports.methods(s)
    assert ("RangeRequest", "RangeRequest") in methods["etcdserverpb"]
    assert ("SortOrder", "SortOrder") not in methods["etcdserverpb"]
    txn = imports.txn(s)
    assert [name for name, _ in txn["etcdserverpb"]][:3] == [
        "Compare",
        "CompareResult",
        "CompareTarget",
    ]
    assert imports.service_runtime(s) == (
        "AsyncCaller",
        "AsyncDuplexStream",
        "AsyncServerStream",
        "DEFAULT_TIMEOUT",
        "DuplexStream",
        "Metadata",
        "ServerStream",
        "SyncCaller",
        "Timeout",
        "check_request",
    )
    assert imports.service_abc(s) == ("Iterable",)
    assert imports.txn(fragment_schema("oneof")) == {}


def test_a_name_defined_twice_gets_its_module_as_alias(tmp_path: Path) -> None:
    s = _two_packages(tmp_path, "message Thing { string a = 1; }")
    assert s.registry.message("pa.Thing").ref(None) == "pa_Thing"
    assert s.registry.message("pb.Thing").ref(None) == "pb_Thing"
    assert s.registry.message("pa.Thing").ref("pa") == "Thing"
    assert s.registry.message("pa.Thing").ref("pb") == "pa.Thing"
    assert imports.by_name([s.registry.message("pb.Thing")]) == {"pb": (("Thing", "pb_Thing"),)}


def test_etcd_flat_namespace() -> None:
    init = imports.package_init(etcd_schema())
    assert list(init.flat) == ["authpb", "etcdserverpb", "mvccpb"]
    names = init.flat_names
    for name in ("AlarmType", "NOSPACE", "CORRUPT", "RangeRequest", "ResponseOp", "KeyValue"):
        assert name in names
    assert "Permission" in init.flat["authpb"]
    assert "LeaderKey" not in names  # v3electionpb is not flat
    assert init.modules[-9:] == (
        "methods",
        "txn",
        "server_errors",
        *("kv_pb2", "auth_pb2", "membership_pb2", "rpc_pb2", "v3lock_pb2", "v3election_pb2"),
    )
    assert init.services[0] == "AsyncStubs"
    assert init.services[-1] == "Stubs"
    assert not set(names) & {*init.modules, *init.services}


def _two_packages(tmp_path: Path, body: str, body_b: str | None = None) -> Schema:
    (tmp_path / "a.proto").write_text(f'syntax = "proto3";\npackage pa;\n{body}\n')
    (tmp_path / "b.proto").write_text(f'syntax = "proto3";\npackage pb;\n{body_b or body}\n')
    fds = compile_protos(tmp_path, ["a.proto", "b.proto"])
    return build.build(load.load(fds), "0")


def test_flat_namespace_refuses_a_name_two_packages_define(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _two_packages(tmp_path, "message Thing { string a = 1; }")
    monkeypatch.setattr(policy, "FLAT_PACKAGES", ("pa", "pb"))
    with pytest.raises(SchemaError, match=r"pb\.Thing cannot join .* package pa already defines"):
        imports.package_init(s)


def test_flat_namespace_refuses_a_name_of_the_package_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _two_packages(
        tmp_path,
        "message Stubs {}\nservice Svc { rpc Do(Stubs) returns (Stubs); }",
        "enum Mode { methods = 0; }",
    )
    monkeypatch.setattr(policy, "FLAT_PACKAGES", ("pa",))
    with pytest.raises(SchemaError, match=r"pa\.Stubs cannot join .* the package itself"):
        imports.package_init(s)
    monkeypatch.setattr(policy, "FLAT_PACKAGES", ("pb",))
    with pytest.raises(SchemaError, match=r"pb\.methods cannot join"):
        imports.package_init(s)
