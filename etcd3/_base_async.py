# async-to-sync: source
"""What every part of the asyncio client shares: the connection, the default timeout, close.

The friendly client is one class composed of feature mixins (``_kv_async``, ``_watch_async``,
``_lease_async``, ``_cluster_async``), each a subclass of :class:`AsyncClientBase`. A mixin
that owns background work (watch streams, keep-alives) overrides :meth:`close`, stops its work
and then awaits ``super().close()``, so closing runs through every mixin exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType

from typing_extensions import Self

from etcd3._connection import AsyncConnection, GrpcOptionValue, StrPath
from etcd3._runtime import Timeout
from etcd3._validate import deadline
from etcd3.rpc.services import AsyncStubs

__all__ = ["AsyncClientBase", "GrpcOptions"]

GrpcOptions = Iterable[tuple[str, GrpcOptionValue]] | Mapping[str, GrpcOptionValue]


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

    Raises:
        ValueError: ``ca_cert`` with only one of ``cert_key``/``cert_cert``, only one of
            ``user``/``password``, a negative timeout or a bad port.
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
    ) -> None:
        if (user is None) != (password is None):
            raise ValueError("pass both user and password, or neither")
        self._conn = AsyncConnection(
            _target(host, port),
            ca_cert=ca_cert,
            cert_key=cert_key,
            cert_cert=cert_cert,
            timeout=timeout,
            user=user,
            password=password,
            grpc_options=grpc_options,
        )
        self._rpc: AsyncStubs = self._conn.rpc
        self.timeout: float | None = timeout
        """The default deadline of each call in seconds (``None``: none)."""

    @property
    def uses_secure_channel(self) -> bool:
        """Whether the channel uses TLS."""
        return self._conn.uses_secure_channel

    @property
    def rpc(self) -> AsyncStubs:
        """The generated layer: every etcd RPC, typed (``client.rpc.kv.range(...)``)."""
        return self._rpc

    @staticmethod
    def _deadline(timeout_override: float | None) -> Timeout:
        return deadline(timeout_override)

    async def close(self) -> None:
        """Stop background work and close the channel. Idempotent."""
        await self._conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
