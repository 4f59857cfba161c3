"""gRPC callers: the failover-capable transport behind the generated service classes.

:class:`GrpcCaller` (sync) and :class:`AsyncGrpcCaller` (asyncio) implement the
:class:`~etcd3._runtime.SyncCaller` / :class:`~etcd3._runtime.AsyncCaller` protocols over
grpcio. One caller serves a whole client: it holds one grpc channel per endpoint and owns
deadlines, call metadata (the auth token, ``hasleader``), error mapping, retries, failover and
token refresh. Nothing but an :class:`~etcd3.errors.EtcdError` leaves it (plus ``ValueError``
for a negative timeout, and ``asyncio.CancelledError`` when the awaiting task is cancelled).

- **Unary calls** go to the *preferred* endpoint (sticky). A failure is mapped, then
  :class:`~etcd3._retry.CallAttempts` decides (sans-IO) whether to send it again, where and
  after how long; see :mod:`etcd3._retry` for why a write is never applied twice. A healthy
  call pays for none of this: the success path is a dict lookup, the call and a clock read.
- **Streams** open on the preferred endpoint. When one fails with a connection-level error or
  "no leader", that endpoint is put in quarantine (:class:`~etcd3._endpoints.EndpointSet`), so
  whoever re-opens it (the watch and lease managers) lands on another member.
- **Token refresh:** after "invalid auth token" / "revision of auth store is old" the caller
  re-authenticates (one refresh shared by all threads or tasks that need it) and retries the
  call once. A stream failing so marks the token stale; the next stream opened refreshes it
  first.
- **require_leader:** calls (except Maintenance ones, which must work on a member cut off from
  its leader) carry the metadata ``hasleader: true``: a member without a leader refuses them
  at once ("etcdserver: no leader", never applied, so retried elsewhere even for writes)
  instead of letting them hang, and etcd cancels such Watch and LeaseKeepAlive streams when the
  member loses its leader, instead of leaving them silently stalled.
- **Fork safety:** after ``os.fork()`` a caller created by the parent raises
  :class:`~etcd3.errors.ClientForkedError` in the child (grpc channels do not survive a fork).
- **Auto-sync** (optional): at most once per interval, the next call refreshes the endpoint
  list from MemberList, keeping the channels of endpoints that stay.

Logging goes to the ``"etcd3.transport"`` logger: a switch to another endpoint and token refreshes
at INFO, retries and an endpoint quarantined without a switch at DEBUG; never credentials or
tokens. The ``"etcd3"`` logger has a ``NullHandler``: nothing is printed unless the application
configures logging.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, cast

import grpc
import grpc.aio
from google.protobuf.message import Message
from typing_extensions import Self

from etcd3._endpoints import EndpointSet, EndpointSpec, endpoints_from_member_urls
from etcd3._retry import CallAttempts, RetryPolicy, RetryStep, is_auth_expired, is_endpoint_failure
from etcd3._runtime import (
    DEFAULT_TIMEOUT,
    AsyncDuplexStream,
    AsyncServerStream,
    DuplexStream,
    Metadata,
    MethodInfo,
    ServerStream,
    Timeout,
)
from etcd3.errors import (
    ClientForkedError,
    ConnectionClosedError,
    ConnectionFailedError,
    ConnectionTimeoutError,
    EtcdError,
    NoServerAvailableError,
    StreamClosedError,
    error_from_status,
    map_rpc_error,
)
from etcd3.rpc.etcdserverpb import AuthenticateRequest, MemberListRequest, MemberListResponse
from etcd3.rpc.methods import AUTH_AUTHENTICATE, CLUSTER_MEMBER_LIST

__all__ = [
    "AsyncGrpcCaller",
    "AsyncGrpcDuplexStream",
    "AsyncGrpcServerStream",
    "GrpcCaller",
    "GrpcDuplexStream",
    "GrpcServerStream",
    "resolve_timeout",
]

ReqT = TypeVar("ReqT", bound=Message)
RespT = TypeVar("RespT", bound=Message)

TOKEN_METADATA_KEY = "token"
"""etcd reads the auth token from this call metadata key (CallCredentials need TLS)."""

REQUIRE_LEADER_METADATA = ("hasleader", "true")
"""Metadata asking etcd to refuse the call (cancel the stream) while it has no leader."""

# Services whose calls must work on a member without a leader (status, alarms, defragment,
# snapshot): they never carry REQUIRE_LEADER_METADATA.
_LEADERLESS_SERVICES = frozenset({"etcdserverpb.Maintenance"})

_SINGLE_CHANNEL_TARGET = "<channel>"

# A library logs, the application decides what is shown: without this, Python's last-resort
# handler would print WARNING records (e.g. a lost lease) to stderr.
logging.getLogger("etcd3").addHandler(logging.NullHandler())
_log = logging.getLogger("etcd3.transport")

_MetadataTuple = tuple[tuple[str, str | bytes], ...]
# grpc's multicallables, typed loosely: each is bound to one method's message types.
_MultiCallable = Callable[..., Any]
_monotonic = time.monotonic


def resolve_timeout(
    timeout: Timeout, default: float | None, method: str | None = None
) -> float | None:
    """Turn a per-call ``timeout`` into grpc's ``timeout=`` (seconds from now, or ``None``).

    Args:
        timeout: :data:`~etcd3._runtime.DEFAULT_TIMEOUT` (use ``default``), ``None`` (no
            deadline) or seconds.
        default: The deadline :data:`~etcd3._runtime.DEFAULT_TIMEOUT` stands for: the client's
            default for unary calls, ``None`` for streams.
        method: The gRPC path, for the error message.

    Returns:
        The deadline in seconds, or ``None`` for none.

    Raises:
        ConnectionTimeoutError: ``timeout`` (or the ``default`` it stands for) is 0: the
            deadline has expired before the call.
        ValueError: ``timeout`` is negative or not a number.
    """
    if timeout is DEFAULT_TIMEOUT:
        if default != 0:
            return default
        # A default of 0 expires as surely as an explicit 0: handed to grpc, a fast answer
        # could beat grpc's deadline timer and the call would succeed.
        timeout = default
    if timeout is None:
        return None
    if timeout > 0:
        return timeout
    if timeout == 0:
        raise ConnectionTimeoutError(
            "deadline of 0 s expired before the call was sent",
            code=grpc.StatusCode.DEADLINE_EXCEEDED,
            method=method,
            retryable=False,  # the same deadline expires again
            outcome_unknown=False,  # nothing was sent
        )
    raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout!r}")


def _task_is_being_cancelled() -> bool:
    """Whether the running task has a pending cancellation request (Python 3.11+).

    Tells a ``CancelledError`` aimed at the awaiting task (propagate it) from one grpc raises
    because the *call* was cancelled locally (by ``cancel()`` or by closing the channel).
    Python 3.10 cannot tell; there a locally cancelled call is assumed to be the cause.
    """
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else False


class _Endpoint:
    """One endpoint's channel (created on first use) and its multicallables."""

    __slots__ = ("calls", "channel", "spec", "target")

    def __init__(self, spec: EndpointSpec, channel: Any = None) -> None:
        self.spec = spec
        self.target = spec.target
        self.channel: Any = channel
        self.calls: dict[str, _MultiCallable] = {}


# Every live caller, so that a fork can disable them all in the child.
_LIVE_CALLERS: weakref.WeakSet[_CallerCore] = weakref.WeakSet()


def _disable_callers_in_child() -> None:
    for caller in list(_LIVE_CALLERS):
        caller._forked_away()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_disable_callers_in_child)


class _MovableStream(Protocol):
    _target: str | None
    _method: MethodInfo[Any, Any]

    def _move(self, error: EtcdError) -> None: ...


class _Next:
    """The shells' instruction after a failed attempt: refresh the token, or a retry step."""

    __slots__ = ("capped", "delay", "endpoint", "refresh", "timeout")

    def __init__(
        self,
        endpoint: _Endpoint,
        timeout: float | None,
        capped: bool,
        delay: float = 0.0,
        refresh: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.capped = capped
        self.delay = delay
        self.refresh = refresh


class _CallerCore:
    """State and logic shared by the sync and asyncio callers (no I/O)."""

    def __init__(
        self,
        specs: Sequence[EndpointSpec],
        *,
        default_timeout: float | None,
        metadata: Metadata | None,
        secure_without_client_cert: bool,
        retry: RetryPolicy | None,
        require_leader: bool,
        auto_sync_interval: float | None,
        tls: bool,
    ) -> None:
        if default_timeout is not None and not default_timeout >= 0:
            raise ValueError(f"timeout must be >= 0 seconds or None, got {default_timeout!r}")
        if auto_sync_interval is not None and not auto_sync_interval > 0:
            raise ValueError(
                f"auto_sync_interval must be > 0 seconds or None, got {auto_sync_interval!r}"
            )
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy or None, got {type(retry).__name__}")
        self._default_timeout = default_timeout
        self._policy = retry if retry is not None else RetryPolicy()
        self._attempt_cap = self._policy.attempt_timeout if self._policy.max_attempts > 1 else None
        self._set = EndpointSet([spec.target for spec in specs])
        self._endpoints: dict[str, _Endpoint] = {spec.target: _Endpoint(spec) for spec in specs}
        self._current = self._endpoints[self._set.preferred]
        self._lock = threading.Lock()
        self._tls = tls
        self._require_leader = require_leader
        self._base_metadata: _MetadataTuple = tuple(metadata or ())
        self._token: str | None = None
        self._token_stale = False
        self._credentials: tuple[str, str] | None = None
        self._md_plain: _MetadataTuple | None = None
        self._md_leader: _MetadataTuple | None = None
        self._rebuild_metadata()
        self._secure_without_client_cert = secure_without_client_cert
        self._closed = False
        self._forked = False
        self._failover = True
        # Streams running, by endpoint: moved off an endpoint that a call found failed.
        self._live_streams: weakref.WeakSet[_MovableStream] = weakref.WeakSet()
        self._auto_sync_interval = auto_sync_interval
        self._next_sync: float | None = (
            None if auto_sync_interval is None else _monotonic() + auto_sync_interval
        )
        _LIVE_CALLERS.add(self)

    # --- Settings and state -------------------------------------------------------------

    @property
    def default_timeout(self) -> float | None:
        """The deadline of unary calls made with ``DEFAULT_TIMEOUT`` (``None``: none)."""
        return self._default_timeout

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of unary calls."""
        return self._policy

    @property
    def token(self) -> str | None:
        """The auth token sent with every call, if any."""
        return self._token

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def endpoints(self) -> tuple[str, ...]:
        """Every endpoint (``host:port``), in order."""
        return self._set.targets

    @property
    def endpoint_in_use(self) -> str:
        """The preferred endpoint: where the next call goes."""
        return self._current.target

    def set_token(self, token: str | None) -> None:
        """Send ``token`` as the ``token`` metadata of every later call (``None``: stop).

        Args:
            token: An etcd auth token from ``Authenticate``.
        """
        self._token = token
        self._rebuild_metadata()

    def set_credentials(self, user: str | None, password: str | None) -> None:
        """Remember the credentials used to refresh an expired token (``None``: forget them)."""
        self._credentials = (user, password) if user is not None and password is not None else None

    def _rebuild_metadata(self) -> None:
        token = self._token
        extra: _MetadataTuple = ((TOKEN_METADATA_KEY, token),) if token is not None else ()
        plain = (*self._base_metadata, *extra)
        self._md_plain = plain or None
        self._md_leader = (
            (*plain, REQUIRE_LEADER_METADATA) if self._require_leader else plain or None
        )

    def _call_metadata(
        self, method: MethodInfo[Any, Any], metadata: Metadata | None
    ) -> _MetadataTuple | None:
        md = self._md_plain if method.service in _LEADERLESS_SERVICES else self._md_leader
        if metadata:
            return (*(md or ()), *metadata)
        return md

    def _anonymous_metadata(self, method: MethodInfo[Any, Any]) -> _MetadataTuple | None:
        # Authenticate must not carry a stale token: etcd checks it before anything else.
        md = self._base_metadata
        if self._require_leader and method.service not in _LEADERLESS_SERVICES:
            md = (*md, REQUIRE_LEADER_METADATA)
        return md or None

    # --- Errors -------------------------------------------------------------------------

    def map_error(self, exc: grpc.RpcError, method: MethodInfo[Any, Any]) -> EtcdError:
        """The :class:`EtcdError` for a failed call (its flags follow the method's safety)."""
        if self._closed or self._forked:
            err: EtcdError = self.closed_error(method, in_flight=True)
            err.__cause__ = exc
            return err
        return map_rpc_error(
            exc,
            method=method.path,
            secure_without_client_cert=self._secure_without_client_cert,
            retry_safe=method.retry_safe,
        )

    def status_error(
        self, code: grpc.StatusCode, details: str, method: MethodInfo[Any, Any]
    ) -> EtcdError:
        """The :class:`EtcdError` for a finished call's non-OK status."""
        if self._closed or self._forked:
            return self.closed_error(method, in_flight=True)
        return error_from_status(
            code,
            details,
            method=method.path,
            secure_without_client_cert=self._secure_without_client_cert,
            retry_safe=method.retry_safe,
        )

    def stream_failed(self, error: EtcdError, target: str) -> EtcdError:
        """Note a stream's failure on ``target``, then return ``error`` (for ``raise``).

        A connection-level error or a member without a leader puts the endpoint in
        quarantine, so the owner's next stream opens elsewhere; an expired token is
        refreshed before the next stream opens.
        """
        if self._closed or self._forked:
            return error
        if is_auth_expired(error):
            self._token_stale = True
        elif is_endpoint_failure(error):
            self._mark_failed(target, _monotonic(), error)
            self._move_streams(target, error)
        return error

    def stream_stalled(self, stream: object) -> None:
        """Note that ``stream`` stopped answering: its endpoint is treated as failed.

        A stream on a paused or partitioned member fails nothing; only its owner notices that
        answers stopped coming (e.g. a keep-alive renewal unanswered in time). The endpoint
        is then quarantined as after a connection error and the streams on it (``stream``
        included) end with :class:`~etcd3.errors.ConnectionFailedError`, so their owners
        re-open them on another member. Never blocks; streams not made by this caller, or
        not started yet, are ignored.

        Args:
            stream: A stream returned by this caller's ``server_stream`` or ``bidi_stream``.
        """
        if not isinstance(stream, _StreamState) or stream._caller is not self:
            return
        target = stream._target
        if target is None or self._closed or self._forked:
            return
        stream._reported = True
        self.stream_failed(
            ConnectionFailedError(
                f"a stream on {target} stopped answering",
                method=stream._method.path,
                retry_safe=stream._method.retry_safe,
            ),
            target,
        )

    def _move_streams(self, target: str, error: EtcdError) -> None:
        """End the streams running on ``target`` (found failed) with a connection error, so
        their owners re-open them on a working endpoint now, not when keepalive notices.
        """
        for stream in list(self._live_streams):
            if stream._target == target:
                stream._move(
                    ConnectionFailedError(
                        f"endpoint {target} failed ({type(error).__name__}); "
                        "re-open the stream to continue on another endpoint",
                        method=stream._method.path,
                        retry_safe=stream._method.retry_safe,
                    )
                )

    def closed_error(
        self, method: MethodInfo[Any, Any] | None = None, *, in_flight: bool = False
    ) -> ConnectionClosedError:
        """The error for a call attempted after :meth:`close` (or in a forked child).

        Args:
            method: The call's method, when known.
            in_flight: The call was sent before the client closed: a call that changes state
                then has an unknown outcome.
        """
        path = None if method is None else method.path
        unknown = in_flight and method is not None and not method.retry_safe
        if self._forked:
            return ClientForkedError(method=path, outcome_unknown=unknown)
        return ConnectionClosedError(method=path, outcome_unknown=unknown)

    # --- Endpoints ----------------------------------------------------------------------

    def configure_endpoints(
        self,
        *,
        quarantine: float | None = None,
        failover: bool = True,
    ) -> None:
        """Adjust endpoint handling before first use (the compatibility layer's knobs).

        Args:
            quarantine: A fixed time in seconds a failed endpoint is skipped (no growth, no
                jitter); ``None`` keeps the default growing quarantine.
            failover: ``False``: never move to another endpoint; a failed endpoint's calls
                raise :class:`~etcd3.errors.NoServerAvailableError` instead.
        """
        with self._lock:
            if quarantine is not None:
                self._set = EndpointSet(
                    self._set.targets,
                    base_quarantine=quarantine,
                    max_quarantine=quarantine,
                    jitter=0.0,
                )
                self._current = self._endpoints[self._set.preferred]
            self._failover = failover

    def _mark_failed(self, target: str, now: float, error: EtcdError) -> None:
        with self._lock:
            before = self._current.target
            preferred = self._set.mark_failed(target, now)
            if not self._failover:
                self._set.prefer(before)
                preferred = before
            self._current = self._endpoints.get(preferred, self._current)
        if preferred != before:
            _log.info(
                "etcd3: endpoint %s failed (%s); now using %s",
                target,
                type(error).__name__,
                preferred,
            )
        else:
            _log.debug("etcd3: endpoint %s failed (%s); avoiding it", target, type(error).__name__)

    def _mark_ok(self, endpoint: _Endpoint) -> None:
        with self._lock:
            before = self._current.target
            preferred = self._set.mark_ok(endpoint.target)
            self._current = self._endpoints.get(preferred, self._current)
        if preferred != before:
            _log.info("etcd3: now using endpoint %s", preferred)

    def _decide(
        self,
        attempts: CallAttempts,
        error: EtcdError,
        endpoint: _Endpoint,
        capped: bool,
        refreshed: bool,
    ) -> _Next | None:
        """What follows a failed attempt (``None``: raise ``error``); marks failed endpoints."""
        now = _monotonic()
        if not refreshed and self._credentials is not None and is_auth_expired(error):
            remaining = attempts.remaining(now)
            if remaining is not None and remaining <= 0:
                return None
            timeout = self._policy.attempt_deadline(attempts.retry_safe, remaining)
            capped = timeout is not None and (remaining is None or timeout < remaining)
            return _Next(endpoint, timeout, capped, refresh=True)
        failover = is_endpoint_failure(error) or (
            capped and isinstance(error, ConnectionTimeoutError)
        )
        target = endpoint.target
        if failover:
            self._mark_failed(target, now, error)
            self._move_streams(target, error)
            if not self._failover:
                unavailable = NoServerAvailableError(
                    f"endpoint {target} failed and failover is off: {error}",
                    method=error.method,
                    retryable=error.retryable,
                    outcome_unknown=error.outcome_unknown,
                )
                unavailable.__cause__ = error
                raise unavailable
            with self._lock:
                target = self._set.next_after_failure(now, attempts.tried | {endpoint.target})
        fresh = target != endpoint.target and target not in attempts.tried
        step: RetryStep | None = attempts.on_failure(
            error, endpoint.target, now, failover=failover, next_is_fresh=fresh
        )
        if step is None:
            return None
        next_endpoint = self._endpoints.get(target, self._current)
        _log.debug(
            "etcd3: retrying %s on %s in %.3f s after %s",
            error.method,
            next_endpoint.target,
            step.delay,
            type(error).__name__,
        )
        return _Next(next_endpoint, step.timeout, step.capped, delay=step.delay)

    def _first_attempt_timeout(
        self, method: MethodInfo[Any, Any], deadline: float | None
    ) -> float | None:
        cap = self._attempt_cap
        if cap is not None and method.retry_safe and (deadline is None or deadline > cap):
            return cap
        return deadline

    def _sync_due(self, now: float) -> bool:
        """Whether an auto-sync should start now (claims it: later calls see it not due)."""
        interval = self._auto_sync_interval
        if interval is None or self._closed:
            return False
        with self._lock:
            if self._next_sync is None or now < self._next_sync:
                return False
            self._next_sync = now + interval
        return True

    def _apply_members(self, response: MemberListResponse) -> list[_Endpoint]:
        """Use the members' client URLs as endpoints; returns endpoints dropped (to close)."""
        urls = [url for member in response.members for url in member.clientURLs]
        specs = endpoints_from_member_urls(urls, self._tls)
        if not specs:
            return []
        with self._lock:
            if not self._set.replace([spec.target for spec in specs]):
                return []
            old = self._endpoints
            self._endpoints = {
                spec.target: old.get(spec.target) or _Endpoint(spec) for spec in specs
            }
            self._current = self._endpoints[self._set.preferred]
            dropped = [ep for target, ep in old.items() if target not in self._endpoints]
        _log.info("etcd3: endpoints synced from the member list: %s", ", ".join(self._set.targets))
        return dropped

    # --- Channels -----------------------------------------------------------------------

    def _open_channel(self, spec: EndpointSpec) -> Any:
        raise NotImplementedError

    def _multicallable(self, endpoint: _Endpoint, method: MethodInfo[Any, Any]) -> _MultiCallable:
        if self._closed or self._forked:
            raise self.closed_error(method)
        if endpoint.channel is None:
            endpoint.channel = self._open_channel(endpoint.spec)
        factory = getattr(endpoint.channel, method.kind.value)
        try:
            # Registered methods skip a per-call lookup in grpc's core (grpcio >= 1.63).
            multicallable: _MultiCallable = factory(
                method.path,
                request_serializer=method.request_type.SerializeToString,
                response_deserializer=method.response_type.FromString,
                _registered_method=True,
            )
        except TypeError:
            multicallable = factory(
                method.path,
                request_serializer=method.request_type.SerializeToString,
                response_deserializer=method.response_type.FromString,
            )
        endpoint.calls[method.path] = multicallable
        return multicallable

    def _forget_multicallables(self) -> None:
        # Closed callers find no cached multicallable, so every later call reaches
        # _multicallable, which raises ConnectionClosedError: no check on the hot path.
        for endpoint in list(self._endpoints.values()):
            endpoint.calls = {}

    def _forked_away(self) -> None:
        """In a child after ``os.fork()``: refuse every call, never touch the parent's grpc."""
        self._forked = True
        self._forget_multicallables()


# --- Sync --------------------------------------------------------------------------------


class GrpcCaller(_CallerCore):
    """The sync transport: implements :class:`~etcd3._runtime.SyncCaller` over grpc channels.

    Args:
        channel: A single channel to call over (tests, custom targets); or ``None`` with
            ``endpoints`` and ``channel_factory``. :meth:`close` closes it.
        endpoints: The endpoints to fail over between (with ``channel_factory``).
        channel_factory: Creates the channel of an endpoint, on its first use.
        default_timeout: Deadline in seconds of unary calls made with ``DEFAULT_TIMEOUT``
            (``None``: none). Streams have no default deadline.
        metadata: Extra metadata sent with every call.
        secure_without_client_cert: The channels use TLS without a client certificate (adds
            an mTLS hint to connection errors).
        retry: Retry policy of unary calls (default ``RetryPolicy()``).
        require_leader: Send ``hasleader`` metadata (see the module docstring).
        auto_sync_interval: Seconds between endpoint refreshes from MemberList (``None``: off).
        tls: Whether the client uses TLS (which member URLs auto-sync may use).
    """

    def __init__(
        self,
        channel: grpc.Channel | None = None,
        *,
        endpoints: Sequence[EndpointSpec] = (),
        channel_factory: Callable[[EndpointSpec], grpc.Channel] | None = None,
        default_timeout: float | None = None,
        metadata: Metadata | None = None,
        secure_without_client_cert: bool = False,
        retry: RetryPolicy | None = None,
        require_leader: bool = False,
        auto_sync_interval: float | None = None,
        tls: bool = False,
    ) -> None:
        specs, factory = _channel_setup(channel, endpoints, channel_factory)
        super().__init__(
            specs,
            default_timeout=default_timeout,
            metadata=metadata,
            secure_without_client_cert=secure_without_client_cert,
            retry=retry,
            require_leader=require_leader,
            auto_sync_interval=auto_sync_interval,
            tls=tls,
        )
        self._factory = factory
        self._auth_lock = threading.Lock()
        if channel is not None:
            self._current.channel = channel

    def _open_channel(self, spec: EndpointSpec) -> grpc.Channel:
        channel: grpc.Channel = self._factory(spec)
        return channel

    @property
    def channel(self) -> grpc.Channel:
        """The grpc channel of the endpoint in use (created now if needed)."""
        endpoint = self._current
        if endpoint.channel is None:
            if self._closed or self._forked:
                raise self.closed_error()
            endpoint.channel = self._open_channel(endpoint.spec)
        channel: grpc.Channel = endpoint.channel
        return channel

    def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        """Make a unary call, with retries and failover; see :class:`~etcd3._runtime.SyncCaller`.

        Raises:
            EtcdError: The call failed (mapped from the gRPC status) after the retries the
                policy allows.
            ValueError: ``timeout`` is negative.
        """
        endpoint = self._current
        call = endpoint.calls.get(method.path)
        if call is None:
            call = self._multicallable(endpoint, method)
        deadline = resolve_timeout(timeout, self._default_timeout, method.path)
        attempt_timeout = self._first_attempt_timeout(method, deadline)
        token = self._token
        start = _monotonic()
        if self._next_sync is not None and self._sync_due(start):
            self._auto_sync()
        try:
            response: RespT = call(
                request, timeout=attempt_timeout, metadata=self._call_metadata(method, metadata)
            )
        except grpc.RpcError as exc:
            return self._retry(
                method,
                request,
                metadata,
                CallAttempts(
                    self._policy, method.retry_safe, None if deadline is None else start + deadline
                ),
                endpoint,
                self.map_error(exc, method),
                attempt_timeout != deadline,
                token,
                anonymous=False,
            )
        except ValueError as exc:
            if not self._is_closed_channel(exc):
                raise
            raise self.closed_error(method) from exc
        return response

    def _retry(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        metadata: Metadata | None,
        attempts: CallAttempts,
        endpoint: _Endpoint,
        error: EtcdError | None,
        capped: bool,
        token: str | None,
        *,
        anonymous: bool,
        timeout: float | None = None,
    ) -> RespT:
        """Attempts after the first failed one (or all of them when ``error`` is ``None``)."""
        refreshed = anonymous
        while True:
            if error is not None:
                step = self._decide(attempts, error, endpoint, capped, refreshed)
                if step is None:
                    raise error
                if step.refresh:
                    refreshed = True
                    self._refresh_token(token)
                elif step.delay:
                    time.sleep(step.delay)
                endpoint, timeout, capped = step.endpoint, step.timeout, step.capped
            call = endpoint.calls.get(method.path)
            if call is None:
                call = self._multicallable(endpoint, method)
            token = self._token
            md = (
                self._anonymous_metadata(method)
                if anonymous
                else self._call_metadata(method, metadata)
            )
            try:
                response: RespT = call(request, timeout=timeout, metadata=md)
            except grpc.RpcError as exc:
                error = self.map_error(exc, method)
                continue
            except ValueError as exc:
                if not self._is_closed_channel(exc):
                    raise
                raise self.closed_error(method) from exc
            self._mark_ok(endpoint)
            return response

    def authenticate(self, user: str, password: str, timeout: Timeout = DEFAULT_TIMEOUT) -> str:
        """Log in (without the current token), send the new token with every later call and
        keep the credentials to refresh it when it expires.

        Args:
            user: The user name.
            password: The password (never logged nor put in error messages).
            timeout: Deadline of the whole login, retries included.

        Returns:
            The token.

        Raises:
            AuthFailedError: Wrong user name or password.
            EtcdError: Any other failure.
        """
        token = self._login(user, password, timeout)
        self.set_credentials(user, password)
        return token

    def _login(self, user: str, password: str, timeout: Timeout) -> str:
        method = AUTH_AUTHENTICATE
        deadline = resolve_timeout(timeout, self._default_timeout, method.path)
        attempts = CallAttempts(
            self._policy, method.retry_safe, None if deadline is None else _monotonic() + deadline
        )
        response = self._retry(
            method,
            AuthenticateRequest(name=user, password=password),
            None,
            attempts,
            self._current,
            None,
            False,
            None,
            anonymous=True,
            timeout=self._first_attempt_timeout(method, deadline),
        )
        self.set_token(response.token)
        self._token_stale = False
        return response.token

    def _refresh_token(self, stale: str | None) -> None:
        """Re-authenticate unless another thread already replaced the ``stale`` token."""
        credentials = self._credentials
        if credentials is None:
            return
        with self._auth_lock:
            if self._token != stale:
                return
            _log.info("etcd3: the auth token expired; authenticating again")
            self._login(credentials[0], credentials[1], DEFAULT_TIMEOUT)

    def _before_stream(self) -> _Endpoint:
        if self._token_stale and self._credentials is not None:
            try:
                self._refresh_token(self._token)
            except EtcdError as exc:  # the stream will fail and be re-opened later
                _log.debug("etcd3: token refresh before a stream failed: %s", type(exc).__name__)
        return self._current

    def _auto_sync(self) -> None:
        try:
            response = self._retry(
                CLUSTER_MEMBER_LIST,
                MemberListRequest(),
                None,
                CallAttempts(RetryPolicy.disabled(), True, None),
                self._current,
                None,
                False,
                self._token,
                anonymous=False,
                timeout=self._policy.attempt_timeout or 2.0,
            )
        except EtcdError as exc:
            _log.debug("etcd3: endpoint auto-sync failed: %s", type(exc).__name__)
            return
        for endpoint in self._apply_members(response):
            if endpoint.channel is not None:
                endpoint.channel.close()

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> ServerStream[RespT]:
        """Start a server-streaming call on the endpoint in use; ``timeout`` bounds it all.

        Raises:
            EtcdError: The call could not be started (closed, zero timeout).
            ValueError: ``timeout`` is negative.
        """
        deadline = resolve_timeout(timeout, None, method.path)
        endpoint = self._before_stream()
        start = endpoint.calls.get(method.path)
        if start is None:
            start = self._multicallable(endpoint, method)
        try:
            call = start(request, timeout=deadline, metadata=self._call_metadata(method, metadata))
        except ValueError as exc:
            if not self._is_closed_channel(exc):
                raise
            raise self.closed_error(method) from exc
        return GrpcServerStream(call, self, method, endpoint.target)

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> DuplexStream[ReqT, RespT]:
        """Start a bidirectional call on the endpoint in use; ``timeout`` bounds it all.

        Raises:
            EtcdError: The call could not be started (closed, zero timeout).
            ValueError: ``timeout`` is negative.
        """
        deadline = resolve_timeout(timeout, None, method.path)
        endpoint = self._before_stream()
        start = endpoint.calls.get(method.path)
        if start is None:
            start = self._multicallable(endpoint, method)
        requests: _RequestQueue[ReqT] = _RequestQueue()
        try:
            call = start(requests, timeout=deadline, metadata=self._call_metadata(method, metadata))
        except ValueError as exc:
            requests.close()
            if not self._is_closed_channel(exc):
                raise
            raise self.closed_error(method) from exc
        # grpc reads requests on its own thread, blocked in the queue: release it when the
        # call ends for any reason, or the thread would wait forever.
        call.add_done_callback(lambda _: requests.close())
        return GrpcDuplexStream(call, requests, self, method, endpoint.target)

    def _is_closed_channel(self, exc: ValueError) -> bool:
        # grpc raises ValueError("Cannot invoke RPC on closed channel!") after close.
        return self._closed or "closed channel" in str(exc)

    def close(self) -> None:
        """Close the channels; later calls raise :class:`ConnectionClosedError`. Idempotent.

        In a child process after ``os.fork()`` the parent's channels are left alone.
        """
        if self._closed:
            return
        self._closed = True
        self._forget_multicallables()
        if self._forked:
            return
        for endpoint in list(self._endpoints.values()):
            if endpoint.channel is not None:
                endpoint.channel.close()


def _channel_setup(
    channel: Any, endpoints: Sequence[EndpointSpec], factory: Callable[[EndpointSpec], Any] | None
) -> tuple[tuple[EndpointSpec, ...], Callable[[EndpointSpec], Any]]:
    """The endpoint specs and channel factory of a caller built from either form."""
    if channel is not None:
        if endpoints or factory is not None:
            raise ValueError("pass either a channel or endpoints with a channel_factory")
        if callable(channel) and not isinstance(channel, (grpc.Channel, grpc.aio.Channel)):
            make = cast(Callable[[], Any], channel)
            return (EndpointSpec(_SINGLE_CHANNEL_TARGET),), lambda spec: make()
        return (EndpointSpec(_SINGLE_CHANNEL_TARGET),), lambda spec: channel
    if not endpoints or factory is None:
        raise ValueError("pass a channel, or endpoints with a channel_factory")
    return tuple(endpoints), factory


_DONE = object()
T = TypeVar("T")


class _RequestQueue(Generic[T]):
    """The request iterator grpc's sync bidi calls consume: blocks until ``put`` or ``close``."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._closed = False

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        item = self._queue.get()
        if item is _DONE:
            self._queue.put(_DONE)  # stay exhausted for any later reader
            raise StopIteration
        return cast(T, item)  # only put() adds items other than the sentinel

    def put(self, item: T) -> None:
        if not self._closed:
            self._queue.put(item)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(_DONE)


class _StreamState:
    """What sync and asyncio streams share: their endpoint, and reporting their failure.

    A stream's failure (seen by a read, a send or the call's final status) is reported to the
    caller once, so a failed endpoint is quarantined whichever side noticed first.
    """

    _caller: _CallerCore
    _method: MethodInfo[Any, Any]
    _target: str | None
    _moved: EtcdError | None
    _cancelled: bool
    _reported: bool = False

    @property
    def endpoint(self) -> str | None:
        """The endpoint (``host:port``) this stream runs on; ``None`` before it started."""
        return self._target

    def _report(self, error: EtcdError) -> EtcdError:
        """Tell the caller that this stream failed with ``error`` (once); return ``error``."""
        if not self._reported and self._target is not None:
            self._reported = True
            self._caller.stream_failed(error, self._target)
        return error

    def _rpc_failure(self, exc: grpc.RpcError) -> EtcdError:
        """The error for a grpc failure of this call, reported to the caller."""
        if self._moved is not None:
            return self._moved
        return self._report(self._caller.map_error(exc, self._method))

    def _status_failure(self, code: grpc.StatusCode, details: str) -> EtcdError:
        """The error for the call's final non-OK status, reported to the caller."""
        if self._moved is not None:
            return self._moved
        return self._report(self._caller.status_error(code, details, self._method))


class _SyncStreamBase(_StreamState, Generic[RespT]):
    """Response iteration shared by sync server and bidi streams."""

    def __init__(
        self, call: Any, caller: _CallerCore, method: MethodInfo[Any, RespT], target: str
    ) -> None:
        self._call = call
        self._caller = caller
        self._method = method
        self._target: str | None = target
        self._cancelled = False
        self._moved: EtcdError | None = None
        caller._live_streams.add(self)

    def _move(self, error: EtcdError) -> None:
        """End the call because its endpoint failed: readers get ``error``."""
        if self._moved is None and not self._cancelled:
            self._moved = error
            self._call.cancel()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> RespT:
        try:
            response: RespT = next(self._call)
        except grpc.RpcError as exc:
            if self._cancelled:
                raise StopIteration from None
            raise self._rpc_failure(exc) from exc
        return response

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled

    def cancel(self) -> None:
        """Stop the call; iteration then ends quietly. Idempotent."""
        self._cancelled = True
        self._call.cancel()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cancel()


class GrpcServerStream(_SyncStreamBase[RespT]):
    """A sync server-streaming call: iterate for responses; ``cancel()`` to stop early."""


class GrpcDuplexStream(_SyncStreamBase[RespT], Generic[ReqT, RespT]):
    """A sync bidirectional call: ``send`` requests, iterate for responses."""

    def __init__(
        self,
        call: Any,
        requests: _RequestQueue[ReqT],
        caller: _CallerCore,
        method: MethodInfo[ReqT, RespT],
        target: str,
    ) -> None:
        super().__init__(call, caller, method, target)
        self._requests = requests
        self._writes_closed = False

    def send(self, request: ReqT) -> None:
        """Queue ``request`` for sending (never blocks).

        Raises:
            StreamClosedError: After ``cancel()``, ``done_writing()`` or the end of the call.
            EtcdError: The call has failed (its mapped error).
        """
        if self._cancelled:
            raise StreamClosedError("the stream was cancelled", method=self._method.path)
        if self._writes_closed:
            raise StreamClosedError("done_writing() was called", method=self._method.path)
        if self._call.done():
            raise self._ended_error()
        self._requests.put(request)

    def done_writing(self) -> None:
        """Tell the server no more requests follow (half-close). Idempotent."""
        self._writes_closed = True
        self._requests.close()

    def cancel(self) -> None:
        """Stop the call; iteration then ends quietly. Idempotent."""
        super().cancel()
        self._requests.close()

    def _ended_error(self) -> EtcdError:
        if self._moved is not None:
            return self._moved
        code: grpc.StatusCode = self._call.code()
        if code is grpc.StatusCode.OK or self._cancelled:
            return StreamClosedError("the stream has ended", method=self._method.path)
        return self._status_failure(code, self._call.details() or "")


# --- asyncio ---------------------------------------------------------------------------


class AsyncGrpcCaller(_CallerCore):
    """The asyncio transport: implements :class:`~etcd3._runtime.AsyncCaller` over grpc.aio.

    A ``grpc.aio`` channel belongs to the event loop it was created in: channels are created
    on first use, inside the loop that uses them.

    Args:
        channel: A single channel, or a function creating it on first use (tests, custom
            targets); or ``None`` with ``endpoints`` and ``channel_factory``.
        endpoints: The endpoints to fail over between (with ``channel_factory``).
        channel_factory: Creates the channel of an endpoint, on its first use.
        default_timeout: Deadline in seconds of unary calls made with ``DEFAULT_TIMEOUT``
            (``None``: none). Streams have no default deadline.
        metadata: Extra metadata sent with every call.
        secure_without_client_cert: The channels use TLS without a client certificate.
        prepare: Awaited once, before the first call (e.g. to authenticate); calls made while
            it runs must go through :meth:`bootstrap`.
        retry: Retry policy of unary calls (default ``RetryPolicy()``).
        require_leader: Send ``hasleader`` metadata (see the module docstring).
        auto_sync_interval: Seconds between endpoint refreshes from MemberList (``None``: off).
        tls: Whether the client uses TLS (which member URLs auto-sync may use).
    """

    def __init__(
        self,
        channel: grpc.aio.Channel | Callable[[], grpc.aio.Channel] | None = None,
        *,
        endpoints: Sequence[EndpointSpec] = (),
        channel_factory: Callable[[EndpointSpec], grpc.aio.Channel] | None = None,
        default_timeout: float | None = None,
        metadata: Metadata | None = None,
        secure_without_client_cert: bool = False,
        prepare: Callable[[], Awaitable[None]] | None = None,
        retry: RetryPolicy | None = None,
        require_leader: bool = False,
        auto_sync_interval: float | None = None,
        tls: bool = False,
    ) -> None:
        specs, factory = _channel_setup(channel, endpoints, channel_factory)
        super().__init__(
            specs,
            default_timeout=default_timeout,
            metadata=metadata,
            secure_without_client_cert=secure_without_client_cert,
            retry=retry,
            require_leader=require_leader,
            auto_sync_interval=auto_sync_interval,
            tls=tls,
        )
        self._factory = factory
        if isinstance(channel, grpc.aio.Channel):
            self._current.channel = channel
        self._prepare = prepare
        self._prepared: asyncio.Future[None] | None = None
        self._refreshing: asyncio.Future[str] | None = None
        self._sync_task: asyncio.Future[None] | None = None
        # Streams in flight, cancelled by close(): older grpcio (1.62) leaves their reads
        # pending forever when only the channel is closed.
        self._streams: weakref.WeakSet[_AsyncStreamBase[Any]] = weakref.WeakSet()

    def _open_channel(self, spec: EndpointSpec) -> grpc.aio.Channel:
        channel: grpc.aio.Channel = self._factory(spec)
        return channel

    @property
    def channel(self) -> grpc.aio.Channel | None:
        """The grpc.aio channel of the endpoint in use, or ``None`` before its first use."""
        channel: grpc.aio.Channel | None = self._current.channel
        return channel

    async def ensure_prepared(self) -> None:
        """Run ``prepare`` once (concurrent first calls share it); retried after a failure."""
        if self._prepare is None:
            return
        if self._prepared is None:
            self._prepared = asyncio.ensure_future(self._prepare())
        try:
            await asyncio.shield(self._prepared)
        except BaseException:
            if self._prepared.done() and (
                self._prepared.cancelled() or self._prepared.exception() is not None
            ):
                self._prepared = None  # let the next call try again
            raise
        self._prepare = None  # done: later calls skip all of this

    async def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        """Make a unary call, with retries and failover; see :class:`~etcd3._runtime.AsyncCaller`.

        Raises:
            EtcdError: The call failed (mapped from the gRPC status) after the retries the
                policy allows.
            ValueError: ``timeout`` is negative.
        """
        if self._prepare is not None:
            await self.ensure_prepared()
        return await self._unary(method, request, timeout, metadata)

    async def _unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        endpoint = self._current
        call = endpoint.calls.get(method.path)
        if call is None:
            call = self._multicallable(endpoint, method)
        deadline = resolve_timeout(timeout, self._default_timeout, method.path)
        attempt_timeout = self._first_attempt_timeout(method, deadline)
        token = self._token
        start = _monotonic()
        if self._next_sync is not None and self._sync_due(start):
            self._start_auto_sync()
        try:
            response: RespT = await call(
                request, timeout=attempt_timeout, metadata=self._call_metadata(method, metadata)
            )
        except grpc.RpcError as exc:
            return await self._retry(
                method,
                request,
                metadata,
                CallAttempts(
                    self._policy, method.retry_safe, None if deadline is None else start + deadline
                ),
                endpoint,
                self.map_error(exc, method),
                attempt_timeout != deadline,
                token,
                anonymous=False,
            )
        except grpc.aio.UsageError as exc:  # the channel was closed under us
            raise self.closed_error(method) from exc
        except asyncio.CancelledError:
            # Closing the channel cancels its calls; that is not the task's cancellation.
            if self._closed and not _task_is_being_cancelled():
                raise self.closed_error(method, in_flight=True) from None
            raise
        return response

    async def _retry(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        metadata: Metadata | None,
        attempts: CallAttempts,
        endpoint: _Endpoint,
        error: EtcdError | None,
        capped: bool,
        token: str | None,
        *,
        anonymous: bool,
        timeout: float | None = None,
    ) -> RespT:
        """Attempts after the first failed one (or all of them when ``error`` is ``None``)."""
        refreshed = anonymous
        while True:
            if error is not None:
                step = self._decide(attempts, error, endpoint, capped, refreshed)
                if step is None:
                    raise error
                if step.refresh:
                    refreshed = True
                    await self._refresh_token(token)
                elif step.delay:
                    await asyncio.sleep(step.delay)
                endpoint, timeout, capped = step.endpoint, step.timeout, step.capped
            call = endpoint.calls.get(method.path)
            if call is None:
                call = self._multicallable(endpoint, method)
            token = self._token
            md = (
                self._anonymous_metadata(method)
                if anonymous
                else self._call_metadata(method, metadata)
            )
            try:
                response: RespT = await call(request, timeout=timeout, metadata=md)
            except grpc.RpcError as exc:
                error = self.map_error(exc, method)
                continue
            except grpc.aio.UsageError as exc:
                raise self.closed_error(method) from exc
            except asyncio.CancelledError:
                if self._closed and not _task_is_being_cancelled():
                    raise self.closed_error(method, in_flight=True) from None
                raise
            self._mark_ok(endpoint)
            return response

    async def authenticate(
        self, user: str, password: str, timeout: Timeout = DEFAULT_TIMEOUT
    ) -> str:
        """Log in (without the current token), send the new token with every later call and
        keep the credentials to refresh it when it expires.

        Args:
            user: The user name.
            password: The password (never logged nor put in error messages).
            timeout: Deadline of the whole login, retries included.

        Returns:
            The token.

        Raises:
            AuthFailedError: Wrong user name or password.
            EtcdError: Any other failure.
        """
        token = await self._login(user, password, timeout)
        self.set_credentials(user, password)
        return token

    async def _login(self, user: str, password: str, timeout: Timeout) -> str:
        method = AUTH_AUTHENTICATE
        deadline = resolve_timeout(timeout, self._default_timeout, method.path)
        attempts = CallAttempts(
            self._policy, method.retry_safe, None if deadline is None else _monotonic() + deadline
        )
        response = await self._retry(
            method,
            AuthenticateRequest(name=user, password=password),
            None,
            attempts,
            self._current,
            None,
            False,
            None,
            anonymous=True,
            timeout=self._first_attempt_timeout(method, deadline),
        )
        self.set_token(response.token)
        self._token_stale = False
        return response.token

    async def _refresh_token(self, stale: str | None) -> None:
        """Re-authenticate unless another task already replaced the ``stale`` token; tasks
        that need a refresh at the same time share one.
        """
        credentials = self._credentials
        if credentials is None or self._token != stale:
            return
        refreshing = self._refreshing
        if refreshing is None:
            _log.info("etcd3: the auth token expired; authenticating again")
            refreshing = self._refreshing = asyncio.ensure_future(
                self._login(credentials[0], credentials[1], DEFAULT_TIMEOUT)
            )
            refreshing.add_done_callback(self._refresh_done)
        await asyncio.shield(refreshing)

    def _refresh_done(self, future: asyncio.Future[Any]) -> None:
        if self._refreshing is future:
            self._refreshing = None
        if not future.cancelled():
            future.exception()  # retrieved: its waiters got it, if any

    async def _before_stream(self) -> None:
        if self._prepare is not None:
            await self.ensure_prepared()
        if self._token_stale and self._credentials is not None:
            try:
                await self._refresh_token(self._token)
            except EtcdError as exc:  # the stream will fail and be re-opened later
                _log.debug("etcd3: token refresh before a stream failed: %s", type(exc).__name__)

    def _start_auto_sync(self) -> None:
        if self._sync_task is None or self._sync_task.done():
            self._sync_task = asyncio.ensure_future(self._auto_sync())

    async def _auto_sync(self) -> None:
        try:
            response = await self._retry(
                CLUSTER_MEMBER_LIST,
                MemberListRequest(),
                None,
                CallAttempts(RetryPolicy.disabled(), True, None),
                self._current,
                None,
                False,
                self._token,
                anonymous=False,
                timeout=self._policy.attempt_timeout or 2.0,
            )
        except EtcdError as exc:
            _log.debug("etcd3: endpoint auto-sync failed: %s", type(exc).__name__)
            return
        for endpoint in self._apply_members(response):
            if endpoint.channel is not None:
                await endpoint.channel.close()

    def _stream_starter(
        self,
        method: MethodInfo[Any, Any],
        request: Any,
        deadline: float | None,
        metadata: Metadata | None,
    ) -> Callable[[], tuple[Any, str]]:
        def start() -> tuple[Any, str]:
            # Endpoint and metadata now, not at creation: the first read may come much later.
            endpoint = self._current
            starter = endpoint.calls.get(method.path)
            if starter is None:
                starter = self._multicallable(endpoint, method)
            call_metadata = self._call_metadata(method, metadata)
            if request is None:
                return starter(timeout=deadline, metadata=call_metadata), endpoint.target
            return starter(request, timeout=deadline, metadata=call_metadata), endpoint.target

        return start

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncServerStream[RespT]:
        """Create a server-streaming call, started on first read on the endpoint then in use;
        ``timeout`` bounds it all.

        Raises:
            EtcdError: The caller is closed or ``timeout`` is 0.
            ValueError: ``timeout`` is negative.
        """
        if self._closed or self._forked:
            raise self.closed_error(method)
        deadline = resolve_timeout(timeout, None, method.path)
        return AsyncGrpcServerStream(
            self._stream_starter(method, request, deadline, metadata), self, method
        )

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncDuplexStream[ReqT, RespT]:
        """Create a bidirectional call, started on first use on the endpoint then in use;
        ``timeout`` bounds it all.

        Raises:
            EtcdError: The caller is closed or ``timeout`` is 0.
            ValueError: ``timeout`` is negative.
        """
        if self._closed or self._forked:
            raise self.closed_error(method)
        deadline = resolve_timeout(timeout, None, method.path)
        return AsyncGrpcDuplexStream(
            self._stream_starter(method, None, deadline, metadata), self, method
        )

    def bootstrap(self) -> _BootstrapCaller:
        """A view of this caller that skips ``prepare``: for the calls ``prepare`` makes."""
        return _BootstrapCaller(self)

    async def close(self) -> None:
        """Close the channels; later calls raise :class:`ConnectionClosedError`. Idempotent.

        In a child process after ``os.fork()`` the parent's channels are left alone.
        """
        if self._closed:
            return
        self._closed = True
        self._forget_multicallables()
        for task in (self._prepared, self._refreshing, self._sync_task):
            if task is not None and not task.done():
                task.cancel()
        if self._forked:
            return
        for stream in list(self._streams):
            stream._abort()
        for endpoint in list(self._endpoints.values()):
            if endpoint.channel is not None:
                await endpoint.channel.close()


class _BootstrapCaller:
    """An :class:`~etcd3._runtime.AsyncCaller` over an AsyncGrpcCaller that skips ``prepare``."""

    def __init__(self, caller: AsyncGrpcCaller) -> None:
        self._caller = caller

    async def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        return await self._caller._unary(method, request, timeout, metadata)

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncServerStream[RespT]:
        return self._caller.server_stream(method, request, timeout, metadata)

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncDuplexStream[ReqT, RespT]:
        return self._caller.bidi_stream(method, timeout, metadata)


_CORE_WRITE_ERROR = "Internal error from Core"
"""The details of grpc.aio's error for a write on a broken stream."""


class _AsyncStreamBase(_StreamState, Generic[RespT]):
    """Lazy start, reading and cancellation shared by asyncio server and bidi streams."""

    _caller: AsyncGrpcCaller

    def __init__(
        self,
        start: Callable[[], tuple[Any, str]],
        caller: AsyncGrpcCaller,
        method: MethodInfo[Any, RespT],
    ) -> None:
        self._start: Callable[[], tuple[Any, str]] | None = start
        self._call: Any = None
        self._target: str | None = None
        self._moved: EtcdError | None = None
        self._caller = caller
        self._method = method
        self._cancelled = False

    async def _started(self) -> Any:
        """The grpc call, started now if needed (after the caller's ``prepare``)."""
        if self._call is not None:
            return self._call
        await self._caller._before_stream()
        if self._call is None:  # another task may have started it meanwhile
            start, self._start = self._start, None
            if start is None:
                raise StreamClosedError("the stream was cancelled", method=self._method.path)
            try:
                self._call, self._target = start()
            except grpc.aio.UsageError as exc:
                raise self._caller.closed_error(self._method) from exc
            self._caller._streams.add(self)
            self._caller._live_streams.add(self)
        return self._call

    def _abort(self) -> None:
        """Cancel the grpc call because the connection closes (readers get a typed error)."""
        if self._call is not None:
            self._call.cancel()

    def _move(self, error: EtcdError) -> None:
        """End the call because its endpoint failed: readers get ``error``."""
        if self._moved is None and not self._cancelled and self._call is not None:
            self._moved = error
            self._call.cancel()

    async def read(self) -> RespT | None:
        """The next response, or ``None`` at the end of the stream (or after ``cancel()``).

        Raises:
            EtcdError: The call failed.
        """
        if self._cancelled:
            return None
        try:
            call = self._call if self._call is not None else await self._started()
            response = await call.read()
        except grpc.RpcError as exc:
            if self._cancelled:
                return None
            raise self._rpc_failure(exc) from exc
        except asyncio.CancelledError:
            # grpc raises CancelledError for a locally cancelled call: by cancel() (end
            # quietly), by closing the channel (typed error) or because its endpoint failed
            # (moved), unless the task itself is cancelled.
            if _task_is_being_cancelled():
                raise
            if self._cancelled:
                return None
            if self._caller.closed:
                raise self._caller.closed_error(self._method) from None
            if self._moved is not None:
                raise self._moved from None
            raise
        if response is grpc.aio.EOF:
            return None
        result: RespT = response
        return result

    def __aiter__(self) -> AsyncIterator[RespT]:
        return self

    async def __anext__(self) -> RespT:
        response = await self.read()
        if response is None:
            raise StopAsyncIteration
        return response

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled

    def cancel(self) -> None:
        """Stop the call; iteration then ends quietly. Idempotent."""
        self._cancelled = True
        self._start = None
        if self._call is not None:
            self._call.cancel()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cancel()


class AsyncGrpcServerStream(_AsyncStreamBase[RespT]):
    """An asyncio server-streaming call: ``async for`` responses; ``cancel()`` to stop early."""


class AsyncGrpcDuplexStream(_AsyncStreamBase[RespT], Generic[ReqT, RespT]):
    """An asyncio bidirectional call: ``await send(...)`` requests, ``async for`` responses."""

    def __init__(
        self,
        start: Callable[[], tuple[Any, str]],
        caller: AsyncGrpcCaller,
        method: MethodInfo[ReqT, RespT],
    ) -> None:
        super().__init__(start, caller, method)
        self._writes_closed = False
        self._connected = False  # a write went through: grpc has sent the call's headers
        self._ended: asyncio.Future[None] | None = None  # resolved by cancel, close and move

    def _abort(self) -> None:
        super()._abort()
        self._wake_first_write()

    def _move(self, error: EtcdError) -> None:
        super()._move(error)
        self._wake_first_write()

    def cancel(self) -> None:
        """Stop the call; iteration then ends quietly. Idempotent."""
        super().cancel()
        self._wake_first_write()

    def _wake_first_write(self) -> None:
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)

    async def _first_write(self, call: Any, request: ReqT) -> None:
        """``call.write(request)``, given up as soon as the stream is cancelled, closed or moved.

        grpc.aio holds the writes of a call that has not connected yet and does not wake them
        when the call is cancelled or its channel closed: against a member that accepts the
        connection but never answers (paused, overloaded), a watch's or keep-alive's first
        request would hold ``close()`` until grpc gives up connecting. Once one write has gone
        through, grpc fails pending writes on cancellation itself.
        """
        if self._ended is None:
            self._ended = asyncio.get_running_loop().create_future()
        write = asyncio.ensure_future(call.write(request))
        try:
            await asyncio.wait((write, self._ended), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            write.cancel()
            raise
        if write.done() and not write.cancelled():
            write.result()  # its outcome, grpc's errors included
            self._connected = True
            return
        write.cancel()
        if self._caller.closed:
            raise self._caller.closed_error(self._method)
        raise await self._ended_error()

    async def send(self, request: ReqT) -> None:
        """Send ``request`` (waits for flow control).

        Raises:
            StreamClosedError: After ``cancel()``, ``done_writing()`` or the end of the call.
            EtcdError: The call has failed (its mapped error).
        """
        if self._cancelled:
            raise StreamClosedError("the stream was cancelled", method=self._method.path)
        if self._writes_closed:
            raise StreamClosedError("done_writing() was called", method=self._method.path)
        if self._caller.closed:
            # Checked here, not left to grpc: a write on a call of a closed channel hangs
            # forever with grpcio 1.62 (fine with 1.85).
            raise self._caller.closed_error(self._method)
        try:
            call = self._call if self._call is not None else await self._started()
            if self._connected:
                await call.write(request)
            else:
                await self._first_write(call, request)
        except grpc.RpcError as exc:
            raise self._write_failure(exc) from exc
        except asyncio.InvalidStateError as exc:  # the call has finished
            raise await self._ended_error() from exc
        except asyncio.CancelledError:
            if _task_is_being_cancelled():
                raise
            if self._cancelled:
                raise StreamClosedError(
                    "the stream was cancelled", method=self._method.path
                ) from None
            if self._caller.closed:
                raise self._caller.closed_error(self._method) from None
            raise

    write = send
    """Alias of :meth:`send`, as grpc.aio names it."""

    async def done_writing(self) -> None:
        """Tell the server no more requests follow (half-close). Idempotent."""
        if self._writes_closed or self._cancelled:
            self._writes_closed = True
            return
        self._writes_closed = True
        try:
            call = self._call if self._call is not None else await self._started()
            await call.done_writing()
        except grpc.RpcError as exc:
            raise self._rpc_failure(exc) from exc
        except asyncio.CancelledError:
            if _task_is_being_cancelled() or not (self._cancelled or self._caller.closed):
                raise
            # The call was cancelled or closed meanwhile: nothing left to half-close.

    def _write_failure(self, exc: grpc.RpcError) -> EtcdError:
        """The error for a failed write, reported to the caller.

        grpc.aio fails a write on a broken stream (its connection lost) with INTERNAL
        "Internal error from Core" and finishes the call with that status, hiding the cause:
        that is a connection failure of the stream's endpoint, for the writer and the readers.
        """
        if (
            self._moved is None
            and exc.code() is grpc.StatusCode.INTERNAL
            and exc.details() == _CORE_WRITE_ERROR
        ):
            self._moved = ConnectionFailedError(
                f"the stream to {self._target} broke while sending; re-open it to continue",
                method=self._method.path,
                retry_safe=self._method.retry_safe,
            )
            return self._report(self._moved)
        return self._rpc_failure(exc)

    async def _ended_error(self) -> EtcdError:
        if self._moved is not None:
            return self._moved
        if self._cancelled:
            return StreamClosedError("the stream was cancelled", method=self._method.path)
        code: grpc.StatusCode = await self._call.code()
        if code is grpc.StatusCode.OK:
            return StreamClosedError("the stream has ended", method=self._method.path)
        details: str = await self._call.details()
        return self._status_failure(code, details or "")
