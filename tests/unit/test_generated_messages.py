"""Generated message modules: private pool, enums, and documentation of the public surface."""

from __future__ import annotations

import enum
import inspect
import subprocess
import sys
import textwrap
from types import ModuleType

import pytest
from google.protobuf import descriptor_pool
from google.protobuf.message import Message

import etcd3.rpc
from etcd3.rpc import (
    _pool,
    authpb,
    etcdserverpb,
    membershippb,
    methods,
    mvccpb,
    services,
    txn,
    v3electionpb,
    v3lockpb,
)

MESSAGE_MODULES = [mvccpb, authpb, membershippb, etcdserverpb, v3lockpb, v3electionpb]


def test_messages_are_real_protobuf_classes() -> None:
    kv = mvccpb.KeyValue(key=b"k", value=b"v", mod_revision=3)
    assert isinstance(kv, Message)
    assert mvccpb.KeyValue.FromString(kv.SerializeToString()) == kv
    response = etcdserverpb.RangeResponse(kvs=[kv], count=1)
    assert response.kvs[0].key == b"k"
    assert etcdserverpb.RangeRequest.DESCRIPTOR.full_name == "etcdserverpb.RangeRequest"


def test_messages_live_in_a_private_pool() -> None:
    default = descriptor_pool.Default()
    assert etcdserverpb.RangeRequest.DESCRIPTOR.file.pool is not default
    with pytest.raises(KeyError):
        default.FindMessageTypeByName("etcdserverpb.RangeRequest")


def test_message_classes_are_what_protobufs_factory_makes() -> None:
    # The same protos in a pool of protobuf's public API give classes of the same kind: same
    # metaclass, bases and pool type, field for field.
    from google.protobuf import descriptor_pb2, message_factory

    reference = descriptor_pool.DescriptorPool()
    files: list[type[Message]] = [mvccpb.KeyValue, authpb.User, membershippb.Member]
    files += [etcdserverpb.RangeRequest, v3lockpb.LockRequest, v3electionpb.CampaignRequest]
    for cls in files:
        reference.Add(
            descriptor_pb2.FileDescriptorProto.FromString(cls.DESCRIPTOR.file.serialized_pb)
        )
    assert type(etcdserverpb.RangeRequest.DESCRIPTOR.file.pool) is type(reference)
    # protobuf 4.21 has no GetMessageClass: a factory over the reference pool stands in.
    get_message_class = getattr(message_factory, "GetMessageClass", None)
    factory = message_factory.MessageFactory(reference)
    make_class = get_message_class or factory.GetPrototype  # type: ignore[attr-defined]
    for module in MESSAGE_MODULES:
        for name in module.__all__:
            ours = getattr(module, name)
            if not (isinstance(ours, type) and issubclass(ours, Message)):
                continue
            theirs = make_class(reference.FindMessageTypeByName(ours.DESCRIPTOR.full_name))
            assert type(ours) is type(theirs), name
            assert ours.__bases__ == theirs.__bases__, name
            assert (ours.__name__, ours.__module__) == (theirs.__name__, theirs.__module__), name
            assert [f.name for f in ours.DESCRIPTOR.fields] == [
                f.name for f in theirs.DESCRIPTOR.fields
            ], name
            if get_message_class is not None:
                # One class per descriptor: the factory hands ours back.
                found = _pool._POOL.FindMessageTypeByName(ours.DESCRIPTOR.full_name)
                assert get_message_class(found) is ours, name


_WALK_SUBMESSAGES = """
import sys
from importlib import import_module

module = import_module("etcd3.rpc." + sys.argv[1])
seen = set()


def walk(message):
    descriptor = message.DESCRIPTOR
    if descriptor.full_name in seen:
        return
    seen.add(descriptor.full_name)
    for field in descriptor.fields:
        if field.message_type is None or field.message_type.GetOptions().map_entry:
            continue
        value = getattr(message, field.name)
        walk(value.add() if hasattr(value, "add") else value)  # repeated, or singular


for name in module.__all__:
    cls = getattr(module, name)
    if hasattr(cls, "DESCRIPTOR") and hasattr(cls, "FromString"):
        walk(cls())
print(len(seen))
"""


@pytest.mark.parametrize("module", [m.__name__.rsplit(".", 1)[1] for m in MESSAGE_MODULES])
def test_every_submessage_reads_in_a_process_that_imported_one_module(module: str) -> None:
    # A fresh interpreter that imports one message module alone, then reaches every message
    # its fields can hold: each needs a class by then (an older upb crashes the process
    # instead of making one).
    done = subprocess.run(
        [sys.executable, "-c", _WALK_SUBMESSAGES, module],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 1


def test_enums_are_int_enums_with_proto_values() -> None:
    assert issubclass(etcdserverpb.SortOrder, enum.IntEnum)
    assert [(m.name, m.value) for m in etcdserverpb.SortOrder] == [
        ("NONE", 0),
        ("ASCEND", 1),
        ("DESCEND", 2),
    ]
    assert int(authpb.PermissionType.READWRITE) == 2
    assert int(mvccpb.EventType.DELETE) == 1
    assert int(etcdserverpb.AlarmType.NOSPACE) == 1
    # Enum fields read back as ints equal to the members.
    request = etcdserverpb.RangeRequest(sort_target=etcdserverpb.SortTarget.MOD)
    assert request.sort_target == etcdserverpb.SortTarget.MOD
    assert etcdserverpb.SortTarget(request.sort_target) is etcdserverpb.SortTarget.MOD


ENUMS: dict[type[enum.IntEnum], str] = {
    mvccpb.EventType: "mvccpb.Event.EventType",
    authpb.PermissionType: "authpb.Permission.Type",
    etcdserverpb.SortOrder: "etcdserverpb.RangeRequest.SortOrder",
    etcdserverpb.SortTarget: "etcdserverpb.RangeRequest.SortTarget",
    etcdserverpb.CompareResult: "etcdserverpb.Compare.CompareResult",
    etcdserverpb.CompareTarget: "etcdserverpb.Compare.CompareTarget",
    etcdserverpb.FilterType: "etcdserverpb.WatchCreateRequest.FilterType",
    etcdserverpb.AlarmAction: "etcdserverpb.AlarmRequest.AlarmAction",
    etcdserverpb.DowngradeAction: "etcdserverpb.DowngradeRequest.DowngradeAction",
    etcdserverpb.AlarmType: "etcdserverpb.AlarmType",
}


def test_every_proto_enum_matches_its_descriptor() -> None:
    pool = etcdserverpb.RangeRequest.DESCRIPTOR.file.pool
    generated = {
        obj
        for module in MESSAGE_MODULES
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, enum.IntEnum)
        and obj.__module__ == module.__name__
    }
    assert generated == set(ENUMS)
    for cls, full_name in ENUMS.items():
        values = pool.FindEnumTypeByName(full_name).values
        assert [(m.name, m.value) for m in cls] == [(v.name, v.number) for v in values]


def test_all_lists_every_message_of_the_package() -> None:
    for module in MESSAGE_MODULES:
        package = module.__name__.rsplit(".", 1)[1]
        exported = {
            getattr(module, n).DESCRIPTOR.full_name
            for n in module.__all__
            if isinstance(getattr(module, n), type) and issubclass(getattr(module, n), Message)
        }
        file = etcdserverpb.RangeRequest.DESCRIPTOR.file.pool
        assert all(file.FindMessageTypeByName(n) for n in exported)
        assert all(n.startswith(package + ".") for n in exported)
    # 95 messages, 8 enums and the 3 values of the top-level AlarmType as module constants.
    assert len(etcdserverpb.__all__) == 95 + 8 + 3


def _public(module: ModuleType) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # modules, and type aliases, which cannot carry a docstring
        out.append((f"{module.__name__}.{name}", obj))
        if inspect.isclass(obj) and not issubclass(obj, Message):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and inspect.isfunction(member):
                    out.append((f"{module.__name__}.{name}.{attr}", member))
    return out


@pytest.mark.parametrize("module", [etcd3.rpc, services, txn], ids=lambda m: m.__name__)
def test_every_public_class_and_method_has_a_docstring(module: ModuleType) -> None:
    undocumented = [name for name, obj in _public(module) if not inspect.getdoc(obj)]
    assert undocumented == []


def test_generated_method_docstrings_follow_google_style() -> None:
    doc = inspect.getdoc(services.KV.range) or ""
    assert doc.startswith("Range gets the keys in the range from the key-value store.")
    for section in (
        "Args:",
        "    key: key is the first key",
        "    timeout:",
        "Returns:",
        "Raises:",
    ):
        assert section in doc
    assert "etcd3.EtcdError" in doc
    watch = inspect.getdoc(services.AsyncWatch.watch) or ""
    assert "request:" not in watch
    assert "metadata:" in watch


def test_method_constants_are_all_exported() -> None:
    assert set(methods.__all__) == {
        "ALL_METHODS",
        "BY_PATH",
        *(m_const(m) for m in methods.ALL_METHODS),
    }
    assert {m.path: m for m in methods.ALL_METHODS} == methods.BY_PATH
    assert methods.BY_PATH["/etcdserverpb.Maintenance/Downgrade"].since == (3, 5)
    assert methods.KV_RANGE.since == (3, 0)


def m_const(info: object) -> str:
    return next(n for n in methods.__all__ if getattr(methods, n) is info)


def test_import_survives_a_conflicting_default_pool_registration() -> None:
    """Another etcd library registering ``mvccpb``/``etcdserverpb`` first must not break us."""
    script = textwrap.dedent(
        """
        from google.protobuf import descriptor_pb2, descriptor_pool

        # What another etcd client's _pb2 modules do: same file and message names, different
        # content, registered in protobuf's process-wide default pool.
        conflicting = descriptor_pb2.FileDescriptorProto(
            name="etcd/api/mvccpb/kv.proto", package="mvccpb", syntax="proto3"
        )
        kv = conflicting.message_type.add(name="KeyValue")
        kv.field.add(name="other", number=1, type=9, label=1)
        descriptor_pool.Default().AddSerializedFile(conflicting.SerializeToString())
        rpc = conflicting.__class__(name="etcd/api/etcdserverpb/rpc.proto", package="etcdserverpb")
        rpc.message_type.add(name="RangeRequest")
        descriptor_pool.Default().AddSerializedFile(rpc.SerializeToString())
        theirs = descriptor_pool.Default().FindMessageTypeByName("mvccpb.KeyValue")

        from etcd3.rpc import Stubs, etcdserverpb, mvccpb

        ours = mvccpb.KeyValue(key=b"k", mod_revision=2)
        assert ours.key == b"k"
        assert [f.name for f in theirs.fields] == ["other"]
        assert etcdserverpb.RangeRequest(key=b"a").key == b"a"
        assert etcdserverpb.RangeResponse(kvs=[ours]).kvs[0].mod_revision == 2
        print("ok")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
