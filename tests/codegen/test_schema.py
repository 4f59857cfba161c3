"""Decisions computed by :mod:`codegen.schema`, on etcd's protos and on fragments."""

from __future__ import annotations

import pytest
from gen_support import FRAGMENTS, compile_protos, etcd_fds, etcd_schema, fragment_schema
from google.protobuf import descriptor_pb2

from codegen import load, schema


def _method(s: schema.Schema, path: str) -> schema.Method:
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
    assert s.well_known == ("google.protobuf.descriptor_pb2",)
    assert s.pool_files[0].name == "etcd/api/mvccpb/kv.proto"


def test_call_kinds() -> None:
    s = etcd_schema()
    kinds = {m.path: m.kind for m in s.methods if m.kind != "UNARY"}
    assert kinds == {
        "/etcdserverpb.Watch/Watch": "BIDI_STREAM",
        "/etcdserverpb.Lease/LeaseKeepAlive": "BIDI_STREAM",
        "/etcdserverpb.Maintenance/Snapshot": "SERVER_STREAM",
        "/v3electionpb.Election/Observe": "SERVER_STREAM",
    }
    assert _method(s, "/etcdserverpb.Watch/Watch").flattened_fields == ()


def test_field_annotations_and_defaults() -> None:
    s = etcd_schema()
    range_ = {f.name: f for f in _method(s, "/etcdserverpb.KV/Range").flattened_fields}
    assert (range_["key"].kwarg_annotation, range_["key"].kwarg_default) == ("bytes", 'b""')
    assert range_["sort_order"].kwarg_annotation == "SortOrder"
    assert range_["sort_order"].kwarg_default == "SortOrder.NONE"
    assert range_["sort_order"].attr_annotation("etcdserverpb") == "int"
    assert range_["sort_order"].init_annotation("etcdserverpb") == "SortOrder | None"
    assert range_["limit"].nondefault_test == "limit"

    txn = {f.name: f for f in _method(s, "/etcdserverpb.KV/Txn").flattened_fields}
    assert txn["compare"].kwarg_annotation == "Iterable[Compare]"
    assert txn["compare"].kwarg_default == "()"
    assert (
        txn["compare"].attr_annotation("etcdserverpb")
        == "_containers.RepeatedCompositeFieldContainer[Compare]"
    )

    resign = _method(s, "/v3electionpb.Election/Resign").flattened_fields[0]
    assert (resign.kwarg_annotation, resign.kwarg_default) == ("LeaderKey | None", "None")
    assert resign.nondefault_test == "leader is not None"

    range_response = s.registry.message("etcdserverpb.RangeResponse")
    kvs = range_response.field_named("kvs")
    assert kvs.attr_annotation("etcdserverpb") == (
        "_containers.RepeatedCompositeFieldContainer[mvccpb.KeyValue]"
    )
    assert kvs.attr_annotation("mvccpb") == "_containers.RepeatedCompositeFieldContainer[KeyValue]"
    assert s.modules[3].imported_modules == ("authpb", "mvccpb")


def test_enum_names_and_docs() -> None:
    s = etcd_schema()
    enums = {e.full_name: e for e in s.registry.enums.values()}
    assert enums["authpb.Permission.Type"].py_name == "PermissionType"
    assert enums["etcdserverpb.RangeRequest.SortOrder"].py_name == "SortOrder"
    assert enums["etcdserverpb.AlarmType"].values[1].doc == "space quota is exhausted"
    assert _method(s, "/etcdserverpb.KV/Range").doc == (
        "Range gets the keys in the range from the key-value store."
    )


def test_txn_facade_pairs_oneofs() -> None:
    txn = etcd_schema().txn
    assert txn is not None
    assert [(op.suffix, op.request.py_name, op.response.py_name) for op in txn.ops] == [
        ("range", "RangeRequest", "RangeResponse"),
        ("put", "PutRequest", "PutResponse"),
        ("delete_range", "DeleteRangeRequest", "DeleteRangeResponse"),
        ("txn", "TxnRequest", "TxnResponse"),
    ]
    assert txn.target_field.name == "target"
    assert [(t.member.name, t.value.name) for t in txn.targets] == [
        ("version", "VERSION"),
        ("create_revision", "CREATE"),
        ("mod_revision", "MOD"),
        ("value", "VALUE"),
        ("lease", "LEASE"),
    ]
    assert [f.name for f in txn.compare_positional] == ["key", "result"]
    assert [f.name for f in txn.compare_keywords] == ["range_end"]
    assert txn.response_field.name == "responses"


def test_fragment_without_txn_messages_has_no_facade() -> None:
    assert fragment_schema("oneof").txn is None


def test_oneof_presence_and_nested_names() -> None:
    s = fragment_schema("oneof")
    shape = s.registry.message("frag.oneof.Shape")
    fields = {f.name: f for f in shape.fields}
    assert fields["circle"].has_presence  # oneof member
    assert fields["circle"].kwarg_annotation == "float | None"
    assert fields["weight"].has_presence  # proto3 optional
    assert not fields["kind"].has_presence
    assert [o.name for o in shape.oneofs] == ["shape"]  # synthetic oneof of `weight` hidden
    assert shape.oneofs[0].members_literal == '_t.Literal["circle", "square"]'
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
    with pytest.raises(schema.SchemaError, match=r"imports missing\.proto"):
        schema.build([load.LoadedFile(proto=broken)], "0")


def test_pool_files_drop_proto3_optional_from_extensions() -> None:
    """protobuf 4.21.0-4.21.11 refuse a proto3_optional field outside a oneof."""
    source = {f.proto.name: f.proto for f in load.load(etcd_fds())}
    version = "etcd/api/versionpb/version.proto"
    assert all(ext.proto3_optional for ext in source[version].extension)
    pooled = {
        f.name: descriptor_pb2.FileDescriptorProto.FromString(f.serialized)
        for f in etcd_schema().pool_files
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
