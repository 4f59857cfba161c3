# Generated from etcd3/_client_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""The sync client: :func:`client` and :class:`Etcd3Client`."""

from __future__ import annotations

from etcd3._auth import AuthMixin
from etcd3._base import GrpcOptions
from etcd3._cluster import ClusterMixin
from etcd3._connection import StrPath
from etcd3._kv import KVMixin
from etcd3._lease import LeaseMixin
from etcd3._txn import TxnMixin
from etcd3._watch import WatchMixin

__all__ = ["Etcd3Client", "client"]


class Etcd3Client(
    KVMixin,
    TxnMixin,
    WatchMixin,
    LeaseMixin,
    ClusterMixin,
    AuthMixin,
):
    """A client for one etcd endpoint (the asyncio and sync clients have the same methods).

    Use it as ``with etcd3.client(...) as client:`` or call :meth:`close`. With
    ``user`` and ``password`` it authenticates before the first call.
    Every method takes ``timeout_override``: ``None`` for the client's ``timeout``, or this
    call's deadline in seconds (``0`` is already expired).
    """


def client(
    host: str = "localhost",
    port: int = 2379,
    ca_cert: StrPath | None = None,
    cert_key: StrPath | None = None,
    cert_cert: StrPath | None = None,
    timeout: float | None = None,
    user: str | None = None,
    password: str | None = None,
    grpc_options: GrpcOptions | None = None,
) -> Etcd3Client:
    """Create an :class:`Etcd3Client` (the arguments are those of the class)."""
    return Etcd3Client(
        host=host,
        port=port,
        ca_cert=ca_cert,
        cert_key=cert_key,
        cert_cert=cert_cert,
        timeout=timeout,
        user=user,
        password=password,
        grpc_options=grpc_options,
    )
