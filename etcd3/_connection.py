"""Channels and connections: the entry point to the generated RPC layer.

:class:`Connection` (sync) and :class:`AsyncConnection` (asyncio) own one gRPC channel per
endpoint, the failover-capable caller over them (:mod:`etcd3._transport`: retries, failover,
token refresh) and the generated stubs, exposed as ``.rpc``::

    with Connection("127.0.0.1:2379", timeout=5) as conn:
        conn.rpc.kv.put(key=b"a", value=b"1")
        print(conn.rpc.kv.range(key=b"a").kvs)

    async with AsyncConnection("127.0.0.1:2379") as conn:
        await conn.rpc.kv.range(key=b"a")

Channel settings, chosen for etcd:

- ``grpc.max_receive_message_length`` = 2**31 - 1, as etcd's Go client: grpc's 4 MiB default
  fails ranges of a few tens of thousands of keys, and the server sends up to that much anyway.
- Keepalive pings every 10 s while calls (watches included) are active, answered within 5 s, so
  a dead or frozen member is noticed within 15 s even by a stream that sees no traffic (a
  unary call notices sooner: its per-attempt deadline, see :class:`~etcd3.RetryPolicy`).
  Both ``grpc.keepalive_timeout_ms`` and ``grpc.http2.ping_timeout_ms`` are set: grpcio
  times pings out by the latter (60 s by default).
  etcd refuses pings closer than 5 s apart (``--grpc-keepalive-min-time``) and pings on a
  connection without calls, answering both with GOAWAY "too_many_pings": hence 10 s and no
  pings without calls.
  ``grpc.http2.max_pings_without_data`` = 0 keeps pinging a watch that sees no traffic.

User ``grpc_options`` override these key by key.

User grpc client interceptors (tracing, metrics, extra metadata) wrap every endpoint's channel:
``grpc.intercept_channel`` for the sync connection, the ``interceptors=`` of the
``grpc.aio`` channel for the asyncio one. They see every call, streams included, and every
attempt of a retried call (the failover transport sits above the channel).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeAlias

import grpc
import grpc.aio
from typing_extensions import Self

from etcd3._endpoints import EndpointSpec, parse_endpoints
from etcd3._retry import RetryPolicy
from etcd3._runtime import DEFAULT_TIMEOUT, Timeout
from etcd3._transport import AsyncGrpcCaller, GrpcCaller
from etcd3.rpc.services import AsyncStubs, Stubs

__all__ = [
    "DEFAULT_ENDPOINT",
    "AsyncClientInterceptor",
    "AsyncConnection",
    "ClientInterceptor",
    "Connection",
    "GrpcOptionValue",
    "TLSConfig",
    "channel_options",
]

DEFAULT_ENDPOINT = "127.0.0.1:2379"

GrpcOptionValue = int | str | bytes
"""The value of a grpc channel option."""

StrPath = str | os.PathLike[str]

ClientInterceptor: TypeAlias = (
    grpc.UnaryUnaryClientInterceptor
    | grpc.UnaryStreamClientInterceptor
    | grpc.StreamUnaryClientInterceptor
    | grpc.StreamStreamClientInterceptor
)
"""A grpc client interceptor for the sync client (an instance of one of grpc's four kinds)."""

AsyncClientInterceptor: TypeAlias = grpc.aio.ClientInterceptor
"""A grpc.aio client interceptor for the asyncio client (e.g. a
``grpc.aio.UnaryUnaryClientInterceptor`` or ``grpc.aio.StreamStreamClientInterceptor``)."""

_SYNC_INTERCEPTOR_TYPES = (
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
)

ChannelSettings = tuple[
    grpc.ChannelCredentials | None, Iterable[tuple[str, GrpcOptionValue]] | None
]
"""Per-endpoint channel credentials (``None``: plaintext) and options overriding ours."""

MAX_RECEIVE_MESSAGE_LENGTH = 2**31 - 1
KEEPALIVE_TIME_MS = 10_000
KEEPALIVE_TIMEOUT_MS = 5_000
CONNECT_TIMEOUT_MS = 5_000

_DEFAULT_OPTIONS: dict[str, GrpcOptionValue] = {
    "grpc.max_receive_message_length": MAX_RECEIVE_MESSAGE_LENGTH,
    "grpc.keepalive_time_ms": KEEPALIVE_TIME_MS,
    "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
    # grpcio bounds an unanswered ping by this one (default 60 s), not by keepalive_timeout:
    # without it a frozen member's connection would be noticed only after a minute.
    "grpc.http2.ping_timeout_ms": KEEPALIVE_TIMEOUT_MS,
    "grpc.keepalive_permit_without_calls": 0,
    "grpc.http2.max_pings_without_data": 0,
    # grpc's reconnect backoff grows to 120 s by default: a member restarted after a minute
    # would stay "Connection refused" for up to two more. Cap it so recovery takes seconds.
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 2_000,
    # Despite its name, grpc reads this as the least time a connection attempt is given
    # (default 20 s). Too short (it was 100 ms) and a member that answers the handshake late
    # (just restarted, a loaded host) is never connected to; too long and an attempt that a
    # frozen or not-yet-serving member swallowed holds a watch re-open for 20 s.
    "grpc.min_reconnect_backoff_ms": CONNECT_TIMEOUT_MS,
}


def channel_options(
    grpc_options: Iterable[tuple[str, GrpcOptionValue]] | Mapping[str, GrpcOptionValue] | None,
) -> list[tuple[str, GrpcOptionValue]]:
    """Our default channel options, overridden key by key by ``grpc_options``.

    Args:
        grpc_options: User options as (key, value) pairs or a mapping; ``None`` for none.

    Returns:
        The options to create the channel with, one entry per key.
    """
    options = dict(_DEFAULT_OPTIONS)
    if grpc_options is not None:
        pairs = grpc_options.items() if isinstance(grpc_options, Mapping) else grpc_options
        for key, value in pairs:
            options[key] = value
    return list(options.items())


def _read(path: StrPath, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {what} {os.fspath(path)!r}: {exc.strerror}") from exc


class TLSConfig:
    """TLS material read once from files: server-verified TLS, or mTLS with a client cert.

    Args:
        ca_cert: PEM file of the CA that signed the server's certificate.
        cert_key: PEM file of the client's private key (mTLS).
        cert_cert: PEM file of the client's certificate chain (mTLS).

    Raises:
        ValueError: Only one of ``cert_key`` / ``cert_cert`` given, or a file is unreadable.
    """

    def __init__(
        self, ca_cert: StrPath, cert_key: StrPath | None = None, cert_cert: StrPath | None = None
    ) -> None:
        if (cert_key is None) != (cert_cert is None):
            raise ValueError(
                "cert_key and cert_cert go together: pass both for mTLS or neither for TLS"
            )
        self.root_certificates = _read(ca_cert, "ca_cert")
        self.private_key = _read(cert_key, "cert_key") if cert_key is not None else None
        self.certificate_chain = _read(cert_cert, "cert_cert") if cert_cert is not None else None

    @classmethod
    def from_arguments(
        cls, ca_cert: StrPath | None, cert_key: StrPath | None, cert_cert: StrPath | None
    ) -> TLSConfig | None:
        """The TLS setup for the client arguments: ``None`` (plaintext) without ``ca_cert``.

        Raises:
            ValueError: Client certificate files without ``ca_cert``, or only one of them.
        """
        if ca_cert is None:
            if cert_key is not None or cert_cert is not None:
                raise ValueError("cert_key and cert_cert need ca_cert (TLS)")
            return None
        return cls(ca_cert, cert_key, cert_cert)

    @property
    def has_client_cert(self) -> bool:
        """Whether a client certificate is presented (mTLS)."""
        return self.certificate_chain is not None

    def credentials(self) -> grpc.ChannelCredentials:
        """grpc channel credentials for this material."""
        return grpc.ssl_channel_credentials(
            root_certificates=self.root_certificates,
            private_key=self.private_key,
            certificate_chain=self.certificate_chain,
        )


def check_interceptors(interceptors: object, *, asyncio: bool) -> None:
    """Validate user interceptors at construction time, before any channel exists.

    Args:
        interceptors: What the caller passed (``None`` for none).
        asyncio: Whether they are for the asyncio client (``grpc.aio`` interceptors) or the
            sync one (``grpc.*ClientInterceptor``).

    Raises:
        TypeError: Not a sequence, or an item of the wrong kind (e.g. a sync interceptor given
            to the asyncio client).
    """
    if interceptors is None:
        return
    kinds: tuple[type, ...]
    if asyncio:
        kinds, expected = (grpc.aio.ClientInterceptor,), "grpc.aio.ClientInterceptor instances"
    else:
        kinds = _SYNC_INTERCEPTOR_TYPES
        expected = "instances of grpc.UnaryUnaryClientInterceptor (or UnaryStream, StreamUnary, "
        expected += "StreamStream)"
    if isinstance(interceptors, (str, bytes)) or not isinstance(interceptors, Sequence):
        raise TypeError(f"interceptors must be a sequence of {expected}, got {interceptors!r}")
    for item in interceptors:
        if not isinstance(item, kinds):
            hint = ""
            if asyncio and isinstance(item, _SYNC_INTERCEPTOR_TYPES):
                hint = " (a sync grpc interceptor: the asyncio client needs grpc.aio ones)"
            elif not asyncio and isinstance(item, grpc.aio.ClientInterceptor):
                hint = " (a grpc.aio interceptor: the sync client needs grpc.* ones)"
            raise TypeError(f"interceptors must be {expected}, got {type(item).__qualname__}{hint}")


def _check_credentials(user: str | None, password: str | None) -> None:
    if (user is None) != (password is None):
        raise ValueError("user and password go together: pass both or neither")


class _ConnectionBase:
    """Argument handling shared by :class:`Connection` and :class:`AsyncConnection`."""

    _caller: GrpcCaller | AsyncGrpcCaller

    def __init__(
        self,
        endpoint: str | Sequence[str],
        *,
        ca_cert: StrPath | None,
        cert_key: StrPath | None,
        cert_cert: StrPath | None,
        timeout: float | None,
        user: str | None,
        password: str | None,
        grpc_options: Iterable[tuple[str, GrpcOptionValue]] | Mapping[str, GrpcOptionValue] | None,
        channel_settings: Mapping[str, ChannelSettings] | None = None,
    ) -> None:
        _check_credentials(user, password)
        if timeout is not None and not timeout >= 0:
            raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout!r}")
        self._specs = parse_endpoints(endpoint)
        self._tls = TLSConfig.from_arguments(ca_cert, cert_key, cert_cert)
        self._options = channel_options(grpc_options)
        self._timeout = timeout
        self._user = user
        self._password = password
        self._overrides = {
            target: (credentials, channel_options(options))
            for target, (credentials, options) in (channel_settings or {}).items()
        }

    def _channel_settings(
        self, spec: EndpointSpec
    ) -> tuple[grpc.ChannelCredentials | None, list[tuple[str, GrpcOptionValue]]]:
        override = self._overrides.get(spec.target)
        if override is not None:
            return override
        return self._credentials(spec), self._options

    def _is_secure(self, spec: EndpointSpec) -> bool:
        # An explicit scheme wins; a bare host:port uses TLS when ca_cert was given.
        return spec.secure if spec.secure is not None else self._tls is not None

    def _credentials(self, spec: EndpointSpec) -> grpc.ChannelCredentials | None:
        if not self._is_secure(spec):
            return None
        if self._tls is not None:
            return self._tls.credentials()
        return grpc.ssl_channel_credentials()  # https:// without ca_cert: the system's roots

    @property
    def _uses_tls(self) -> bool:
        return any(self._is_secure(spec) for spec in self._specs)

    @property
    def timeout(self) -> float | None:
        """Default deadline of unary calls in seconds (``None``: none)."""
        return self._timeout

    @property
    def uses_secure_channel(self) -> bool:
        """Whether the channels use TLS."""
        return self._uses_tls

    @property
    def _secure_without_client_cert(self) -> bool:
        return self._uses_tls and (self._tls is None or not self._tls.has_client_cert)

    def stream_stalled(self, stream: object) -> None:
        """Report that ``stream`` (opened through :attr:`rpc`) stopped answering.

        Its endpoint is then avoided for a while, as after a connection error, and the
        streams on it end with :class:`~etcd3.errors.ConnectionFailedError`, so their owners
        re-open them on another member. Never blocks; other objects are ignored.

        Args:
            stream: The stalled stream.
        """
        self._caller.stream_stalled(stream)


class Connection(_ConnectionBase):
    """A sync connection to etcd: channels, the failover transport and the stubs as ``.rpc``.

    Args:
        endpoint: One endpoint or several (failover between them): ``"host:port"``,
            ``"http://host:port"`` or ``"https://host:port"`` (TLS; with ``ca_cert`` if given,
            else the system's roots), or a grpc target such as ``"unix:path"``.
        ca_cert: CA file: TLS verifying the server; without it the channel is plaintext.
        cert_key: Client key file for mTLS (with ``cert_cert`` and ``ca_cert``).
        cert_cert: Client certificate file for mTLS (with ``cert_key`` and ``ca_cert``).
        timeout: Default deadline of unary calls in seconds (``None``: none); streams have none.
        user: User to authenticate as (with ``password``), within ``timeout``.
        password: The user's password.
        grpc_options: Channel options, overriding ours key by key.
        retry: Retry policy of unary calls (default ``RetryPolicy()``; see
            :class:`~etcd3.RetryPolicy`).
        require_leader: Calls and streams (except Maintenance) ask for a member with a leader.
        auto_sync_interval: Seconds between endpoint refreshes from MemberList (``None``: off).
        channel_settings: Per-endpoint (``host:port``) credentials and options, overriding the
            TLS arguments for that endpoint.
        interceptors: grpc client interceptors wrapping every endpoint's channel, in order
            (sync: ``grpc.*ClientInterceptor``; asyncio: ``grpc.aio.ClientInterceptor``).

    Raises:
        TypeError: An interceptor of the wrong kind.
        ValueError: Inconsistent TLS or auth arguments, a negative timeout, unreadable files,
            a malformed endpoint.
        EtcdError: Authentication failed (e.g. :class:`~etcd3.errors.AuthFailedError`).
    """

    _caller: GrpcCaller

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
        grpc_options: Iterable[tuple[str, GrpcOptionValue]]
        | Mapping[str, GrpcOptionValue]
        | None = None,
        retry: RetryPolicy | None = None,
        require_leader: bool = True,
        auto_sync_interval: float | None = None,
        channel_settings: Mapping[str, ChannelSettings] | None = None,
        interceptors: Sequence[ClientInterceptor] | None = None,
    ) -> None:
        super().__init__(
            endpoint,
            ca_cert=ca_cert,
            cert_key=cert_key,
            cert_cert=cert_cert,
            timeout=timeout,
            user=user,
            password=password,
            grpc_options=grpc_options,
            channel_settings=channel_settings,
        )
        check_interceptors(interceptors, asyncio=False)
        self._interceptors: tuple[ClientInterceptor, ...] = tuple(interceptors or ())
        self._caller = GrpcCaller(
            endpoints=self._specs,
            channel_factory=self._new_channel,
            default_timeout=timeout,
            secure_without_client_cert=self._secure_without_client_cert,
            retry=retry,
            require_leader=require_leader,
            auto_sync_interval=auto_sync_interval,
            tls=self._uses_tls,
        )
        self.rpc: Stubs = Stubs(self._caller)
        """The generated service stubs: ``rpc.kv``, ``rpc.watch``, ``rpc.lease``, ..."""
        if user is not None and password is not None:
            try:
                self.authenticate(user, password)
            except BaseException:
                self.close()
                raise

    def _new_channel(self, spec: EndpointSpec) -> grpc.Channel:
        credentials, options = self._channel_settings(spec)
        if credentials is None:
            channel = grpc.insecure_channel(spec.target, options=options)
        else:
            channel = grpc.secure_channel(spec.target, credentials, options=options)
        if self._interceptors:
            return grpc.intercept_channel(channel, *self._interceptors)
        return channel

    @property
    def caller(self) -> GrpcCaller:
        """The transport (deadlines, token, retries, failover) behind :attr:`rpc`."""
        return self._caller

    @property
    def channel(self) -> grpc.Channel:
        """The grpc channel of the endpoint in use."""
        return self._caller.channel

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
        """Whether :meth:`close` was called."""
        return self._caller.closed

    def authenticate(self, user: str, password: str, *, timeout: Timeout = DEFAULT_TIMEOUT) -> str:
        """Log in and send the returned token with every later call; an expired token is
        refreshed with these credentials from then on.

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
        token = self._caller.authenticate(user, password, timeout)
        self._user, self._password = user, password
        return token

    def close(self) -> None:
        """Close the channel; later calls raise ``ConnectionClosedError``. Idempotent."""
        self._caller.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncConnection(_ConnectionBase):
    """An asyncio connection to etcd: channels, the failover transport and stubs as ``.rpc``.

    Takes the same arguments as :class:`Connection`. The grpc.aio channel is created on first
    use, inside the running event loop, and with ``user`` and ``password`` the first call (or
    :meth:`open`, or ``async with``) authenticates before anything else is sent. Use one
    connection within one event loop.

    Raises:
        TypeError: An interceptor that is not a ``grpc.aio.ClientInterceptor``.
        ValueError: Inconsistent TLS or auth arguments, a negative timeout, unreadable files.
    """

    _caller: AsyncGrpcCaller

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
        grpc_options: Iterable[tuple[str, GrpcOptionValue]]
        | Mapping[str, GrpcOptionValue]
        | None = None,
        retry: RetryPolicy | None = None,
        require_leader: bool = True,
        auto_sync_interval: float | None = None,
        channel_settings: Mapping[str, ChannelSettings] | None = None,
        interceptors: Sequence[AsyncClientInterceptor] | None = None,
    ) -> None:
        super().__init__(
            endpoint,
            ca_cert=ca_cert,
            cert_key=cert_key,
            cert_cert=cert_cert,
            timeout=timeout,
            user=user,
            password=password,
            grpc_options=grpc_options,
            channel_settings=channel_settings,
        )
        check_interceptors(interceptors, asyncio=True)
        self._interceptors: tuple[AsyncClientInterceptor, ...] = tuple(interceptors or ())
        self._caller = AsyncGrpcCaller(
            endpoints=self._specs,
            channel_factory=self._new_channel,
            default_timeout=timeout,
            secure_without_client_cert=self._secure_without_client_cert,
            prepare=self._login if user is not None else None,
            retry=retry,
            require_leader=require_leader,
            auto_sync_interval=auto_sync_interval,
            tls=self._uses_tls,
        )
        self.rpc: AsyncStubs = AsyncStubs(self._caller)
        """The generated service stubs: ``rpc.kv``, ``rpc.watch``, ``rpc.lease``, ..."""

    def _new_channel(self, spec: EndpointSpec) -> grpc.aio.Channel:
        credentials, options = self._channel_settings(spec)
        interceptors = self._interceptors or None
        if credentials is None:
            return grpc.aio.insecure_channel(
                spec.target, options=options, interceptors=interceptors
            )
        return grpc.aio.secure_channel(
            spec.target, credentials, options=options, interceptors=interceptors
        )

    async def _login(self) -> None:
        assert self._user is not None
        assert self._password is not None
        await self._caller.authenticate(self._user, self._password, DEFAULT_TIMEOUT)

    @property
    def caller(self) -> AsyncGrpcCaller:
        """The transport (deadlines, token, retries, failover) behind :attr:`rpc`."""
        return self._caller

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
        """Whether :meth:`close` was called."""
        return self._caller.closed

    async def open(self) -> Self:
        """Authenticate now if ``user`` and ``password`` were given (else nothing to do).

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
        """Log in and send the returned token with every later call.

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
        self._user, self._password = user, password
        return token

    async def close(self) -> None:
        """Close the channel; later calls raise ``ConnectionClosedError``. Idempotent."""
        await self._caller.close()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
