# async-to-sync: source
"""A client's caller: unary calls with retries, failover and token renewal; streams.

``AsyncGrpcCaller`` is what the generated service classes of one client call (the caller
protocols of ``etcd3._runtime``). The asyncio caller is the source of this module; the sync
one is generated from it by ``tools/async_to_sync.py``. What grpc spells differently in the two
worlds comes from the hand-kept modules ``_grpc`` and ``_streams`` (one of each per flavour);
endpoints and channels, metadata and token, error mapping, stream bookkeeping and deadlines
are shared by both.

- **Unary calls** go to the *preferred* endpoint (sticky). A failure is mapped, then
  ``._failover`` decides whether to send it again, where and after how long; see
  ``etcd3._retry`` for why a write is never applied twice. A healthy
  call pays for none of this: the success path is a dict lookup, metadata built beforehand,
  the call and two clock reads (the second holds the answer to the call's deadline: see
  ``._deadline``).
- **Token renewal:** after "invalid auth token" / "revision of auth store is old" the caller
  logs in again (one login for every thread or task that needs it at once) and retries the
  call once. A stream refused so marks the token stale; the next stream opened renews it first.
- **Logging in before the first call** (``prepare``): the first call (or ``open()``) runs
  ``prepare`` once, concurrent first calls sharing it. A sync connection runs it in its
  constructor; an asyncio one cannot (no event loop may run there).
- **Auto-sync** (optional): at most once per interval, the next call first refreshes the
  endpoint list from MemberList, keeping the channels of endpoints that stay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import grpc
from google.protobuf.message import Message

from etcd3._acompat import ASYNC, Lock, StateLock, acquire_within, sleep
from etcd3._endpoints import EndpointSpec
from etcd3._retry_core import CallAttempts
from etcd3._runtime import (
    DEFAULT_TIMEOUT,
    AsyncDuplexStream,
    AsyncServerStream,
    Metadata,
    MethodInfo,
    Timeout,
)
from etcd3._timeouts import rpc_timeout, timeout_arg
from etcd3._transport._deadline import expired_unsent, final_error, late_answer, left_after
from etcd3._transport._errors import CallErrors
from etcd3._transport._failover import Failover
from etcd3._transport._grpc_async import (
    CLOSED_CHANNEL_ERRORS,
    AsyncChannel,
    AsyncChannelInUse,
    prebuilt_metadata,
    raise_for_closed_channel,
    running_loop,
)
from etcd3._transport._metadata import CallMetadata, WireMetadata
from etcd3._transport._pool import EndpointChannel, EndpointPool, MultiCallable
from etcd3._transport._stream_registry import StreamLocator, StreamRegistry
from etcd3._transport._streams_async import AsyncGrpcDuplexStream, AsyncGrpcServerStream
from etcd3.errors import EtcdError, WrongEventLoopError
from etcd3.rpc.etcdserverpb import AuthenticateRequest, MemberListRequest
from etcd3.rpc.methods import AUTH_AUTHENTICATE, CLUSTER_MEMBER_LIST

if TYPE_CHECKING:
    from etcd3._retry import RetryPolicy

__all__ = ["AsyncGrpcCaller"]

ReqT = TypeVar("ReqT", bound=Message)
RespT = TypeVar("RespT", bound=Message)

_SINGLE_CHANNEL_TARGET = "<channel>"

_AUTO_SYNC_TIMEOUT = 2.0
"""Deadline in seconds of an auto-sync's MemberList call under a retry policy without a
per-attempt deadline (one attempt of a read otherwise): the call that triggers the sync waits
for it, so it must stay short whatever the policy. It is [`RetryPolicy`][etcd3.RetryPolicy]'s
default."""

_log = logging.getLogger("etcd3.transport")
_monotonic = time.monotonic


def _pool(
    channel: AsyncChannel | Callable[[], AsyncChannel] | None,
    endpoints: Sequence[EndpointSpec],
    channel_factory: Callable[[EndpointSpec], AsyncChannel] | None,
) -> EndpointPool[AsyncChannel]:
    """The endpoint pool of a caller built from either form of its arguments."""
    if channel is not None:
        if endpoints or channel_factory is not None:
            raise ValueError("pass either a channel or endpoints with a channel_factory")
        specs = (EndpointSpec(_SINGLE_CHANNEL_TARGET),)
        if isinstance(channel, AsyncChannel):
            given = channel
            return EndpointPool(specs, lambda spec: given, given)
        make = channel
        return EndpointPool(specs, lambda spec: make(), current_loop=running_loop)
    if not endpoints or channel_factory is None:
        raise ValueError("pass a channel, or endpoints with a channel_factory")
    return EndpointPool(tuple(endpoints), channel_factory, current_loop=running_loop)


class AsyncGrpcCaller:
    """One client's transport (see the module docstring).

    Nothing but an [`EtcdError`][etcd3.errors.Etcd3Exception] leaves it (plus ``ValueError`` for a
    negative timeout and, under asyncio, ``CancelledError`` when the awaiting task is
    cancelled). Channels are opened on first use: under asyncio inside the event loop that
    uses them, since a grpc.aio channel belongs to the loop it was created in.

    Args:
        channel: A single channel, or a function creating it on first use (tests, custom
            targets); or ``None`` with ``endpoints`` and ``channel_factory``. ``close``
            closes it.
        endpoints: The endpoints to fail over between (with ``channel_factory``).
        channel_factory: Creates the channel of an endpoint, on its first use.
        default_timeout: Deadline in seconds of unary calls made with ``DEFAULT_TIMEOUT``
            (``None``: none). Streams have no default deadline.
        metadata: Extra metadata sent with every call.
        secure_without_client_cert: The channels use TLS without a client certificate (adds
            an mTLS hint to connection errors).
        prepare: Run once before the first call (concurrent first calls share it; after a
            failure the next call runs it again), e.g. to log in; given the deadline it must
            keep (see ``ensure_prepared``).
        retry: Retry policy of unary calls (default ``RetryPolicy()``).
        require_leader: Send ``hasleader`` metadata (see ``._metadata``).
        auto_sync_interval: Seconds between endpoint refreshes from MemberList (``None``: off).
        tls: Whether the client uses TLS (which member URLs auto-sync may use; what a
            connection failure's likely cause is).
        channel_interceptors: Whether the channels may have grpc interceptors. One may change
            a call's metadata in place, so each call then gets metadata of its own; without,
            calls share metadata built once per token.

    Raises:
        TypeError: ``retry`` is not a [`RetryPolicy`][etcd3.RetryPolicy].
        ValueError: Both or neither of ``channel`` and ``endpoints``; a negative
            ``default_timeout``, an ``auto_sync_interval`` not above 0.
    """

    def __init__(
        self,
        channel: AsyncChannel | Callable[[], AsyncChannel] | None = None,
        *,
        endpoints: Sequence[EndpointSpec] = (),
        channel_factory: Callable[[EndpointSpec], AsyncChannel] | None = None,
        default_timeout: float | None = None,
        metadata: Metadata | None = None,
        secure_without_client_cert: bool = False,
        prepare: Callable[[Timeout], Awaitable[object]] | None = None,
        retry: RetryPolicy | None = None,
        require_leader: bool = False,
        auto_sync_interval: float | None = None,
        tls: bool = False,
        channel_interceptors: bool = True,
    ) -> None:
        pool = _pool(channel, endpoints, channel_factory)
        default_timeout = timeout_arg(default_timeout)
        if auto_sync_interval is not None and not auto_sync_interval > 0:
            raise ValueError(
                f"auto_sync_interval must be > 0 seconds or None, got {auto_sync_interval!r}"
            )
        # The retry settings load with the first caller: the import path needs only their type.
        from etcd3._retry import RetryPolicy

        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy or None, got {type(retry).__name__}")
        self._pool = pool
        self._default_timeout = default_timeout
        self._metadata = CallMetadata(
            metadata,
            require_leader=require_leader,
            freeze=None if channel_interceptors else prebuilt_metadata,
        )
        self._errors = CallErrors(
            pool,
            tls=tls,
            secure_without_client_cert=secure_without_client_cert,
            metadata=self._metadata,
        )
        self._registry = StreamRegistry(pool, self._metadata, self._errors)
        policy = retry if retry is not None else RetryPolicy()
        self._failover = Failover(policy, pool, self._registry, self._metadata)
        self._no_retry = RetryPolicy.disabled()
        self._auth_lock = Lock()
        self._prepare = prepare
        if ASYNC:
            self._preparing: asyncio.Future[object] | None = None
        else:
            self._prepare_lock = StateLock()
        self._tls = tls
        self._auto_sync_interval = auto_sync_interval
        self._sync_lock = StateLock()
        self._next_sync: float | None = (
            None if auto_sync_interval is None else _monotonic() + auto_sync_interval
        )

    # --- State ----------------------------------------------------------------------------

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of unary calls (watch creations follow it too)."""
        return self._failover.policy

    @property
    def token(self) -> str | None:
        """The auth token sent with every call, if any."""
        return self._metadata.token

    def set_token(self, token: str | None) -> None:
        """Send ``token`` as the ``token`` metadata of every later call (``None``: stop).

        Args:
            token: An etcd auth token from ``Authenticate``.
        """
        self._metadata.set_token(token)

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._pool.closed

    @property
    def endpoints(self) -> tuple[str, ...]:
        """Every endpoint (``host:port``), in order."""
        return self._pool.targets

    @property
    def endpoint_in_use(self) -> str:
        """The preferred endpoint: where the next call goes."""
        return self._pool.current.target

    @property
    def channel(self) -> AsyncChannelInUse:
        """The grpc channel of the endpoint in use.

        Under asyncio ``None`` until a call opened it (a grpc.aio channel belongs to the event
        loop that creates it) and after ``close``; the sync caller opens it now if needed, and
        raises ``ConnectionClosedError`` once closed.
        """
        if ASYNC:
            return self._pool.current.channel
        else:
            return self._pool.channel_of(self._pool.current)

    def configure_endpoints(
        self, *, quarantine: float | None = None, failover: bool = True
    ) -> None:
        """Adjust endpoint handling before first use (the compatibility layer's knobs).

        Args:
            quarantine: A fixed time in seconds a failed endpoint is skipped (no growth, no
                jitter); ``None`` keeps the default growing quarantine.
            failover: ``False``: never move to another endpoint; a failed endpoint's calls
                raise [`NoServerAvailableError`][etcd3.errors.NoServerAvailableError] instead.
        """
        self._pool.configure(quarantine=quarantine, failover=failover)

    def stream_stalled(self, stream: object) -> None:
        """Note that ``stream`` stopped answering: its endpoint is treated as failed.

        A stream on a paused or partitioned member fails nothing; only its owner notices that
        answers stopped coming (e.g. a keep-alive renewal unanswered in time). The endpoint
        is then quarantined as after a connection error and the streams on it (``stream``
        included) end with [`ConnectionFailedError`][etcd3.errors.ConnectionFailedError], so their
        owners re-open them on another member. Never blocks; streams not made by this caller, or
        not started yet, are ignored.

        Args:
            stream: A stream returned by this caller's ``server_stream`` or ``bidi_stream``.
        """
        self._registry.stalled(stream)

    # --- Unary calls ----------------------------------------------------------------------

    async def ensure_prepared(self, timeout: float | None = None) -> bool:
        """Run ``prepare`` once (concurrent first calls share it); again after a failure.

        Under asyncio one task runs it with the client's default deadline and each caller
        waits for it at most ``timeout`` (it goes on for the next caller). With threads the
        first caller runs it within its own ``timeout``, the others wait their turn as long.

        Args:
            timeout: Seconds the caller may wait (``None``: until it ends).

        Returns:
            Whether it is done (``False``: ``timeout`` passed first).
        """
        prepare = self._prepare
        if prepare is None:
            return True
        if ASYNC:
            preparing = self._preparing
            if preparing is None:
                preparing = self._preparing = asyncio.ensure_future(prepare(DEFAULT_TIMEOUT))

                def ended(task: asyncio.Future[object]) -> None:
                    # A failure is for the callers waiting now; the next call runs it again.
                    if (task.cancelled() or task.exception()) and self._preparing is task:
                        self._preparing = None

                preparing.add_done_callback(ended)
            # asyncio.wait never cancels what it waits for: a caller that gives up (or is
            # cancelled) leaves the login to the next one.
            await asyncio.wait((preparing,), timeout=timeout)
            if not preparing.done():
                return False
            preparing.result()
            self._prepare = None  # done: later calls skip all of this
        else:
            began = _monotonic()
            lock = self._prepare_lock  # one thread prepares, the others wait for it
            if not lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
                return False
            try:
                if self._prepare is None:
                    return True
                if timeout is None:
                    prepare(DEFAULT_TIMEOUT)
                else:
                    prepare(max(0.0, timeout - (_monotonic() - began)))
                self._prepare = None  # under the lock: a thread waiting for it must not rerun it
            finally:
                lock.release()
        return True

    async def _prepared_within(
        self, method: MethodInfo[ReqT, RespT], deadline: float | None
    ) -> float | None:
        """Run ``prepare`` first, within the call's ``deadline``; what is left of it after."""
        began = _monotonic()
        during = "while the client logged in"
        if not await self.ensure_prepared(deadline):
            raise expired_unsent(method, during)
        return left_after(method, deadline, _monotonic() - began, during)

    async def _synced_within(
        self, method: MethodInfo[ReqT, RespT], deadline: float | None
    ) -> float | None:
        """Refresh the endpoints first, within the call's ``deadline``; what is left of it
        after."""
        began = _monotonic()
        await self._auto_sync(deadline)
        return left_after(
            method, deadline, _monotonic() - began, "while the endpoints were refreshed"
        )

    async def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        """Make a unary call, with retries and failover; see ``AsyncCaller``.

        Raises:
            EtcdError: The call failed (mapped from the gRPC status) after the retries the
                policy allows, or its answer came after its deadline.
            ValueError: ``timeout`` is negative.
        """
        # A timeout of 0 (or a bad one) fails before anything is sent, the first login included.
        deadline = whole = (
            None if timeout is None else rpc_timeout(timeout, self._default_timeout, method.path)
        )
        if self._prepare is not None:
            deadline = await self._prepared_within(method, deadline)
        if self._next_sync is not None and self._sync_due(_monotonic()):
            deadline = await self._synced_within(method, deadline)
        endpoint = self._pool.current
        call = endpoint.calls.get(method.path)
        if call is None:
            call = self._pool.multicallable(endpoint, method)
        if ASYNC:  # noqa: SIM102 (the sync twin drops the whole ``if ASYNC:`` block)
            # A grpc.aio call made outside its channel's loop fails in asyncio (and leaves a
            # coroutine never awaited): refuse it before it starts. The rule is
            # _grpc_async.in_foreign_loop's, spelled out on the path every call takes.
            if endpoint.loop is not asyncio.get_running_loop() and endpoint.loop is not None:
                raise WrongEventLoopError(method=method.path)
        attempt_timeout = self._failover.first_timeout(method, deadline)
        call_metadata = self._metadata
        token = call_metadata.token
        start = _monotonic()
        try:
            response: RespT = await call(
                request,
                timeout=attempt_timeout,
                metadata=call_metadata.for_call(method, metadata),
            )
        except grpc.RpcError as exc:
            return await self._retry(
                method,
                request,
                metadata,
                self._failover.attempts(method, deadline, start, whole),
                endpoint,
                self._errors.from_rpc_error(exc, method),
                attempt_timeout != deadline,
                token,
                anonymous=False,
            )
        except CLOSED_CHANNEL_ERRORS as exc:
            raise_for_closed_channel(exc, self._pool, method, endpoint.loop)
        if deadline is not None and _monotonic() - start > deadline:
            raise late_answer(method)
        return response

    async def _retry(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        metadata: Metadata | None,
        attempts: CallAttempts,
        endpoint: EndpointChannel[AsyncChannel],
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
                step = self._failover.after_failure(attempts, error, endpoint, capped, refreshed)
                if step is None:
                    raise final_error(
                        error,
                        method,
                        attempts.remaining(_monotonic()),
                        attempts.timeout,
                        attempts.attempts,
                        attempts.tried,
                    )
                if step.refresh:
                    refreshed = True
                    # The new login is part of this call: it gets what is left of its deadline,
                    # and the attempt after it what the login left.
                    left = attempts.remaining(_monotonic())
                    await self._refresh_token(
                        token, DEFAULT_TIMEOUT if left is None else max(0.0, left)
                    )
                    renewed = self._failover.after_login(attempts, step.endpoint)
                    if renewed is None:
                        raise expired_unsent(method, "while the token was renewed")
                    step = renewed
                elif step.delay:
                    await sleep(step.delay)
                endpoint, timeout, capped = step.endpoint, step.timeout, step.capped
            call = endpoint.calls.get(method.path)
            if call is None:
                call = self._pool.multicallable(endpoint, method)
            token = self._metadata.token
            md = (
                self._metadata.anonymous(method)
                if anonymous
                else self._metadata.for_call(method, metadata)
            )
            try:
                response: RespT = await call(request, timeout=timeout, metadata=md)
            except grpc.RpcError as exc:
                error = self._errors.from_rpc_error(exc, method)
                continue
            except CLOSED_CHANNEL_ERRORS as exc:
                raise_for_closed_channel(exc, self._pool, method, endpoint.loop)
            self._pool.mark_ok(endpoint)
            remaining = attempts.remaining(_monotonic())
            if remaining is not None and remaining < 0:
                raise late_answer(method)
            return response

    # --- Logging in -----------------------------------------------------------------------

    async def authenticate(
        self, user: str, password: str, timeout: Timeout = DEFAULT_TIMEOUT
    ) -> str:
        """Log in (without the current token), send the new token with every later call and
        keep the credentials to renew it when it expires.

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
        self._metadata.set_credentials(user, password)
        return token

    async def _login(self, user: str, password: str, timeout: Timeout) -> str:
        method = AUTH_AUTHENTICATE
        deadline = rpc_timeout(timeout, self._default_timeout, method.path)
        attempts = self._failover.attempts(method, deadline, _monotonic(), deadline)
        # Capped like any retry-safe call's first attempt: a hung member costs one short
        # attempt, then the login moves on to another member.
        first = self._failover.first_timeout(method, deadline)
        response = await self._retry(
            method,
            AuthenticateRequest(name=user, password=password),
            None,
            attempts,
            self._pool.current,
            None,
            first != deadline,
            None,
            anonymous=True,
            timeout=first,
        )
        self._metadata.logged_in(response.token)
        return response.token

    async def _refresh_token(self, stale: str | None, timeout: Timeout = DEFAULT_TIMEOUT) -> None:
        """Log in again unless another thread or task already replaced the ``stale`` token;
        those that need it at the same time wait for one login, each no longer than ``timeout``
        (then it returns without a new token).

        Args:
            stale: The token the caller found expired.
            timeout: Deadline of the login: what is left of the call that needs it, or the
                client's default.
        """
        credentials = self._metadata.credentials
        if credentials is None:
            return
        # Another caller's login is waited for no longer than this call may take: past that,
        # the call finds its deadline passed (the login bounds itself otherwise).
        lock = self._auth_lock
        if not await acquire_within(lock, timeout if isinstance(timeout, float) else None):
            return
        try:
            if self._metadata.token != stale:
                return
            _log.info("etcd3: the auth token expired; authenticating again")
            await self._login(credentials[0], credentials[1], timeout)
        finally:
            lock.release()

    # --- Auto-sync ------------------------------------------------------------------------

    def _sync_due(self, now: float) -> bool:
        """Whether an auto-sync should start now (claims it: later calls see it not due)."""
        interval = self._auto_sync_interval
        if interval is None or self._pool.closed:
            return False
        with self._sync_lock:
            if self._next_sync is None or now < self._next_sync:
                return False
            self._next_sync = now + interval
        return True

    async def _auto_sync(self, limit: float | None) -> None:
        """One MemberList attempt (of at most ``limit`` seconds: the deadline of the call that
        runs it), and the pool follows its answer; a failure is logged and ignored."""
        attempt_timeout = self._failover.policy.attempt_timeout
        timeout = _AUTO_SYNC_TIMEOUT if attempt_timeout is None else attempt_timeout
        try:
            response = await self._retry(
                CLUSTER_MEMBER_LIST,
                MemberListRequest(),
                None,
                CallAttempts(self._no_retry, True, None),
                self._pool.current,
                None,
                False,
                self._metadata.token,
                anonymous=False,
                timeout=timeout if limit is None else min(timeout, limit),
            )
        except EtcdError as exc:
            _log.debug("etcd3: endpoint auto-sync failed: %s", type(exc).__name__)
            return
        urls = [url for member in response.members for url in member.clientURLs]
        for dropped in self._pool.use_members(urls, self._tls):
            await dropped.close()

    # --- Streams --------------------------------------------------------------------------

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncServerStream[RespT]:
        """Open a server-streaming call on the endpoint in use; ``timeout`` bounds it all.

        Raises:
            EtcdError: The caller is closed or ``timeout`` is 0.
            ValueError: ``timeout`` is negative.
        """
        locate, deadline = self._stream_opening(method, timeout, metadata)
        return AsyncGrpcServerStream(
            self._registry, method, locate, self._before_stream, deadline, request
        )

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncDuplexStream[ReqT, RespT]:
        """Open a bidirectional call on the endpoint in use; ``timeout`` bounds it all.

        Raises:
            EtcdError: The caller is closed or ``timeout`` is 0.
            ValueError: ``timeout`` is negative.
        """
        locate, deadline = self._stream_opening(method, timeout, metadata)
        return AsyncGrpcDuplexStream(self._registry, method, locate, self._before_stream, deadline)

    def _stream_opening(
        self, method: MethodInfo[Message, Message], timeout: Timeout, metadata: Metadata | None
    ) -> tuple[StreamLocator, float | None]:
        """Where a new stream starts, and its deadline in seconds (streams have no default).

        Raises:
            EtcdError: The caller is closed or ``timeout`` is 0.
            ValueError: ``timeout`` is negative.
        """
        if self._pool.unusable:
            raise self._pool.closed_error(method)
        return self._stream_locator(method, metadata), rpc_timeout(timeout, None, method.path)

    def _stream_locator(
        self, method: MethodInfo[Message, Message], metadata: Metadata | None
    ) -> StreamLocator:
        def locate() -> tuple[MultiCallable, WireMetadata | None, str]:
            # The endpoint and token when the call starts, not when the stream was made.
            endpoint = self._pool.current
            call = endpoint.calls.get(method.path)
            if call is None:
                call = self._pool.multicallable(endpoint, method)
            return call, self._metadata.for_call(method, metadata), endpoint.target

        return locate

    async def _before_stream(self) -> None:
        """Log in first if due, and renew a token a stream was refused for."""
        if self._prepare is not None:
            await self.ensure_prepared()
        if self._metadata.stale and self._metadata.credentials is not None:
            try:
                await self._refresh_token(self._metadata.token)
            except EtcdError as exc:  # the stream will fail and be re-opened later
                _log.debug("etcd3: token refresh before a stream failed: %s", type(exc).__name__)

    # --- Closing --------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the channels; later calls raise
        [`ConnectionClosedError`][etcd3.errors.ConnectionClosedError]. Idempotent.

        The streams running end first (with grpcio 1.62 a grpc.aio read can stay pending
        forever when only its channel is closed). In a child process after ``os.fork()`` the
        parent's channels and calls are left alone.
        """
        if self._pool.closed:
            return
        channels = self._pool.close()
        if self._pool.forked:
            return
        if ASYNC:
            preparing, self._preparing = self._preparing, None
            if preparing is not None:
                preparing.cancel()  # a done one ignores it
        for stream in self._registry.live():
            stream.abort()
        for channel in channels:
            await channel.close()
