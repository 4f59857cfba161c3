"""Every public module and name of python-etcd3 0.12 and etcd3-client 0.104 exists at its path.

One table lists each (module, name) the predecessors' users import, with the kind of object it
must be; the protobuf namespace rows (``etcd3.etcdrpc``, ``etcd3.rpc``) are made from etcd's own
descriptors: every message, enum and enum value of etcdserverpb, mvccpb and authpb.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from typing import Literal, NamedTuple

import pytest
from google.protobuf import message as pb_message
from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

import etcd3
from etcd3.rpc import _pool


class Row(NamedTuple):
    module: str
    name: str  # "Message.VALUE" for a value of a nested enum
    kind: str
    predecessor: str  # "python-etcd3", "etcd3-client" or "both"
    full_name: str = ""  # the proto full name of a protobuf row
    number: int = 0  # the number of an enum value row


# module                  name                        kind        predecessor
PATHS = """
etcd3                     client                      function    both
etcd3                     Etcd3Client                 class       both
etcd3                     Etcd3Exception              error       both
etcd3                     Transactions                class       both
etcd3                     Lease                       class       both
etcd3                     Member                      class       both
etcd3                     Lock                        class       python-etcd3
etcd3                     etcdrpc                     module      both
etcd3.etcdrpc             rpc_pb2                     module      python-etcd3
etcd3.etcdrpc             kv_pb2                      module      python-etcd3
etcd3.etcdrpc             auth_pb2                    module      python-etcd3
etcd3                     events                      module      both
etcd3                     exceptions                  module      both
etcd3                     leases                      module      both
etcd3                     transactions                module      both
etcd3                     utils                       module      both
etcd3                     watch                       module      both
etcd3                     locks                       module      python-etcd3
etcd3                     members                     module      python-etcd3
etcd3                     base                        module      etcd3-client
etcd3                     request_factory             module      etcd3-client
etcd3                     transactions2               module      etcd3-client
etcd3                     Alarm                       class       etcd3-client
etcd3                     KVMetadata                  class       etcd3-client
etcd3                     Status                      class       etcd3-client
etcd3                     GetResult                   alias       etcd3-client
etcd3                     KVResult                    alias       etcd3-client
etcd3                     TxResponse                  alias       etcd3-client
etcd3                     TxResponses                 alias       etcd3-client
etcd3                     TxResult                    alias       etcd3-client
etcd3                     Event                       class       etcd3-client
etcd3                     PutEvent                    class       etcd3-client
etcd3                     DeleteEvent                 class       etcd3-client
etcd3                     ConnectionFailedError       error       etcd3-client
etcd3                     ConnectionTimeoutError      error       etcd3-client
etcd3                     InternalServerError         error       etcd3-client
etcd3                     PreconditionFailedError     error       etcd3-client
etcd3                     RevisionCompactedError      error       etcd3-client
etcd3                     WatchTimedOut               error       etcd3-client
etcd3                     AlarmType                   enum        etcd3-client
etcd3                     WatchFilterType             alias       etcd3-client
etcd3                     BaseCompare                 class       etcd3-client
etcd3                     Value                       class       etcd3-client
etcd3                     Version                     class       etcd3-client
etcd3                     Create                      class       etcd3-client
etcd3                     Mod                         class       etcd3-client
etcd3                     Put                         class       etcd3-client
etcd3                     Get                         class       etcd3-client
etcd3                     Delete                      class       etcd3-client
etcd3                     Txn                         class       etcd3-client
etcd3                     TxCondition                 alias       etcd3-client
etcd3                     TxOp                        alias       etcd3-client
etcd3                     CompareBuilder              class       etcd3-client
etcd3                     CompareBuilderStep1         class       etcd3-client
etcd3                     OperationBuilder            class       etcd3-client
etcd3                     TransactionBuilder          class       etcd3-client
etcd3                     TransactionResponse         class       etcd3-client
etcd3                     range_end_for_key           function    etcd3-client
etcd3                     WatchCallback               alias       etcd3-client
etcd3                     WatchResponse               class       etcd3-client
etcd3                     as_get_op_result            function    etcd3-client
etcd3                     as_put_op_result            function    etcd3-client
etcd3                     as_del_op_result            function    etcd3-client
etcd3                     as_txn_op_result            function    etcd3-client
etcd3.base                KVMetadata                  class       etcd3-client
etcd3.base                Member                      class       etcd3-client
etcd3.base                Status                      class       etcd3-client
etcd3.base                Alarm                       class       etcd3-client
etcd3.base                GetResult                   alias       etcd3-client
etcd3.base                KVResult                    alias       etcd3-client
etcd3.base                TxResponse                  alias       etcd3-client
etcd3.base                TxResponses                 alias       etcd3-client
etcd3.base                TxResult                    alias       etcd3-client
etcd3.client              Etcd3Client                 class       both
etcd3.client              client                      function    both
etcd3.client              Transactions                class       both
etcd3.client              KVMetadata                  class       both
etcd3.client              Status                      class       both
etcd3.client              Alarm                       class       both
etcd3.client              EtcdTokenCallCredentials    class       python-etcd3
etcd3.events              Event                       class       both
etcd3.events              PutEvent                    class       both
etcd3.events              DeleteEvent                 class       both
etcd3.events              new_event                   function    python-etcd3
etcd3.exceptions          Etcd3Exception              error       both
etcd3.exceptions          WatchTimedOut               error       both
etcd3.exceptions          InternalServerError         error       both
etcd3.exceptions          ConnectionFailedError       error       both
etcd3.exceptions          ConnectionTimeoutError      error       both
etcd3.exceptions          PreconditionFailedError     error       both
etcd3.exceptions          RevisionCompactedError      error       both
etcd3.leases              Lease                       class       both
etcd3.locks               Lock                        class       python-etcd3
etcd3.members             Member                      class       python-etcd3
etcd3.request_factory     AlarmType                   literal     etcd3-client
etcd3.request_factory     RangeSortOrder              literal     etcd3-client
etcd3.request_factory     RangeSortTarget             literal     etcd3-client
etcd3.request_factory     WatchFilterType             alias       etcd3-client
etcd3.request_factory     build_get_range_request     function    etcd3-client
etcd3.request_factory     build_put_request           function    etcd3-client
etcd3.request_factory     build_delete_request        function    etcd3-client
etcd3.request_factory     build_alarm_request         function    etcd3-client
etcd3.request_factory     build_tx_request            function    etcd3-client
etcd3.request_factory     build_create_watch_request  function    etcd3-client
etcd3.transactions        BaseCompare                 class       both
etcd3.transactions        Value                       class       both
etcd3.transactions        Version                     class       both
etcd3.transactions        Create                      class       both
etcd3.transactions        Mod                         class       both
etcd3.transactions        Put                         class       both
etcd3.transactions        Get                         class       both
etcd3.transactions        Delete                      class       both
etcd3.transactions        Txn                         class       both
etcd3.transactions        Transactions                class       etcd3-client
etcd3.transactions        TxCondition                 alias       etcd3-client
etcd3.transactions        TxOp                        alias       etcd3-client
etcd3.transactions2       TransactionBuilder          class       etcd3-client
etcd3.transactions2       OperationBuilder            class       etcd3-client
etcd3.transactions2       CompareBuilder              class       etcd3-client
etcd3.transactions2       CompareBuilderStep1         class       etcd3-client
etcd3.transactions2       TransactionResponse         class       etcd3-client
etcd3.utils               to_bytes                    function    both
etcd3.utils               range_end_for_key           function    etcd3-client
etcd3.utils               get_secure_creds            function    etcd3-client
etcd3.utils               increment_last_byte         function    python-etcd3
etcd3.utils               lease_to_id                 function    python-etcd3
etcd3.utils               response_to_event_iterator  function    python-etcd3
etcd3.watch               WatchResponse               class       both
etcd3.watch               Watcher                     class       both
etcd3.watch               WatchCallback               alias       etcd3-client
etcd3.watch               Watch                       class       python-etcd3
"""

# The predecessors' literal types, by (module, name): the names they take.
LITERALS = {
    ("etcd3.request_factory", "AlarmType"): ("none", "no space", "corrupt"),
    ("etcd3.request_factory", "RangeSortOrder"): ("asc", "desc", "ascend", "descend"),
    ("etcd3.request_factory", "RangeSortTarget"): ("key", "value", "version", "create", "mod"),
}

# The proto files whose messages and enums both predecessors exposed in one namespace.
PROTO_FILES = (
    "etcd/api/etcdserverpb/rpc.proto",
    "etcd/api/mvccpb/kv.proto",
    "etcd/api/authpb/auth.proto",
)
PROTOBUF_MODULES = ("etcd3.etcdrpc", "etcd3.rpc")
# The predecessors' generated modules, each with one proto file's messages and enums:
# python-etcd3's under etcd3.etcdrpc, etcd3-client's under etcd3.rpc.
PB2_MODULES = {
    "etcd3.etcdrpc.rpc_pb2": ("etcd/api/etcdserverpb/rpc.proto", "python-etcd3"),
    "etcd3.etcdrpc.kv_pb2": ("etcd/api/mvccpb/kv.proto", "python-etcd3"),
    "etcd3.etcdrpc.auth_pb2": ("etcd/api/authpb/auth.proto", "python-etcd3"),
    "etcd3.rpc.rpc_pb2": ("etcd/api/etcdserverpb/rpc.proto", "etcd3-client"),
    "etcd3.rpc.kv_pb2": ("etcd/api/mvccpb/kv.proto", "etcd3-client"),
    "etcd3.rpc.auth_pb2": ("etcd/api/authpb/auth.proto", "etcd3-client"),
    "etcd3.rpc.membership_pb2": ("etcd/api/membershippb/membership.proto", "etcd3-client"),
}


def _table_rows() -> Iterator[Row]:
    for line in PATHS.strip().splitlines():
        module, name, kind, predecessor = line.split()
        yield Row(module, name, kind, predecessor)


def _enum_rows(
    module: str, prefix: str, descriptor: EnumDescriptor, predecessor: str
) -> Iterator[Row]:
    # A top-level enum's values are bound on the module (prefix ""), a nested one's on its
    # message (prefix "Message.").
    yield Row(module, prefix + descriptor.name, "enum", predecessor, descriptor.full_name)
    for value in descriptor.values:
        yield Row(module, prefix + value.name, "enum value", predecessor, number=value.number)


def _protobuf_rows() -> Iterator[Row]:
    sources: list[tuple[str, tuple[str, ...], str]]
    sources = [(module, PROTO_FILES, "both") for module in PROTOBUF_MODULES]
    sources += [(module, (path,), who) for module, (path, who) in PB2_MODULES.items()]
    for module, paths, predecessor in sources:
        for path in paths:
            file = _pool._POOL.FindFileByName(path)
            for enum_type in file.enum_types_by_name.values():
                yield from _enum_rows(module, "", enum_type, predecessor)
            for message in file.message_types_by_name.values():
                yield Row(module, message.name, "message", predecessor, message.full_name)
                for nested in message.enum_types:
                    yield from _enum_rows(module, message.name + ".", nested, predecessor)


ROWS = [*_table_rows(), *_protobuf_rows()]


def _resolve(row: Row) -> object:
    obj: object = importlib.import_module(row.module)
    for part in row.name.split("."):
        obj = getattr(obj, part)
    return obj


def _enum_items(obj: object) -> dict[str, int]:
    if isinstance(obj, EnumTypeWrapper):
        return dict(obj.items())
    assert isinstance(obj, type)
    assert issubclass(obj, enum.IntEnum), obj
    return {member.name: member.value for member in obj}


def _check_kind(row: Row, obj: object) -> None:
    if row.kind == "module":
        assert isinstance(obj, types.ModuleType)
        assert sys.modules[f"{row.module}.{row.name}"] is obj
    elif row.kind == "class":
        assert isinstance(obj, type)
        assert not issubclass(obj, BaseException)
    elif row.kind == "error":
        assert isinstance(obj, type)
        assert issubclass(obj, etcd3.EtcdError)
    elif row.kind == "function":
        assert inspect.isfunction(obj), obj
    elif row.kind == "alias":
        # A class, or a generic or union type (``tuple[...]``, ``X | Y``, ``Callable[...]``).
        assert isinstance(obj, type) or typing.get_origin(obj) is not None, obj
    elif row.kind == "literal":
        assert typing.get_origin(obj) is Literal
        assert typing.get_args(obj) == LITERALS[row.module, row.name]
    elif row.kind == "message":
        assert isinstance(obj, type)
        assert issubclass(obj, pb_message.Message)
        assert obj.DESCRIPTOR.full_name == row.full_name
    elif row.kind == "enum":
        items = _enum_items(obj)
        if row.full_name:
            descriptor = _pool._POOL.FindEnumTypeByName(row.full_name)
            assert items == {v.name: v.number for v in descriptor.values}
    elif row.kind == "enum value":
        assert isinstance(obj, int)
        assert obj == row.number
    else:
        raise AssertionError(f"unknown kind {row.kind!r}")


def _row_id(row: Row) -> str:
    return f"{row.module}:{row.name}"


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_name_exists_at_its_path(row: Row) -> None:
    obj = _resolve(row)
    _check_kind(row, obj)
    if row.module in PROTOBUF_MODULES:
        return
    if row.module in PB2_MODULES:
        # The generated package module's own object, under the name protoc's module gives it.
        path, _ = PB2_MODULES[row.module]
        own = _resolve(row._replace(module="etcd3.rpc." + path.split("/")[-2]))
        assert obj is own or (row.kind == "enum value" and obj == own)
        return
    module = importlib.import_module(row.module)
    assert row.name in module.__all__  # `from etcd3.<module> import *` gives it too
    # A re-export of the core object, not a second implementation (literals keep the
    # predecessor's meaning of a name the package uses for an enum).
    if hasattr(etcd3, row.name) and row.kind != "literal":
        assert obj is getattr(etcd3, row.name)


def test_the_table_covers_every_predecessor_module() -> None:
    modules = {row.module for row in ROWS}
    assert modules == {
        "etcd3",
        "etcd3.base",
        "etcd3.client",
        "etcd3.etcdrpc",
        "etcd3.etcdrpc.auth_pb2",
        "etcd3.etcdrpc.kv_pb2",
        "etcd3.etcdrpc.rpc_pb2",
        "etcd3.events",
        "etcd3.exceptions",
        "etcd3.leases",
        "etcd3.locks",
        "etcd3.members",
        "etcd3.request_factory",
        "etcd3.rpc",
        "etcd3.rpc.auth_pb2",
        "etcd3.rpc.kv_pb2",
        "etcd3.rpc.membership_pb2",
        "etcd3.rpc.rpc_pb2",
        "etcd3.transactions",
        "etcd3.transactions2",
        "etcd3.utils",
        "etcd3.watch",
    }
    # Messages of all three proto packages are there, for both namespaces.
    protobuf = {(row.module, row.name) for row in ROWS if row.kind == "message"}
    for module in PROTOBUF_MODULES:
        assert {(module, "RangeRequest"), (module, "KeyValue"), (module, "Permission")} <= protobuf
    assert ("etcd3.etcdrpc", "AlarmType.CORRUPT") not in {(r.module, r.name) for r in ROWS}
    assert ("etcd3.etcdrpc", "CORRUPT") in {(r.module, r.name) for r in ROWS}
    assert ("etcd3.etcdrpc", "RangeRequest.DESCEND") in {(r.module, r.name) for r in ROWS}


# Each program imports in another order, then proves `etcd3.client` is the function and the
# module `etcd3.client` holds the predecessors' names.
IMPORT_ORDERS = {
    "package first": "import etcd3\nimport etcd3.client\n",
    "module first": "import etcd3.client\nimport etcd3\n",
    "from-import first": "from etcd3.client import Etcd3Client\nimport etcd3\n",
    "as-import": "import etcd3.client as m\nimport etcd3\nassert m is etcd3.client\n",
    "shim first": "import etcd3.utils\nimport etcd3\n",
    "function first": "from etcd3 import client\nimport etcd3.client\nimport etcd3\n",
    "class first": "from etcd3 import Etcd3Client\nimport etcd3.client\nimport etcd3\n",
    "core module first": "import etcd3._client\nimport etcd3.client\nimport etcd3\n",
    "reload": "import importlib, etcd3, etcd3.client\nimportlib.reload(etcd3)\n",
}
CHECK = """
import sys, types
from etcd3.client import Etcd3Client, EtcdTokenCallCredentials, client
assert isinstance(etcd3.client, types.FunctionType), etcd3.client
assert etcd3.client is client
assert isinstance(sys.modules["etcd3.client"], types.ModuleType)
assert sys.modules["etcd3.client"].Etcd3Client is Etcd3Client is etcd3.Etcd3Client
c = etcd3.client("127.0.0.1", 1)
assert isinstance(c, Etcd3Client)
c.close()
"""


@pytest.mark.parametrize("order", IMPORT_ORDERS)
def test_etcd3_client_is_the_function_in_every_import_order(order: str) -> None:
    program = IMPORT_ORDERS[order] + CHECK
    proc = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_import_etcd3_alone_reaches_every_predecessor_module() -> None:
    """As in both predecessors, ``import etcd3`` alone makes ``etcd3.utils.X`` work."""
    program = (
        "import etcd3\n"
        "assert etcd3.exceptions.WatchTimedOut is etcd3.WatchTimedOut\n"
        "assert etcd3.utils.range_end_for_key(b'a') == b'b'\n"
        "assert etcd3.transactions2.TransactionBuilder is etcd3.TransactionBuilder\n"
        "assert etcd3.etcdrpc.NOSPACE == 1\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
