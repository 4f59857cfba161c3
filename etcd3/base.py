"""``etcd3.base`` of etcd3-client: the types of read, cluster and transaction results."""

from etcd3._cluster_views import Alarm, Member, Status
from etcd3._transactions.operators import TxResponse, TxResponses, TxResult
from etcd3._views import GetResult, KVMetadata, KVResult

__all__ = [
    "Alarm",
    "GetResult",
    "KVMetadata",
    "KVResult",
    "Member",
    "Status",
    "TxResponse",
    "TxResponses",
    "TxResult",
]
