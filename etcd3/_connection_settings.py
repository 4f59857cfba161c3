"""What a connection is made of: endpoints, TLS material, channel options, interceptors.

``ConnectionSettings`` parses and checks a connection's arguments once, at construction
(bad arguments fail there, before any channel exists), for [`Connection`][etcd3.Connection] and
[`AsyncConnection`][etcd3.AsyncConnection] alike, and tells each endpoint's channel how to connect.

Channel settings, chosen for etcd:

- ``grpc.max_receive_message_length`` = 2**31 - 1, as etcd's Go client: grpc's 4 MiB default
  fails ranges of a few tens of thousands of keys, and the server sends up to that much anyway.
- Keepalive pings every 10 s while calls (watches included) are active, answered within 5 s, so
  a dead or frozen member is noticed within 15 s even by a stream that sees no traffic (a
  unary call notices sooner: its per-attempt deadline, see [`RetryPolicy`][etcd3.RetryPolicy]).
  Both ``grpc.keepalive_timeout_ms`` and ``grpc.http2.ping_timeout_ms`` are set: grpcio
  times pings out by the latter (60 s by default).
  etcd refuses pings closer than 5 s apart (``--grpc-keepalive-min-time``) and pings on a
  connection without calls, answering both with GOAWAY "too_many_pings": hence 10 s and no
  pings without calls.
  ``grpc.http2.max_pings_without_data`` = 0 keeps pinging a watch that sees no traffic.

User ``grpc_options`` override these key by key.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence

import grpc
import grpc.aio

from etcd3._endpoints import EndpointSpec, parse_endpoints
from etcd3._timeouts import timeout_arg

__all__ = [
    "CONNECT_TIMEOUT_MS",
    "DEFAULT_ENDPOINT",
    "KEEPALIVE_TIMEOUT_MS",
    "KEEPALIVE_TIME_MS",
    "MAX_RECEIVE_MESSAGE_LENGTH",
    "MAX_RECONNECT_BACKOFF_MS",
    "ChannelSettings",
    "ConnectionSettings",
    "GrpcOptionValue",
    "GrpcOptions",
    "StrPath",
    "TLSConfig",
    "channel_options",
    "check_interceptors",
]

DEFAULT_ENDPOINT = "127.0.0.1:2379"

GrpcOptionValue = int | str | bytes
"""The value of a grpc channel option."""

GrpcOptions = Iterable[tuple[str, GrpcOptionValue]] | Mapping[str, GrpcOptionValue]
"""grpc channel options, as (key, value) pairs or a mapping."""

StrPath = str | os.PathLike[str]

ChannelSettings = tuple[
    grpc.ChannelCredentials | None, Iterable[tuple[str, GrpcOptionValue]] | None
]
"""Per-endpoint channel credentials (``None``: plaintext) and options overriding ours."""

MAX_RECEIVE_MESSAGE_LENGTH = 2**31 - 1
KEEPALIVE_TIME_MS = 10_000
KEEPALIVE_TIMEOUT_MS = 5_000
CONNECT_TIMEOUT_MS = 5_000
MAX_RECONNECT_BACKOFF_MS = 2_000

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
    "grpc.max_reconnect_backoff_ms": MAX_RECONNECT_BACKOFF_MS,
    # Despite its name, grpc reads this as the least time a connection attempt is given
    # (default 20 s). Too short and a member that answers the handshake late (just
    # restarted, a loaded host) is never connected to; too long and an attempt that a frozen
    # member swallowed (TCP accepted, no HTTP/2 settings) holds the re-open of a watch with
    # no other endpoint for that long. grpc.http2.settings_timeout would cut such an attempt
    # short too, but it has the same trade-off and also bounds every settings ack of an open
    # connection: it keeps grpc's default.
    "grpc.min_reconnect_backoff_ms": CONNECT_TIMEOUT_MS,
}

_SYNC_INTERCEPTOR_TYPES = (
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
)


def channel_options(grpc_options: GrpcOptions | None) -> list[tuple[str, GrpcOptionValue]]:
    """Our default channel options, overridden key by key by ``grpc_options``.

    Args:
        grpc_options: User options as (key, value) pairs or a mapping; ``None`` for none.

    Returns:
        The options to create the channel with, one entry per key.

    Raises:
        TypeError: ``grpc_options`` is neither a mapping nor pairs of an option name (``str``)
            and its value.
    """
    options = dict(_DEFAULT_OPTIONS)
    if grpc_options is not None:
        if isinstance(grpc_options, (str, bytes)):
            raise TypeError(_OPTIONS_SHAPE + f", not {type(grpc_options).__name__}")
        pairs = grpc_options.items() if isinstance(grpc_options, Mapping) else grpc_options
        for pair in pairs:
            if not (
                isinstance(pair, (tuple, list)) and len(pair) == 2 and isinstance(pair[0], str)
            ):
                raise TypeError(_OPTIONS_SHAPE + f", got {pair!r} among them")
            key, value = pair
            options[key] = value
    return list(options.items())


_OPTIONS_SHAPE = (
    "grpc_options must be a mapping or (name, value) pairs, e.g. "
    "[('grpc.max_receive_message_length', 8 << 20)]"
)


_PEM_CERTIFICATE = b"CERTIFICATE-----"
_PEM_PRIVATE_KEY = b"PRIVATE KEY-----"


def _read(path: StrPath, what: str, holds: bytes) -> bytes:
    """The bytes of the PEM file ``path`` given as ``what``, which must hold ``holds``."""
    # pathlib (with urllib.parse and ipaddress behind it) costs more to import than this
    # module: only a client given TLS files pays for it.
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {what} {os.fspath(path)!r}: {exc.strerror}") from exc
    if holds not in data:
        # grpc only fails at the first connection, with "Failed to create security handshaker".
        found = (
            "a private key"
            if _PEM_PRIVATE_KEY in data
            else "a certificate"
            if _PEM_CERTIFICATE in data
            else "neither a certificate nor a private key"
        )
        wanted = "a certificate" if holds == _PEM_CERTIFICATE else "a private key"
        raise ValueError(
            f"{what} {os.fspath(path)!r} must hold {wanted} (PEM), but it holds {found}"
        )
    return data


class TLSConfig:
    """TLS material read once from files: server-verified TLS, or mTLS with a client cert.

    Args:
        ca_cert: PEM file of the CA that signed the server's certificate.
        cert_key: PEM file of the client's private key (mTLS).
        cert_cert: PEM file of the client's certificate chain (mTLS).

    Raises:
        ValueError: Only one of ``cert_key`` / ``cert_cert`` given, or a file is unreadable
            or does not hold what it is given as (a certificate, a private key).
    """

    def __init__(
        self, ca_cert: StrPath, cert_key: StrPath | None = None, cert_cert: StrPath | None = None
    ) -> None:
        if (cert_key is None) != (cert_cert is None):
            raise ValueError(
                "cert_key and cert_cert go together: pass both for mTLS or neither for TLS"
            )
        self.root_certificates = _read(ca_cert, "ca_cert", _PEM_CERTIFICATE)
        self.private_key = (
            None if cert_key is None else _read(cert_key, "cert_key", _PEM_PRIVATE_KEY)
        )
        self.certificate_chain = (
            None if cert_cert is None else _read(cert_cert, "cert_cert", _PEM_CERTIFICATE)
        )

    @classmethod
    def from_arguments(
        cls, ca_cert: StrPath | None, cert_key: StrPath | None, cert_cert: StrPath | None
    ) -> TLSConfig | None:
        """The TLS setup for the client arguments: ``None`` (plaintext) without ``ca_cert``.

        Client certificate files without ``ca_cert`` are ignored, as the predecessors ignored
        them, so that their programs connect as they did; a WARNING on ``etcd3.transport`` says
        so, since whoever passed them probably meant TLS.

        Raises:
            ValueError: With ``ca_cert``, only one of the client certificate files.
        """
        if ca_cert is None:
            if cert_key is not None or cert_cert is not None:
                logging.getLogger("etcd3.transport").warning(
                    "cert_key and cert_cert are ignored without ca_cert: "
                    "no client certificate is presented"
                )
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


class ConnectionSettings:
    """A connection's checked arguments, and the channel settings of each endpoint.

    Args:
        endpoint: One endpoint or several (see [`Connection`][etcd3.Connection]).
        ca_cert: CA file: TLS verifying the server; without it the channel is plaintext.
        cert_key: Client key file for mTLS.
        cert_cert: Client certificate file for mTLS.
        timeout: Default deadline of unary calls in seconds (``None``: none).
        grpc_options: Channel options, overriding ours key by key.
        channel_settings: Per-endpoint (``host:port``) credentials and options, overriding the
            TLS arguments for that endpoint.

    Raises:
        ValueError: Inconsistent TLS arguments, a negative timeout, unreadable files, a
            malformed endpoint.
    """

    def __init__(
        self,
        endpoint: str | Sequence[str],
        *,
        ca_cert: StrPath | None,
        cert_key: StrPath | None,
        cert_cert: StrPath | None,
        timeout: float | None,
        grpc_options: GrpcOptions | None,
        channel_settings: Mapping[str, ChannelSettings] | None,
    ) -> None:
        self.specs = parse_endpoints(endpoint)
        """The endpoints, in order."""
        self.timeout = timeout_arg(timeout)
        """Default deadline of unary calls in seconds (``None``: none)."""
        self._tls = TLSConfig.from_arguments(ca_cert, cert_key, cert_cert)
        self._options = channel_options(grpc_options)
        self._overrides = {
            target: (credentials, channel_options(options))
            for target, (credentials, options) in (channel_settings or {}).items()
        }

    def channel_settings(
        self, spec: EndpointSpec
    ) -> tuple[grpc.ChannelCredentials | None, list[tuple[str, GrpcOptionValue]]]:
        """The credentials (``None``: plaintext) and options of ``spec``'s channel."""
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
    def uses_tls(self) -> bool:
        """Whether any endpoint's channel uses TLS."""
        return any(self._is_secure(spec) for spec in self.specs)

    @property
    def secure_without_client_cert(self) -> bool:
        """Whether TLS is used without a client certificate (an mTLS server would refuse)."""
        return self.uses_tls and (self._tls is None or not self._tls.has_client_cert)
