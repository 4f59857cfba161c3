# async-to-sync: source
"""The asyncio client: [`async_client`][etcd3.async_client] and
[`AsyncEtcd3Client`][etcd3.AsyncEtcd3Client]."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from etcd3._auth_async import AsyncAuthMixin
from etcd3._base_async import GrpcOptions
from etcd3._cluster_async import AsyncClusterMixin
from etcd3._connection_async import AsyncClientInterceptor, StrPath
from etcd3._kv_async import AsyncKVMixin
from etcd3._lease_async import AsyncLeaseMixin
from etcd3._namespace_async import AsyncNamespaceMixin
from etcd3._recipes_async import AsyncRecipesMixin
from etcd3._txn_async import AsyncTxnMixin
from etcd3._watch_async import AsyncWatchMixin

if TYPE_CHECKING:
    from etcd3._retry import RetryPolicy

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

    Make one with ``etcd3.async_client(...)`` or this constructor (the same arguments), and use
    it as ``async with etcd3.async_client(...) as client:`` or call
    [`close`][etcd3.AsyncEtcd3Client.close]. With ``user`` and ``password`` it authenticates before
    the first call. Every method that talks to etcd takes ``timeout_override``: ``None`` for the
    client's ``timeout``, else this call's timeout in seconds (``0`` is already expired,
    ``math.inf`` is no deadline); the whole rule is in the errors guide, section "Timeouts".

    Args:
        host: The etcd member's host name or address; or, naming the port too,
            ``"host:port"`` or a URL ``"http://host:port"`` / ``"https://host:port"`` (the
            scheme decides TLS).
        port: The member's client port (a port named in ``host`` wins over the default). Its
            digits as a ``str`` work too, as they did with the predecessors.
        ca_cert: Path of a CA certificate file (PEM): TLS, verifying the server's certificate
            against it. Without it the channel is plaintext (or, for an ``https://``
            endpoint, TLS verified against the system's roots).
        cert_key: Path of the client's private key file (PEM) for mutual TLS, with
            ``cert_cert`` and ``ca_cert``.
        cert_cert: Path of the client's certificate file (PEM) for mutual TLS, with
            ``cert_key`` and ``ca_cert``.
        timeout: The default timeout of each call, in seconds; ``None`` (the default) or
            ``math.inf`` for no deadline. A call's ``timeout_override`` replaces it.
        user: The user name to authenticate as (with ``password``).
        password: That user's password.
        grpc_options: Extra grpc channel options (``("grpc.max_receive_message_length",
            n)`` pairs or a mapping), overriding the client's own key by key.
        endpoints: Several members to fail over between, instead of ``host``/``port``:
            ``"host:port"``, ``"http://host:port"`` or ``"https://host:port"`` (TLS, verified
            with ``ca_cert`` if given, else the system's roots). Calls go to one member
            (sticky) and move to another when it fails.
        retry: How failed calls are retried: a [RetryPolicy][etcd3.RetryPolicy] (default
            ``RetryPolicy()``: 5 attempts, backoff from 0.05 s to 1 s, 2 s per attempt of a
            read); ``RetryPolicy.disabled()`` turns retries off. Writes are retried only when
            they provably never reached etcd.
        auto_sync_interval: Seconds between refreshes of the endpoint list from the
            cluster's member list; ``None`` (the default) keeps the given endpoints.
        require_leader: Refuse a member that has lost its leader: its calls fail fast (and
            move on to another member) and its watch and keep-alive streams are cancelled,
            instead of stalling silently.
        interceptors: grpc client interceptors wrapping the channel of every endpoint, in
            order (e.g. OpenTelemetry's): they see each attempt of a unary call and each
            stream. Each is one of grpc's four kinds of client interceptor (unary-unary,
            unary-stream, stream-unary, stream-stream): see
            [AsyncClientInterceptor][etcd3.AsyncClientInterceptor]. ``grpc.aio``, which
            clients built on asyncio use, files an object under the first kind it implements
            only: pass one object per kind.

    Raises:
        TypeError: ``interceptors`` that are not interceptors of this client's kind, or
            another argument of the wrong type.
        ValueError: ``ca_cert`` with only one of ``cert_key``/``cert_cert``, only one of
            ``user``/``password``, a negative timeout, a bad port or ``host``, a port named
            in ``host`` and another in ``port``, a malformed endpoint, or ``endpoints``
            together with a non-default ``host``/``port``.
    """


def async_client(
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
) -> AsyncEtcd3Client:
    """Create an [AsyncEtcd3Client][etcd3.AsyncEtcd3Client], the client of an etcd cluster.

    Use it as ``async with etcd3.async_client(...) as client:`` or call ``close()``.

    Args:
        host: The etcd member's host name or address; or, naming the port too,
            ``"host:port"`` or a URL ``"http://host:port"`` / ``"https://host:port"`` (the
            scheme decides TLS).
        port: The member's client port (a port named in ``host`` wins over the default). Its
            digits as a ``str`` work too, as they did with the predecessors.
        ca_cert: Path of a CA certificate file (PEM): TLS, verifying the server's certificate
            against it. Without it the channel is plaintext (or, for an ``https://``
            endpoint, TLS verified against the system's roots).
        cert_key: Path of the client's private key file (PEM) for mutual TLS, with
            ``cert_cert`` and ``ca_cert``.
        cert_cert: Path of the client's certificate file (PEM) for mutual TLS, with
            ``cert_key`` and ``ca_cert``.
        timeout: The default timeout of each call, in seconds; ``None`` (the default) or
            ``math.inf`` for no deadline. A call's ``timeout_override`` replaces it.
        user: The user name to authenticate as (with ``password``).
        password: That user's password.
        grpc_options: Extra grpc channel options (``("grpc.max_receive_message_length",
            n)`` pairs or a mapping), overriding the client's own key by key.
        endpoints: Several members to fail over between, instead of ``host``/``port``:
            ``"host:port"``, ``"http://host:port"`` or ``"https://host:port"`` (TLS, verified
            with ``ca_cert`` if given, else the system's roots). Calls go to one member
            (sticky) and move to another when it fails.
        retry: How failed calls are retried: a [RetryPolicy][etcd3.RetryPolicy] (default
            ``RetryPolicy()``: 5 attempts, backoff from 0.05 s to 1 s, 2 s per attempt of a
            read); ``RetryPolicy.disabled()`` turns retries off. Writes are retried only when
            they provably never reached etcd.
        auto_sync_interval: Seconds between refreshes of the endpoint list from the
            cluster's member list; ``None`` (the default) keeps the given endpoints.
        require_leader: Refuse a member that has lost its leader: its calls fail fast (and
            move on to another member) and its watch and keep-alive streams are cancelled,
            instead of stalling silently.
        interceptors: grpc client interceptors wrapping the channel of every endpoint, in
            order (e.g. OpenTelemetry's): they see each attempt of a unary call and each
            stream. Each is one of grpc's four kinds of client interceptor (unary-unary,
            unary-stream, stream-unary, stream-stream): see
            [AsyncClientInterceptor][etcd3.AsyncClientInterceptor]. ``grpc.aio``, which
            clients built on asyncio use, files an object under the first kind it implements
            only: pass one object per kind.

    Raises:
        TypeError: ``interceptors`` that are not interceptors of this client's kind, or
            another argument of the wrong type.
        ValueError: ``ca_cert`` with only one of ``cert_key``/``cert_cert``, only one of
            ``user``/``password``, a negative timeout, a bad port or ``host``, a port named
            in ``host`` and another in ``port``, a malformed endpoint, or ``endpoints``
            together with a non-default ``host``/``port``.

    Returns:
        The new client.
    """
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
