"""``etcd3.client`` of python-etcd3 and etcd3-client, as a module.

Both predecessors: ``Etcd3Client``, ``client``, ``Transactions``, ``KVMetadata``, ``Status``,
``Alarm``. python-etcd3 only: ``EtcdTokenCallCredentials``.

``from etcd3.client import Etcd3Client`` imports from this module, while the attribute
``etcd3.client`` stays the function that makes a client: ``import etcd3`` loads this module
first and then leaves the name ``client`` to its lazy lookup, and the import system binds a
submodule to its package only when it first loads it. The package loads this module at every
``import etcd3``, so its names load on first use too (``etcd3._lazy``).
"""

from etcd3._lazy import TYPE_CHECKING

if TYPE_CHECKING:
    from etcd3._client import Etcd3Client, client
    from etcd3._cluster_views import Alarm, Status
    from etcd3._legacy.credentials import EtcdTokenCallCredentials
    from etcd3._transactions.operators import Transactions
    from etcd3._views import KVMetadata
else:
    from etcd3 import _lazy

    __getattr__, __dir__ = _lazy.attach(
        __name__,
        globals(),
        {
            "etcd3._client": ("Etcd3Client", "client"),
            "etcd3._cluster_views": ("Alarm", "Status"),
            "etcd3._legacy.credentials": ("EtcdTokenCallCredentials",),
            "etcd3._transactions.operators": ("Transactions",),
            "etcd3._views": ("KVMetadata",),
        },
    )

__all__ = [
    "Alarm",
    "Etcd3Client",
    "EtcdTokenCallCredentials",
    "KVMetadata",
    "Status",
    "Transactions",
    "client",
]
