# async-to-sync: source
"""The asyncio client: :func:`async_client` and :class:`AsyncEtcd3Client`."""

from __future__ import annotations

from collections.abc import Sequence

from etcd3._auth_async import AsyncAuthMixin
from etcd3._base_async import GrpcOptions
from etcd3._cluster_async import AsyncClusterMixin
from etcd3._connection_async import AsyncClientInterceptor, StrPath
from etcd3._kv_async import AsyncKVMixin
from etcd3._lease_async import AsyncLeaseMixin
from etcd3._namespace_async import AsyncNamespaceMixin
from etcd3._recipes_async import AsyncRecipesMixin
from etcd3._retry import RetryPolicy
from etcd3._txn_async import AsyncTxnMixin
from etcd3._watch_async import AsyncWatchMixin

__all__ = ["AsyncEtcd3Client", "async_client"]


class AsyncEtcd3Client(
    AsyncKVMixin,
    AsyncTxnMixin,
    AsyncRecipesMixin,  # built on the watches and leases: before them in the MRO
    AsyncWatchMixin,
    AsyncLeaseMixin,
    AsyncClusterMixin,
    AsyncAuthMixin,
    AsyncNamespaceMixin,
):
    """A client for an etcd cluster (the asyncio and sync clients have the same methods).

    Use it as ``async with etcd3.async_client(...) as client:`` or call :meth:`close`. With
    ``user`` and ``password`` it authenticates before the first call.
    Every method that talks to etcd takes ``timeout_override``: ``None`` for the client's
    ``timeout``, else this call's timeout in seconds (``0`` is already expired, ``math.inf``
    is no deadline); the whole rule is in the errors guide, section "Timeouts".
    """


def async_client(
    host: str = "localhost",
    port: int = 2379,
    ca_cert: StrPath | None = None,
    cert_key: StrPath | None = None,
    cert_cert: StrPath | None = None,
    timeout: float | None = None,
    user: str | None = None,
    password: str | None = None,
    grpc_options: GrpcOptions | None = None,
    *,
    endpoints: Sequence[str] | None = None,
    retry: RetryPolicy | None = None,
    auto_sync_interval: float | None = None,
    require_leader: bool = True,
    interceptors: Sequence[AsyncClientInterceptor] | None = None,
) -> AsyncEtcd3Client:
    """Create an :class:`AsyncEtcd3Client` (the arguments are those of the class)."""
    return AsyncEtcd3Client(
        host=host,
        port=port,
        ca_cert=ca_cert,
        cert_key=cert_key,
        cert_cert=cert_cert,
        timeout=timeout,
        user=user,
        password=password,
        grpc_options=grpc_options,
        endpoints=endpoints,
        retry=retry,
        auto_sync_interval=auto_sync_interval,
        require_leader=require_leader,
        interceptors=interceptors,
    )
