"""``etcd3.client`` of python-etcd3 and etcd3-client, as a module.

Both predecessors: ``Etcd3Client``, ``client``, ``Transactions``, ``KVMetadata``, ``Status``,
``Alarm``. python-etcd3 only: ``EtcdTokenCallCredentials``.

``from etcd3.client import Etcd3Client`` imports from this module, while the attribute
``etcd3.client`` stays the function that makes a client: the package loads this module before
it binds the function, and the import system binds a submodule to its package only when it
first loads it.
"""

from etcd3._client import Etcd3Client, client
from etcd3._cluster_views import Alarm, Status
from etcd3._legacy.credentials import EtcdTokenCallCredentials
from etcd3._transactions.operators import Transactions
from etcd3._views import KVMetadata

__all__ = [
    "Alarm",
    "Etcd3Client",
    "EtcdTokenCallCredentials",
    "KVMetadata",
    "Status",
    "Transactions",
    "client",
]
