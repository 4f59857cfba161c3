"""etcd's protobuf messages, enums and constants in one namespace.

The predecessors' ``etcd3.etcdrpc``: ``etcdrpc.RangeRequest``, ``etcdrpc.Compare.EQUAL``,
``etcdrpc.KeyValue``, ``etcdrpc.AlarmType.CORRUPT``, ``etcdrpc.NOSPACE``... Here they are the
generated, typed classes of [`etcd3.rpc`][etcd3.rpc] (``etcdserverpb``, ``mvccpb`` and ``authpb``),
in etcd3's private descriptor pool, exactly the flat names ``etcd3.rpc`` itself offers. Enums are
Python ``IntEnum`` classes; nested enums' values are also message attributes
(``etcdrpc.RangeRequest.ASCEND``) and top-level ones module constants, as in a ``_pb2`` module.
"""

# python-etcd3's package imported its generated modules: ``etcd3.etcdrpc.rpc_pb2`` (and
# ``kv_pb2``, ``auth_pb2``) work after ``import etcd3.etcdrpc`` alone.
from etcd3.etcdrpc import auth_pb2, kv_pb2, rpc_pb2  # noqa: F401
from etcd3.rpc import _flat
from etcd3.rpc._flat import *  # noqa: F403

__all__: list[str] = []
__all__ += _flat.__all__
