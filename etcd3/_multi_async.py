# async-to-sync: source
"""python-etcd3's multi-endpoint client, built on the failover transport.

[`Endpoint`][etcd3.Endpoint] describes one member as python-etcd3 did (host, port, TLS credentials,
``time_retry``); [`AsyncMultiEndpointEtcd3Client`][etcd3.AsyncMultiEndpointEtcd3Client] is the full
client over several of them. Everything else (retries that never repeat a write, watches that
resume, token refresh) is the transport's and the client's, exactly as for
``client(endpoints=[...])``.
"""

from __future__ import annotations

from collections.abc import Sequence

from etcd3._base_async import AsyncSharedConnection
from etcd3._client_async import AsyncEtcd3Client
from etcd3._connection_async import AsyncClientInterceptor, AsyncConnection, ChannelSettings
from etcd3._endpoints import Endpoint
from etcd3._timeouts import timeout_arg
from etcd3._validate import credentials

__all__ = ["AsyncMultiEndpointEtcd3Client", "Endpoint"]


class AsyncMultiEndpointEtcd3Client(AsyncEtcd3Client):
    """A client over several endpoints (python-etcd3's ``MultiEndpointEtcd3Client``).

    Calls go to one endpoint (``endpoint_in_use``) until it fails. A failed endpoint is
    left alone for its ``time_retry``; with ``failover=True`` calls then move to a healthy one,
    else they raise [`NoServerAvailableError`][etcd3.errors.NoServerAvailableError] until it works
    again. Only calls that are safe to repeat are retried after an unknown outcome; watches resume
    on the next endpoint; a lone endpoint never stays "failed".

    Args:
        endpoints: The [`Endpoint`][etcd3.Endpoint] objects, in order of preference.
        timeout: Default timeout of each call in seconds (``None`` or ``math.inf``: no
            deadline).
        user: User name for etcd auth (with ``password``).
        password: The user's password.
        failover: Move to another endpoint when the one in use fails.
        interceptors: grpc client interceptors wrapping every endpoint's channel (see
            [`AsyncEtcd3Client`][etcd3.AsyncEtcd3Client]).

    Raises:
        ValueError: No endpoint, or only one of ``user``/``password``.
        TypeError: An endpoint that is not an [`Endpoint`][etcd3.Endpoint], or a wrong interceptor.
    """

    failover: bool
    """Whether calls move to another endpoint when the one in use fails."""
    endpoint_objects: tuple[Endpoint, ...]
    """The [`Endpoint`][etcd3.Endpoint] objects given."""

    def __init__(
        self,
        endpoints: Sequence[Endpoint] | None = None,
        timeout: float | None = None,
        user: str | None = None,
        password: str | None = None,
        failover: bool = False,
        *,
        interceptors: Sequence[AsyncClientInterceptor] | None = None,
        _shared: AsyncSharedConnection[AsyncMultiEndpointEtcd3Client] | None = None,
    ) -> None:
        if _shared is not None:
            super().__init__(_shared=_shared)
            failover = _shared.owner.failover
            endpoints = _shared.owner.endpoint_objects
        else:
            if not endpoints:
                raise ValueError("pass at least one Endpoint")
            if any(not isinstance(endpoint, Endpoint) for endpoint in endpoints):
                raise TypeError("endpoints must be Endpoint objects")
            settings: dict[str, ChannelSettings] = {
                endpoint.netloc: (endpoint.creds if endpoint.secure else None, endpoint.opts)
                for endpoint in endpoints
            }
            login = credentials(user, password)
            connection = AsyncConnection(
                [endpoint.netloc for endpoint in endpoints],
                timeout=timeout_arg(timeout),
                user=None if login is None else login[0],
                password=None if login is None else login[1],
                channel_settings=settings,
                interceptors=interceptors,
            )
            connection.caller.configure_endpoints(
                quarantine=min(endpoint.time_retry for endpoint in endpoints), failover=failover
            )
            self._attach(connection)
        self.failover = failover
        self.endpoint_objects = tuple(endpoints)
