"""``etcd3.rpc`` and ``etcd3.etcdrpc``: the predecessors' flat protobuf namespace."""

from __future__ import annotations

import enum

import pytest

import etcd3
from etcd3 import etcdrpc, rpc
from etcd3.rpc import authpb, etcdserverpb, mvccpb

FLAT_MODULES = (authpb, etcdserverpb, mvccpb)


def test_flat_names_are_every_name_of_the_three_packages() -> None:
    expected = {name for module in FLAT_MODULES for name in module.__all__}
    assert set(etcdrpc.__all__) == expected
    assert len(etcdrpc.__all__) == len(expected)  # no name listed twice
    assert expected <= set(rpc.__all__)
    for module in FLAT_MODULES:
        for name in module.__all__:
            assert getattr(etcdrpc, name) is getattr(module, name), name
            assert getattr(rpc, name) is getattr(module, name), name


def test_the_generated_layer_keeps_its_modules_and_services() -> None:
    assert rpc.etcdserverpb is etcdserverpb
    assert rpc.methods.KV_RANGE.path == "/etcdserverpb.KV/Range"
    assert rpc.services.KV is rpc.KV
    assert callable(rpc.txn.op_put)
    assert rpc.server_errors.SERVER_ERRORS
    assert not {"KV", "Stubs", "txn", "methods"} & set(etcdrpc.__all__)
    assert etcd3.etcdrpc is etcdrpc


@pytest.mark.parametrize("namespace", [etcdrpc, rpc], ids=["etcd3.etcdrpc", "etcd3.rpc"])
def test_predecessor_spellings(namespace: object) -> None:
    ns = vars(namespace)
    assert ns["AlarmType"].CORRUPT == 2
    assert ns["RangeRequest"].DESCEND == 2  # nested enum values are message attributes
    assert ns["RangeRequest"].SortOrder.Value("DESCEND") == 2
    assert ns["Compare"].EQUAL == 0
    assert ns["Compare"].MOD == 2
    assert ns["ResponseOp"]().WhichOneof("response") is None
    assert ns["KeyValue"](key=b"k").key == b"k"
    assert ns["Event"].DELETE == 1
    assert ns["Permission"].READWRITE == 2
    # Top-level enum values are module constants, as in rpc_pb2.
    assert (ns["NONE"], ns["NOSPACE"], ns["CORRUPT"]) == (0, 1, 2)
    assert ns["NOSPACE"] is etcdserverpb.AlarmType.NOSPACE
    # Nested enums and their values are the generated enum and its members.
    assert ns["RangeRequest"].SortOrder is etcdserverpb.SortOrder
    assert ns["RangeRequest"].DESCEND is etcdserverpb.SortOrder.DESCEND
    assert ns["WatchCreateRequest"].NOPUT is etcdserverpb.FilterType.NOPUT
    assert ns["Event"].EventType.Name(1) == "DELETE"
    assert ns["Permission"].Type is ns["PermissionType"]


def test_enums_answer_protobufs_enum_api() -> None:
    alarm = etcdserverpb.AlarmType
    assert alarm.Name(etcdrpc.NOSPACE) == "NOSPACE"
    assert alarm.Value("CORRUPT") is alarm.CORRUPT
    assert alarm.keys() == ["NONE", "NOSPACE", "CORRUPT"]
    assert alarm.values() == [alarm.NONE, alarm.NOSPACE, alarm.CORRUPT]
    assert alarm.items() == [("NONE", 0), ("NOSPACE", 1), ("CORRUPT", 2)]
    with pytest.raises(ValueError, match="AlarmType has no name defined for value 7"):
        alarm.Name(7)
    with pytest.raises(ValueError, match="AlarmType has no value defined for name 'FULL'"):
        alarm.Value("FULL")
    # A message built with a nested constant reads back the same number.
    request = etcdrpc.RangeRequest(sort_order=etcdrpc.RangeRequest.DESCEND)
    assert etcdrpc.RangeRequest.FromString(request.SerializeToString()).sort_order == 2


def test_constants_are_the_enum_members() -> None:
    constants = [
        name for name in etcdrpc.__all__ if isinstance(getattr(etcdrpc, name), enum.IntEnum)
    ]
    assert sorted(constants) == ["CORRUPT", "NONE", "NOSPACE"]
