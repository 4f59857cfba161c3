# async-to-sync: source
"""What every part of the asyncio client shares: the connection, the default timeout, close.

The friendly client is one class composed of feature mixins (``_kv_async``, ``_watch_async``,
``_lease_async``, ``_cluster_async``, ...), each a subclass of ``AsyncClientBase``. A
mixin that owns background work (watch streams, keep-alives) overrides ``close``, stops its
work and then awaits ``super().close()``, so closing runs through every mixin exactly once.
Mixin state is a class attribute default (``None``) replaced on first use, so every client,
namespaced ones included, starts without background work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from typing_extensions import Self

from etcd3._connection_async import (
    AsyncClientInterceptor,
    AsyncConnection,
    GrpcOptionValue,
    StrPath,
)
from etcd3._record import record
from etcd3._timeouts import call_timeout, timeout_arg
from etcd3._validate import client_targets, credentials
from etcd3.rpc.services import AsyncStubs

if TYPE_CHECKING:
    from etcd3._retry import RetryPolicy

__all__ = ["AsyncClientBase", "AsyncSharedConnection", "GrpcOptions"]

GrpcOptions = Iterable[tuple[str, GrpcOptionValue]] | Mapping[str, GrpcOptionValue]

OwnerT_co = TypeVar("OwnerT_co", bound="AsyncClientBase", covariant=True)


@record
class AsyncSharedConnection(Generic[OwnerT_co]):
    """Another client's connection, for a client that calls through it without owning it.

    A namespaced client is built from one: it calls through ``rpc`` (stubs over a wrapping
    caller), takes ``owner``'s settings, and its ``close()`` leaves the connection open.

    Attributes:
        owner: The client that owns the connection (and closes it).
        rpc: The stubs the new client calls through.
    """

    owner: OwnerT_co
    rpc: AsyncStubs


class AsyncClientBase:
    """The connection and settings behind every method of the asyncio client.

    Its constructor's arguments are those of [AsyncEtcd3Client][etcd3.AsyncEtcd3Client] and
    are documented there, on the public class that ``help()`` and the reference show.
    """

    _conn: AsyncConnection
    _rpc: AsyncStubs
    _owns_connection: bool
    """``False`` for a client over another one's connection (a namespace): close leaves it."""
    timeout: float | None
    """The default timeout of each call in seconds (``None``: no deadline)."""

    def __init__(
        self,
        host: str = "localhost",
        port: int | str = 2379,
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
        _shared: AsyncSharedConnection[AsyncClientBase] | None = None,
    ) -> None:
        if _shared is not None:
            self._conn = _shared.owner._conn
            self._rpc = _shared.rpc
            self._owns_connection = False
            self.timeout = _shared.owner.timeout
            return
        targets = client_targets(host, port, endpoints)
        login = credentials(user, password)
        self._attach(
            AsyncConnection(
                targets,
                ca_cert=ca_cert,
                cert_key=cert_key,
                cert_cert=cert_cert,
                timeout=timeout_arg(timeout),
                user=None if login is None else login[0],
                password=None if login is None else login[1],
                grpc_options=grpc_options,
                retry=retry,
                require_leader=require_leader,
                auto_sync_interval=auto_sync_interval,
                interceptors=interceptors,
            )
        )

    def _attach(self, conn: AsyncConnection) -> None:
        """Call through ``conn``, and own it (the constructor's last step; subclasses that
        build their connection another way call it instead of ``__init__``)."""
        self._conn = conn
        self._rpc = conn.rpc
        self._owns_connection = True
        self.timeout = conn.timeout

    def _shared_with(self, rpc: AsyncStubs) -> AsyncSharedConnection[Self]:
        """This client's connection, for another client calling through ``rpc``."""
        return AsyncSharedConnection(self, rpc)

    @property
    def uses_secure_channel(self) -> bool:
        """Whether the channel uses TLS."""
        return self._conn.uses_secure_channel

    @property
    def endpoint_in_use(self) -> str:
        """The endpoint (``"host:port"``) calls currently go to."""
        return self._conn.endpoint

    @property
    def endpoints(self) -> tuple[str, ...]:
        """Every endpoint (``"host:port"``) of this client, in order."""
        return self._conn.endpoints

    @property
    def rpc(self) -> AsyncStubs:
        """The generated layer: every etcd RPC, typed (``client.rpc.kv.range(...)``)."""
        return self._rpc

    def _call_timeout(self, timeout_override: float | None) -> float | None:
        """The timeout of a call given ``timeout_override`` (``etcd3._timeouts``)."""
        if timeout_override is None:  # the common case, without call_timeout's frame
            return self.timeout
        return call_timeout(timeout_override, self.timeout)

    async def close(self) -> None:
        """Stop background work and close the channel. Idempotent."""
        if self._owns_connection:
            await self._conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
