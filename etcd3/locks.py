"""``etcd3.locks`` of python-etcd3: the client's ``Lock``."""

from etcd3._lock import Lock

__all__ = ["Lock"]
