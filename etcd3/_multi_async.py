# async-to-sync: source
"""python-etcd3's multi-endpoint client (API.md §4), built on the failover transport.

:class:`Endpoint` describes one member as python-etcd3 did (host, port, TLS credentials,
``time_retry``); :class:`AsyncMultiEndpointEtcd3Client` is the full client over several of
them. Everything else (retries that never repeat a write, watches that resume, token refresh)
is the transport's and the client's, exactly as for ``client(endpoints=[...])``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import grpc

from etcd3._client_async import AsyncEtcd3Client
from etcd3._connection import AsyncConnection, ChannelSettings, GrpcOptionValue
from etcd3._endpoints import parse_endpoint

__all__ = ["AsyncMultiEndpointEtcd3Client", "Endpoint"]


class Endpoint:
    """One etcd member of a :class:`AsyncMultiEndpointEtcd3Client`.

    Args:
        host: Host name or address.
        port: Client port.
        secure: Use TLS (then ``creds`` are required).
        creds: grpc channel credentials, e.g. ``grpc.ssl_channel_credentials(...)``.
        time_retry: Seconds a failed endpoint is left alone before it is tried again.
        opts: grpc channel options for this endpoint, overriding the client's defaults.

    Raises:
        ValueError: ``secure`` without ``creds``, a bad port or a negative ``time_retry``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        secure: bool = True,
        creds: grpc.ChannelCredentials | None = None,
        time_retry: float = 300.0,
        opts: Iterable[tuple[str, GrpcOptionValue]] | None = None,
    ) -> None:
        if secure and creds is None:
            raise ValueError("a secure endpoint needs creds (grpc.ssl_channel_credentials(...))")
        if not time_retry >= 0:
            raise ValueError(f"time_retry must be >= 0 seconds, got {time_retry!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"port must be an int in 1..65535, got {port!r}")
        bracketed = f"[{host}]" if ":" in host and not host.startswith("[") else host
        self.host = host
        self.port = port
        self.secure = secure
        self.creds = creds
        self.time_retry = float(time_retry)
        self.opts = list(opts) if opts is not None else None
        self.netloc = parse_endpoint(f"{bracketed}:{port}").target
        """``host:port`` as the client reports it (:attr:`endpoint_in_use`)."""

    def __repr__(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"Endpoint({scheme}://{self.netloc}, time_retry={self.time_retry:g})"


class AsyncMultiEndpointEtcd3Client(AsyncEtcd3Client):
    """A client over several endpoints (python-etcd3's ``MultiEndpointEtcd3Client``).

    Calls go to one endpoint (:attr:`endpoint_in_use`) until it fails. A failed endpoint is
    left alone for its ``time_retry``; with ``failover=True`` calls then move to a healthy one,
    else they raise :class:`~etcd3.errors.NoServerAvailableError` until it works again. Only
    calls that are safe to repeat are retried after an unknown outcome; watches resume on the
    next endpoint; a lone endpoint never stays "failed".

    Args:
        endpoints: The :class:`Endpoint` objects, in order of preference.
        timeout: Default deadline of each call in seconds (``None``: none).
        user: User name for etcd auth (with ``password``).
        password: The user's password.
        failover: Move to another endpoint when the one in use fails.

    Raises:
        ValueError: No endpoint, or only one of ``user``/``password``.
        TypeError: An endpoint that is not an :class:`Endpoint`.
    """

    def __init__(
        self,
        endpoints: Sequence[Endpoint] | None = None,
        timeout: float | None = None,
        user: str | None = None,
        password: str | None = None,
        failover: bool = False,
    ) -> None:
        if not endpoints:
            raise ValueError("pass at least one Endpoint")
        if any(not isinstance(endpoint, Endpoint) for endpoint in endpoints):
            raise TypeError("endpoints must be Endpoint objects")
        settings: dict[str, ChannelSettings] = {
            endpoint.netloc: (endpoint.creds if endpoint.secure else None, endpoint.opts)
            for endpoint in endpoints
        }
        connection = AsyncConnection(
            [endpoint.netloc for endpoint in endpoints],
            timeout=timeout,
            user=user,
            password=password,
            channel_settings=settings,
        )
        connection.caller.configure_endpoints(
            quarantine=min(endpoint.time_retry for endpoint in endpoints), failover=failover
        )
        self._attach(connection)
        self.failover = failover
        """Whether calls move to another endpoint when the one in use fails."""
        self.endpoint_objects: tuple[Endpoint, ...] = tuple(endpoints)
        """The :class:`Endpoint` objects given."""
