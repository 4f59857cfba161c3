"""``etcd3.exceptions`` of python-etcd3 and etcd3-client: their seven error classes.

They are the classes of [`etcd3.errors`][etcd3.errors] (``Etcd3Exception`` is
[`etcd3.EtcdError`][etcd3.errors.Etcd3Exception]), which holds one class for every other error etcd
reports.
"""

from etcd3.errors import (
    ConnectionFailedError,
    ConnectionTimeoutError,
    Etcd3Exception,
    InternalServerError,
    PreconditionFailedError,
    RevisionCompactedError,
    WatchTimedOut,
)

__all__ = [
    "ConnectionFailedError",
    "ConnectionTimeoutError",
    "Etcd3Exception",
    "InternalServerError",
    "PreconditionFailedError",
    "RevisionCompactedError",
    "WatchTimedOut",
]
