# async-to-sync: source
"""Connections: the entry point to the generated RPC layer.

[`AsyncConnection`][etcd3.AsyncConnection] owns one gRPC channel per endpoint, the failover-capable
caller over them (``etcd3._transport``: retries, failover, token renewal) and the generated stubs,
exposed as ``.rpc``:

    async with AsyncConnection("127.0.0.1:2379", timeout=5) as conn:
        await conn.rpc.kv.put(key=b"a", value=b"1")
        print((await conn.rpc.kv.range(key=b"a")).kvs)

Arguments and channel options: ``etcd3._connection_settings``.

User grpc client interceptors (tracing, metrics, extra metadata) wrap every endpoint's channel:
``grpc.intercept_channel`` for the sync connection, the ``interceptors=`` of the
``grpc.aio`` channel for the asyncio one. They see every call, streams included, and every
attempt of a retried call (the failover transport sits above the channel).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from typing_extensions import Self

from etcd3._acompat import ASYNC
from etcd3._connection_settings import (
    DEFAULT_ENDPOINT,
    KEEPALIVE_TIME_MS,
    KEEPALIVE_TIMEOUT_MS,
    ChannelSettings,
    ConnectionSettings,
    GrpcOptions,
    GrpcOptionValue,
    StrPath,
    check_interceptors,
)
from etcd3._endpoints import EndpointSpec
from etcd3._runtime import DEFAULT_TIMEOUT, Timeout
from etcd3._transport import AsyncGrpcCaller
from etcd3._transport._grpc_async import (
    AsyncChannel,
    AsyncChannelInUse,
    AsyncClientInterceptor,
    open_at_construction,
    open_channel,
)
from etcd3._validate import credentials
from etcd3.rpc.services import AsyncStubs

if TYPE_CHECKING:
    from etcd3._retry import RetryPolicy

__all__ = [
    "DEFAULT_ENDPOINT",
    "KEEPALIVE_TIMEOUT_MS",
    "KEEPALIVE_TIME_MS",
    "AsyncClientInterceptor",
    "AsyncConnection",
    "ChannelSettings",
    "GrpcOptionValue",
    "StrPath",
]


class AsyncConnection:
    """A connection to etcd: channels, the failover transport and the stubs as ``.rpc``.

    Channels are opened on first use. With ``user`` and ``password`` the connection logs in
    before anything else is sent: a sync connection in its constructor (wrong credentials fail
    there), an asyncio one on its first call or in [`open`][etcd3.AsyncConnection.open], since no
    event loop may run in a constructor and a grpc.aio channel belongs to the loop that uses it. Use
    an asyncio connection within one event loop.

    Args:
        endpoint: One endpoint or several (failover between them): ``"host:port"``,
            ``"http://host:port"`` or ``"https://host:port"`` (TLS; with ``ca_cert`` if given,
            else the system's roots), or a grpc target such as ``"unix:path"``.
        ca_cert: CA file: TLS verifying the server; without it the channel is plaintext.
        cert_key: Client key file for mTLS (with ``cert_cert`` and ``ca_cert``).
        cert_cert: Client certificate file for mTLS (with ``cert_key`` and ``ca_cert``).
        timeout: Default deadline of unary calls in seconds (``None``: none); streams have none.
        user: User to log in as (with ``password``), within ``timeout``.
        password: The user's password.
        grpc_options: Channel options, overriding ours key by key.
        retry: Retry policy of unary calls (default ``RetryPolicy()``; see
            [`RetryPolicy`][etcd3.RetryPolicy]).
        require_leader: Calls and streams (except Maintenance) ask for a member with a leader.
        auto_sync_interval: Seconds between endpoint refreshes from MemberList (``None``: off).
        channel_settings: Per-endpoint (``host:port``) credentials and options, overriding the
            TLS arguments for that endpoint.
        interceptors: grpc client interceptors wrapping every endpoint's channel, in order
            (sync: ``grpc.*ClientInterceptor``; asyncio: ``grpc.aio.ClientInterceptor``).

    Raises:
        TypeError: An interceptor of the wrong kind; a ``user`` or ``password`` that is not
            a ``str``.
        ValueError: Inconsistent TLS or auth arguments, a negative timeout, unreadable files,
            a malformed endpoint.
        EtcdError: The sync connection's login failed (e.g.
            [`AuthFailedError`][etcd3.errors.AuthFailedError]).
    """

    def __init__(
        self,
        endpoint: str | Sequence[str] = DEFAULT_ENDPOINT,
        *,
        ca_cert: StrPath | None = None,
        cert_key: StrPath | None = None,
        cert_cert: StrPath | None = None,
        timeout: float | None = None,
        user: str | None = None,
        password: str | None = None,
        grpc_options: GrpcOptions | None = None,
        retry: RetryPolicy | None = None,
        require_leader: bool = True,
        auto_sync_interval: float | None = None,
        channel_settings: Mapping[str, ChannelSettings] | None = None,
        interceptors: Sequence[AsyncClientInterceptor] | None = None,
    ) -> None:
        self._login_as = credentials(user, password)
        self._settings = ConnectionSettings(
            endpoint,
            ca_cert=ca_cert,
            cert_key=cert_key,
            cert_cert=cert_cert,
            timeout=timeout,
            grpc_options=grpc_options,
            channel_settings=channel_settings,
        )
        check_interceptors(interceptors, asyncio=ASYNC)
        self._interceptors: tuple[AsyncClientInterceptor, ...] = tuple(interceptors or ())
        self._caller = AsyncGrpcCaller(
            endpoints=self._settings.specs,
            channel_factory=self._open_channel,
            default_timeout=timeout,
            secure_without_client_cert=self._settings.secure_without_client_cert,
            prepare=self._log_in if self._login_as is not None else None,
            retry=retry,
            require_leader=require_leader,
            auto_sync_interval=auto_sync_interval,
            tls=self._settings.uses_tls,
            channel_interceptors=bool(self._interceptors),
        )
        self.rpc: AsyncStubs = AsyncStubs(self._caller)
        """The generated service stubs: ``rpc.kv``, ``rpc.watch``, ``rpc.lease``, ..."""
        open_at_construction(self)

    def _open_channel(self, spec: EndpointSpec) -> AsyncChannel:
        credentials, options = self._settings.channel_settings(spec)
        return open_channel(spec.target, credentials, options, self._interceptors)

    async def _log_in(self, timeout: Timeout) -> None:
        if self._login_as is not None:
            await self._caller.authenticate(*self._login_as, timeout)

    @property
    def caller(self) -> AsyncGrpcCaller:
        """The transport (deadlines, token, retries, failover) behind [`rpc`][etcd3.rpc]."""
        return self._caller

    @property
    def channel(self) -> AsyncChannelInUse:
        """The grpc channel of the endpoint in use.

        Under asyncio ``None`` before the first call (which opens it inside its event loop) and
        after ``close``; once closed, the sync connection raises
        [`ConnectionClosedError`][etcd3.errors.ConnectionClosedError] instead.
        """
        return self._caller.channel

    @property
    def timeout(self) -> float | None:
        """Default deadline of unary calls in seconds (``None``: none)."""
        return self._settings.timeout

    @property
    def uses_secure_channel(self) -> bool:
        """Whether the channels use TLS."""
        return self._settings.uses_tls

    @property
    def endpoint(self) -> str:
        """The endpoint (``host:port``) in use: where the next call goes."""
        return self._caller.endpoint_in_use

    @property
    def endpoints(self) -> tuple[str, ...]:
        """Every endpoint (``host:port``), in order."""
        return self._caller.endpoints

    @property
    def closed(self) -> bool:
        """Whether [`close`][etcd3.AsyncConnection.close] was called."""
        return self._caller.closed

    def stream_stalled(self, stream: object) -> None:
        """Report that ``stream`` (opened through [`rpc`][etcd3.rpc]) stopped answering.

        Its endpoint is then avoided for a while, as after a connection error, and the
        streams on it end with [`ConnectionFailedError`][etcd3.errors.ConnectionFailedError], so
        their owners re-open them on another member. Never blocks; other objects are ignored.

        Args:
            stream: The stalled stream.
        """
        self._caller.stream_stalled(stream)

    async def open(self) -> Self:
        """Log in now if ``user`` and ``password`` were given and that is not done yet.

        Returns:
            This connection.

        Raises:
            AuthFailedError: Wrong user name or password.
            EtcdError: Any other failure.
        """
        await self._caller.ensure_prepared()
        return self

    async def authenticate(
        self, user: str, password: str, *, timeout: Timeout = DEFAULT_TIMEOUT
    ) -> str:
        """Log in and send the returned token with every later call; an expired token is
        renewed with these credentials from then on.

        Args:
            user: The user name.
            password: The password.
            timeout: Deadline of the Authenticate call (default: the connection's).

        Returns:
            The token.

        Raises:
            AuthFailedError: Wrong user name or password.
            EtcdError: Any other failure.
        """
        token = await self._caller.authenticate(user, password, timeout)
        self._login_as = user, password
        return token

    async def close(self) -> None:
        """Close the channels; later calls raise ``ConnectionClosedError``. Idempotent."""
        await self._caller.close()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
