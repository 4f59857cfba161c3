"""python-etcd3's ``etcd3.etcdrpc.rpc_pb2``: the messages and enums of etcd's ``rpc.proto``.

The same classes as ``etcd3.rpc.etcdserverpb`` (and the flat ``etcd3.etcdrpc``),
for code that imports the module python-etcd3 generated; its grpc stubs are not here (the
client's ``rpc`` attribute makes every call).
"""

from etcd3.rpc import etcdserverpb
from etcd3.rpc.etcdserverpb import *  # noqa: F403

__all__: list[str] = []
__all__ += etcdserverpb.__all__
