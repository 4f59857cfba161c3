"""``etcd3.watch`` of python-etcd3 and etcd3-client.

Both predecessors: ``WatchResponse``, ``Watcher``. etcd3-client: ``WatchCallback``.
python-etcd3: ``Watch``.
"""

from etcd3._events import WatchCallback, WatchResponse
from etcd3._legacy.watch import Watch, Watcher

__all__ = ["Watch", "WatchCallback", "WatchResponse", "Watcher"]
