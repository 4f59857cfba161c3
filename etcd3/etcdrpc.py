"""etcd's protobuf messages, enums and constants in one namespace.

The predecessor's ``etcd3.etcdrpc``: ``etcdrpc.RangeRequest``, ``etcdrpc.Compare``,
``etcdrpc.KeyValue``, ``etcdrpc.AlarmType``... Here they are the generated, typed classes of
:mod:`etcd3.rpc` (``etcdserverpb``, ``mvccpb`` and ``authpb``), in etcd3's private descriptor
pool. Enums are Python ``IntEnum`` classes; the values also exist as message attributes at run
time (``etcdrpc.RangeRequest.ASCEND``), as in the predecessor.
"""

from typing import Final

from etcd3.rpc import authpb, etcdserverpb, mvccpb
from etcd3.rpc.authpb import *  # noqa: F403
from etcd3.rpc.etcdserverpb import *  # noqa: F403
from etcd3.rpc.etcdserverpb import AlarmType
from etcd3.rpc.mvccpb import *  # noqa: F403

# protobuf's Python modules also bind each value of a top-level enum by name: the predecessors'
# ``etcdrpc.NOSPACE``.
NONE: Final = AlarmType.NONE
NOSPACE: Final = AlarmType.NOSPACE
CORRUPT: Final = AlarmType.CORRUPT

__all__ = ["CORRUPT", "NONE", "NOSPACE"]
__all__ += authpb.__all__
__all__ += etcdserverpb.__all__
__all__ += mvccpb.__all__
