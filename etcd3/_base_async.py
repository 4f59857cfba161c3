# async-to-sync: source
"""What every part of the asyncio client shares: the connection, the default timeout, close.

The friendly client is one class composed of feature mixins (``_kv_async``, ``_watch_async``,
``_lease_async``, ``_cluster_async``), each a subclass of :class:`AsyncClientBase`. A mixin
that owns background work (watch streams, keep-alives) overrides :meth:`close`, stops its work
and then awaits ``super().close()``, so closing runs through every mixin exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType

from typing_extensions import Self

from etcd3._connection_async import (
    AsyncClientInterceptor,
    AsyncConnection,
    GrpcOptionValue,
    StrPath,
)
from etcd3._retry import RetryPolicy
from etcd3._runtime import Timeout
from etcd3._validate import deadline
from etcd3.rpc.services import AsyncStubs

__all__ = ["AsyncClientBase", "GrpcOptions"]

GrpcOptions = Iterable[tuple[str, GrpcOptionValue]] | Mapping[str, GrpcOptionValue]


def _targets(host: str, port: int, endpoints: Sequence[str] | None) -> str | Sequence[str]:
    if endpoints is None:
        return _target(host, port)
    if isinstance(endpoints, (str, bytes)) or not isinstance(endpoints, Sequence):
        raise TypeError("endpoints must be a sequence of str, e.g. ['host1:2379', 'host2:2379']")
    if host != "localhost" or port != 2379:
        raise ValueError("pass either host/port or endpoints, not both")
    if not endpoints:
        raise ValueError("endpoints must name at least one endpoint")
    return endpoints


def _target(host: str, port: int) -> str:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"port must be an int in 1..65535, got {port!r}")
    # A bare IPv6 address needs brackets in a grpc target.
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class AsyncClientBase:
    """The connection and settings behind every method of the asyncio client.

    Args:
        host: etcd member host name or address.
        port: Its client port.
        ca_cert: CA certificate file: TLS verifying the server (plaintext without it).
        cert_key: Client key file for mTLS (with ``cert_cert`` and ``ca_cert``).
        cert_cert: Client certificate file for mTLS (with ``cert_key`` and ``ca_cert``).
        timeout: Default deadline of each call in seconds; ``None`` for none.
        user: User name for etcd auth (with ``password``).
        password: The user's password.
        grpc_options: Extra grpc channel options, overriding ours key by key.
        endpoints: Several members to fail over between (instead of ``host``/``port``):
            ``"host:port"``, ``"http://host:port"`` or ``"https://host:port"`` (TLS, verified
            with ``ca_cert`` if given, else the system's roots). Calls go to one member
            (sticky) and move to another when it fails.
        retry: How failed calls are retried (default ``RetryPolicy()``: 5 attempts, backoff
            from 0.05 s to 1 s, 2 s per attempt of a read); ``RetryPolicy.disabled()`` turns
            retries off. Writes are retried only when they provably never reached etcd.
        auto_sync_interval: Seconds between refreshes of the endpoint list from the cluster's
            member list (``None``, the default: keep the given endpoints).
        require_leader: Refuse to use a member that has lost its leader: its calls fail fast
            (and move on) and its watch and keep-alive streams are cancelled, instead of
            stalling silently.
        interceptors: grpc client interceptors (e.g. OpenTelemetry's) wrapping the channel of
            every endpoint, in order: they see each unary call attempt and each stream. Sync
            clients take ``grpc.UnaryUnaryClientInterceptor`` (or ``UnaryStream``,
            ``StreamUnary``, ``StreamStream``) instances; clients built on asyncio take their
            ``grpc.aio`` counterparts (grpc.aio files an object under the first kind it
            implements only: pass one object per kind).

    Raises:
        TypeError: ``interceptors`` not a sequence of interceptors of the client's kind.
        ValueError: ``ca_cert`` with only one of ``cert_key``/``cert_cert``, only one of
            ``user``/``password``, a negative timeout, a bad port, a malformed endpoint, or
            ``endpoints`` together with a non-default ``host``/``port``.
    """

    def __init__(
        self,
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
    ) -> None:
        if (user is None) != (password is None):
            raise ValueError("pass both user and password, or neither")
        self._attach(
            AsyncConnection(
                _targets(host, port, endpoints),
                ca_cert=ca_cert,
                cert_key=cert_key,
                cert_cert=cert_cert,
                timeout=timeout,
                user=user,
                password=password,
                grpc_options=grpc_options,
                retry=retry,
                require_leader=require_leader,
                auto_sync_interval=auto_sync_interval,
                interceptors=interceptors,
            )
        )

    def _attach(self, conn: AsyncConnection) -> None:
        """Use ``conn`` for every call (the constructor's last step; subclasses that build
        their connection differently call it instead of ``__init__``)."""
        self._conn = conn
        self._rpc: AsyncStubs = conn.rpc
        self.timeout: float | None = conn.timeout
        """The default deadline of each call in seconds (``None``: none)."""

    _owns_connection = True
    """``False`` for views over another client's connection (namespaces): close leaves it."""

    def _view(self, rpc: AsyncStubs) -> Self:
        """A client of this class sharing this one's connection, its calls going through
        ``rpc`` (stubs over a wrapping caller). It has its own watches and keep-alives, and
        closing it stops those but leaves the connection open."""
        view = object.__new__(type(self))
        view._attach(self._conn)
        view._rpc = rpc
        view._owns_connection = False
        for name, value in vars(self).items():
            if not name.startswith("_"):  # public settings, e.g. the timeout
                setattr(view, name, value)
        return view

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

    @staticmethod
    def _deadline(timeout_override: float | None) -> Timeout:
        return deadline(timeout_override)

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
