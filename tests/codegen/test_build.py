"""The model ``codegen.build`` makes of etcd's protos and of fragments."""

from __future__ import annotations

import pytest
from gen_support import FRAGMENTS, compile_protos, etcd_schema, fragment_schema
from google.protobuf import descriptor_pb2

from codegen import build, load, policy
from codegen.contract import CallKind
from codegen.model import Method, Schema, SchemaError


def _method(s: Schema, path: str) -> Method:
    return next(m for m in s.methods if m.path == path)


def test_etcd_shape() -> None:
    s = etcd_schema()
    assert [p.name for p in s.packages] == [
        "mvccpb",
        "authpb",
        "versionpb",
        "membershippb",
        "etcdserverpb",
        "v3lockpb",
        "v3electionpb",
    ]
    assert [p.module for p in s.modules] == [
        "mvccpb",
        "authpb",
        "membershippb",
        "etcdserverpb",
        "v3lockpb",
        "v3electionpb",
    ]  # versionpb defines nothing in 3.5
    assert [svc.name for svc in s.services] == [
        "KV",
        "Watch",
        "Lease",
        "Cluster",
        "Maintenance",
        "Auth",
        "Lock",
        "Election",
    ]
    assert len(s.methods) == 48
    assert sum(len(p.messages) for p in s.packages) == 120
    # 3.5's version.proto declares only option extensions and nothing imports it: not pooled,
    # so neither is descriptor.proto.
    assert s.well_known == ()
    assert [f.name for f in s.pool_files] == [
        "etcd/api/mvccpb/kv.proto",
        "etcd/api/authpb/auth.proto",
        "etcd/api/membershippb/membership.proto",
        "etcd/api/etcdserverpb/rpc.proto",
        "etcd/server/etcdserver/api/v3lock/v3lockpb/v3lock.proto",
        "etcd/server/etcdserver/api/v3election/v3electionpb/v3election.proto",
    ]
    assert s.errors is not None
    assert len(s.errors.errors) == 61


def test_call_kinds() -> None:
    s = etcd_schema()
    kinds = {m.path: m.kind for m in s.methods if m.kind is not CallKind.UNARY}
    assert kinds == {
        "/etcdserverpb.Watch/Watch": CallKind.BIDI_STREAM,
        "/etcdserverpb.Lease/LeaseKeepAlive": CallKind.BIDI_STREAM,
        "/etcdserverpb.Maintenance/Snapshot": CallKind.SERVER_STREAM,
        "/v3electionpb.Election/Observe": CallKind.SERVER_STREAM,
    }
    assert _method(s, "/etcdserverpb.Watch/Watch").flattened_fields == ()


def test_enum_names_docs_and_module_constants() -> None:
    s = etcd_schema()
    enums = s.registry.enums
    assert enums["authpb.Permission.Type"].py_name == "PermissionType"
    assert enums["etcdserverpb.RangeRequest.SortOrder"].py_name == "SortOrder"
    assert enums["etcdserverpb.AlarmType"].values[1].doc == "space quota is exhausted"
    assert _method(s, "/etcdserverpb.KV/Range").doc == (
        "Range gets the keys in the range from the key-value store."
    )
    # Only top-level enums define module constants, by their proto names (as _pb2 does).
    etcdserverpb = next(p for p in s.modules if p.name == "etcdserverpb")
    assert [v.name for _, v in etcdserverpb.constants] == ["NONE", "NOSPACE", "CORRUPT"]
    assert etcdserverpb.exported_names[-3:] == ("NONE", "NOSPACE", "CORRUPT")
    assert enums["etcdserverpb.RangeRequest.SortOrder"].constants == ()


def test_oneof_presence_and_nested_names() -> None:
    s = fragment_schema("oneof")
    shape = s.registry.message("frag.oneof.Shape")
    fields = {f.name: f for f in shape.fields}
    assert fields["circle"].has_presence  # oneof member
    assert fields["weight"].has_presence  # proto3 optional
    assert not fields["kind"].has_presence
    assert [o.name for o in shape.oneofs] == ["shape"]  # synthetic oneof of `weight` hidden
    assert s.registry.message("frag.oneof.Shape.Corner").py_name == "ShapeCorner"
    assert s.registry.enum("frag.oneof.Shape.Kind").py_name == "ShapeKind"
    assert [v.py_name for v in s.registry.enum("frag.oneof.Shape.Kind").values] == [
        "UNKNOWN",
        "DRAWN",
    ]


def test_keyword_fields() -> None:
    edge = fragment_schema("keywords").registry.message("frag.keywords.Edge")
    fields = {f.name: f for f in edge.fields}
    assert fields["from"].is_keyword
    assert fields["from"].ctor_arg == '**{"from": from_}'
    assert fields["type"].ctor_arg == "type=type_"
    assert [f.name for f in edge.attributes] == ["type", "hash", "request", "ID"]


def test_comment_precedence_leading_trailing_detached() -> None:
    quote = fragment_schema("comments").registry.message("frag.comments.Quote")
    docs = {f.name: f.doc for f in quote.fields}
    assert docs == {
        "text": "text ends with a backslash \\",
        "n": 'trailing comment on n with """quotes"""',
        "flag": "detached comment on nothing",
    }
    assert quote.doc.startswith('Quote has comments that must be escaped: """triple quotes"""')


def test_errors_are_reported() -> None:
    fds = compile_protos(FRAGMENTS, ["oneof.proto"])
    files = load.load(fds)
    # Import a file the set does not contain.
    broken = files[0].proto.__class__()
    broken.CopyFrom(files[0].proto)
    broken.dependency.append("missing.proto")
    with pytest.raises(SchemaError, match=r"imports missing\.proto"):
        build.build([load.LoadedFile(proto=broken)], "0")


def test_client_streaming_is_refused() -> None:
    fds = compile_protos(FRAGMENTS, ["bidi.proto"])
    files = load.load(fds)
    proto = files[-1].proto.__class__()
    proto.CopyFrom(files[-1].proto)
    proto.service[0].method[1].client_streaming = True
    proto.service[0].method[1].server_streaming = False
    with pytest.raises(SchemaError, match="Echo/Listen: client-streaming RPCs are not supported"):
        build.build([load.LoadedFile(proto=proto)], "0")


def test_rpc_release_comes_from_the_policy_without_annotations() -> None:
    s = etcd_schema()
    since = {(m.service_full_name, m.name): m.since for m in s.methods}
    assert since[("etcdserverpb.Maintenance", "Downgrade")] == (3, 5)
    assert since[("etcdserverpb.KV", "Range")] == policy.FIRST_V3_RELEASE
    newer = {key: v for key, v in since.items() if v != policy.FIRST_V3_RELEASE}
    assert newer == dict(policy.RPC_SINCE)


def test_pool_keeps_an_extensions_only_file_that_a_pooled_file_imports() -> None:
    """As etcd 3.6+'s rpc.proto imports version.proto, the versions fragment imports its own."""
    s = fragment_schema("versions")
    assert s.well_known == ("google.protobuf.descriptor_pb2",)
    assert [f.name for f in s.pool_files] == ["include/versionpb.proto", "versions.proto"]


def _file(
    name: str,
    *deps: str,
    messages: tuple[str, ...] = (),
    enums: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    extends: tuple[str, ...] = (),
) -> load.LoadedFile:
    proto = descriptor_pb2.FileDescriptorProto(name=name, dependency=deps)
    proto.message_type.extend(descriptor_pb2.DescriptorProto(name=n) for n in messages)
    proto.enum_type.extend(descriptor_pb2.EnumDescriptorProto(name=n) for n in enums)
    proto.service.extend(descriptor_pb2.ServiceDescriptorProto(name=n) for n in services)
    proto.extension.extend(
        descriptor_pb2.FieldDescriptorProto(name=f"ext{i}", number=50000 + i, extendee=extendee)
        for i, extendee in enumerate(extends)
    )
    return load.LoadedFile(proto)


def test_pool_members_drop_inert_files_and_what_only_they_import() -> None:
    options = ".google.protobuf.MessageOptions"
    files = [
        _file("base.proto", extends=(options,)),
        _file("inert.proto", "base.proto", extends=(options,)),
        _file("a.proto", messages=("Msg",)),
        _file("extends_a.proto", "a.proto", extends=(".a.Msg",)),
        _file("svc.proto", services=("S",)),
        _file("enum.proto", enums=("E",)),
    ]
    kept = [f.proto.name for f in build.pool_members(files)]
    assert kept == ["a.proto", "extends_a.proto", "svc.proto", "enum.proto"]
    # Once a definition imports them, both extensions-only files are kept, in order.
    files.append(_file("user.proto", "inert.proto", messages=("User",)))
    kept = [f.proto.name for f in build.pool_members(files)]
    assert kept == [
        "base.proto",
        "inert.proto",
        "a.proto",
        "extends_a.proto",
        "svc.proto",
        "enum.proto",
        "user.proto",
    ]


def test_pool_files_drop_proto3_optional_from_extensions() -> None:
    """protobuf 4.21.0-4.21.11 refuse a proto3_optional field outside a oneof."""
    source = {
        f.proto.name: f.proto for f in load.load(compile_protos(FRAGMENTS, ["versions.proto"]))
    }
    version = "include/versionpb.proto"
    assert all(ext.proto3_optional for ext in source[version].extension)
    pooled = {
        f.name: descriptor_pb2.FileDescriptorProto.FromString(f.serialized)
        for f in fragment_schema("versions").pool_files
    }
    extensions = pooled[version].extension
    assert [ext.name for ext in extensions] == [ext.name for ext in source[version].extension]
    assert not any(ext.proto3_optional for ext in extensions)
    # The rest of the file is carried over as it is.
    for ext in extensions:
        ext.proto3_optional = True
    assert pooled[version] == _without_source_info(source[version])


def _without_source_info(
    proto: descriptor_pb2.FileDescriptorProto,
) -> descriptor_pb2.FileDescriptorProto:
    copy = descriptor_pb2.FileDescriptorProto()
    copy.CopyFrom(proto)
    copy.ClearField("source_code_info")
    return copy
