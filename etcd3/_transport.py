"""gRPC callers: the transport behind the generated service classes.

:class:`GrpcCaller` (sync) and :class:`AsyncGrpcCaller` (asyncio) implement the
:class:`~etcd3._runtime.SyncCaller` / :class:`~etcd3._runtime.AsyncCaller` protocols over
grpcio. They own deadlines, call metadata (the auth token) and error mapping: nothing but an
:class:`~etcd3.errors.EtcdError` leaves them (plus ``ValueError`` for a negative timeout, and
``asyncio.CancelledError`` when the awaiting task itself is cancelled).

Logic that is not I/O (deadline resolution, metadata, error mapping, stream bookkeeping) lives
in :class:`_CallerCore` and module functions, shared by both shells.

Retries and failover are not done here; :meth:`_CallerCore.map_error` is the one place every
failure passes through, for a later retry layer to hook.
"""

from __future__ import annotations

import asyncio
import queue
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

import grpc
import grpc.aio
from google.protobuf.message import Message
from typing_extensions import Self

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
    ConnectionClosedError,
    ConnectionTimeoutError,
    EtcdError,
    StreamClosedError,
    error_from_status,
    map_rpc_error,
)

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

_MetadataTuple = tuple[tuple[str, str | bytes], ...]
# grpc's multicallables, typed loosely: each is bound to one method's message types.
_MultiCallable = Callable[..., Any]


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
        ConnectionTimeoutError: ``timeout`` is 0: the deadline has expired before the call.
        ValueError: ``timeout`` is negative or not a number.
    """
    if timeout is DEFAULT_TIMEOUT:
        return default
    if timeout is None:
        return None
    if timeout > 0:
        return timeout
    if timeout == 0:
        raise ConnectionTimeoutError(
            "deadline of 0 s expired before the call was sent",
            code=grpc.StatusCode.DEADLINE_EXCEEDED,
            method=method,
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


class _CallerCore:
    """State and logic shared by the sync and asyncio callers (no I/O)."""

    def __init__(
        self,
        *,
        default_timeout: float | None,
        metadata: Metadata | None,
        secure_without_client_cert: bool,
    ) -> None:
        if default_timeout is not None and not default_timeout >= 0:
            raise ValueError(f"timeout must be >= 0 seconds or None, got {default_timeout!r}")
        self._default_timeout = default_timeout
        self._base_metadata: _MetadataTuple = tuple(metadata or ())
        self._token: str | None = None
        # The metadata every call carries, rebuilt only when the token changes.
        self._metadata: _MetadataTuple | None = self._base_metadata or None
        self._secure_without_client_cert = secure_without_client_cert
        self._closed = False
        self._multicallables: dict[str, _MultiCallable] = {}

    @property
    def default_timeout(self) -> float | None:
        """The deadline of unary calls made with ``DEFAULT_TIMEOUT`` (``None``: none)."""
        return self._default_timeout

    @property
    def token(self) -> str | None:
        """The auth token sent with every call, if any."""
        return self._token

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def set_token(self, token: str | None) -> None:
        """Send ``token`` as the ``token`` metadata of every later call (``None``: stop).

        Args:
            token: An etcd auth token from ``Authenticate``.
        """
        self._token = token
        extra: _MetadataTuple = ((TOKEN_METADATA_KEY, token),) if token is not None else ()
        self._metadata = (*self._base_metadata, *extra) or None

    def _call_metadata(self, metadata: Metadata | None) -> _MetadataTuple | None:
        if metadata is None:
            return self._metadata
        return (*(self._metadata or ()), *metadata)

    def map_error(self, exc: grpc.RpcError, method: MethodInfo[Any, Any]) -> EtcdError:
        """The :class:`EtcdError` for a failed call; the hook for a later retry layer."""
        if self._closed:
            err: EtcdError = ConnectionClosedError(method=method.path)
            err.__cause__ = exc
            return err
        return map_rpc_error(
            exc,
            method=method.path,
            secure_without_client_cert=self._secure_without_client_cert,
        )

    def status_error(
        self, code: grpc.StatusCode, details: str, method: MethodInfo[Any, Any]
    ) -> EtcdError:
        """The :class:`EtcdError` for a finished call's non-OK status."""
        if self._closed:
            return ConnectionClosedError(method=method.path)
        return error_from_status(
            code,
            details,
            method=method.path,
            secure_without_client_cert=self._secure_without_client_cert,
        )

    def closed_error(self, method: MethodInfo[Any, Any]) -> ConnectionClosedError:
        """The error for a call attempted after :meth:`close`."""
        return ConnectionClosedError(method=method.path)

    def _new_multicallable(self, channel: Any, method: MethodInfo[Any, Any]) -> _MultiCallable:
        if self._closed:
            raise self.closed_error(method)
        factory = getattr(channel, method.kind.value)
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
        self._multicallables[method.path] = multicallable
        return multicallable

    def _forget_multicallables(self) -> None:
        # Closed callers find no cached multicallable, so every later call reaches
        # _new_multicallable, which raises ConnectionClosedError: no check on the hot path.
        self._multicallables = {}


# --- Sync --------------------------------------------------------------------------------


class GrpcCaller(_CallerCore):
    """The sync transport: implements :class:`~etcd3._runtime.SyncCaller` over a grpc channel.

    Args:
        channel: The channel to call over; :meth:`close` closes it.
        default_timeout: Deadline in seconds of unary calls made with ``DEFAULT_TIMEOUT``
            (``None``: none). Streams have no default deadline.
        metadata: Extra metadata sent with every call.
        secure_without_client_cert: The channel uses TLS without a client certificate (adds
            an mTLS hint to connection errors).
    """

    def __init__(
        self,
        channel: grpc.Channel,
        *,
        default_timeout: float | None = None,
        metadata: Metadata | None = None,
        secure_without_client_cert: bool = False,
    ) -> None:
        super().__init__(
            default_timeout=default_timeout,
            metadata=metadata,
            secure_without_client_cert=secure_without_client_cert,
        )
        self._channel = channel

    @property
    def channel(self) -> grpc.Channel:
        """The underlying grpc channel."""
        return self._channel

    def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        """Make a unary call; see :class:`~etcd3._runtime.SyncCaller`.

        Raises:
            EtcdError: The call failed (mapped from the gRPC status).
            ValueError: ``timeout`` is negative.
        """
        call = self._multicallables.get(method.path)
        if call is None:
            call = self._new_multicallable(self._channel, method)
        deadline = resolve_timeout(timeout, self._default_timeout, method.path)
        try:
            response: RespT = call(
                request, timeout=deadline, metadata=self._call_metadata(metadata)
            )
        except grpc.RpcError as exc:
            raise self.map_error(exc, method) from exc
        except ValueError as exc:
            if not self._is_closed_channel(exc):
                raise
            raise self.closed_error(method) from exc
        return response

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> ServerStream[RespT]:
        """Start a server-streaming call; ``timeout`` bounds the whole stream.

        Raises:
            EtcdError: The call could not be started (closed, zero timeout).
            ValueError: ``timeout`` is negative.
        """
        start = self._multicallables.get(method.path)
        if start is None:
            start = self._new_multicallable(self._channel, method)
        deadline = resolve_timeout(timeout, None, method.path)
        try:
            call = start(request, timeout=deadline, metadata=self._call_metadata(metadata))
        except ValueError as exc:
            if not self._is_closed_channel(exc):
                raise
            raise self.closed_error(method) from exc
        return GrpcServerStream(call, self, method)

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> DuplexStream[ReqT, RespT]:
        """Start a bidirectional call; ``timeout`` bounds the whole stream.

        Raises:
            EtcdError: The call could not be started (closed, zero timeout).
            ValueError: ``timeout`` is negative.
        """
        start = self._multicallables.get(method.path)
        if start is None:
            start = self._new_multicallable(self._channel, method)
        deadline = resolve_timeout(timeout, None, method.path)
        requests: _RequestQueue[ReqT] = _RequestQueue()
        try:
            call = start(requests, timeout=deadline, metadata=self._call_metadata(metadata))
        except ValueError as exc:
            requests.close()
            if not self._is_closed_channel(exc):
                raise
            raise self.closed_error(method) from exc
        # grpc reads requests on its own thread, blocked in the queue: release it when the
        # call ends for any reason, or the thread would wait forever.
        call.add_done_callback(lambda _: requests.close())
        return GrpcDuplexStream(call, requests, self, method)

    def _is_closed_channel(self, exc: ValueError) -> bool:
        # grpc raises ValueError("Cannot invoke RPC on closed channel!") after close.
        return self._closed or "closed channel" in str(exc)

    def close(self) -> None:
        """Close the channel; later calls raise :class:`ConnectionClosedError`. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._forget_multicallables()
        self._channel.close()


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


class _SyncStreamBase(Generic[RespT]):
    """Response iteration shared by sync server and bidi streams."""

    def __init__(self, call: Any, caller: _CallerCore, method: MethodInfo[Any, RespT]) -> None:
        self._call = call
        self._caller = caller
        self._method = method
        self._cancelled = False

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> RespT:
        try:
            response: RespT = next(self._call)
        except grpc.RpcError as exc:
            if self._cancelled:
                raise StopIteration from None
            raise self._caller.map_error(exc, self._method) from exc
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
    ) -> None:
        super().__init__(call, caller, method)
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
        code: grpc.StatusCode = self._call.code()
        if code is grpc.StatusCode.OK or self._cancelled:
            return StreamClosedError("the stream has ended", method=self._method.path)
        return self._caller.status_error(code, self._call.details() or "", self._method)


# --- asyncio ---------------------------------------------------------------------------


class AsyncGrpcCaller(_CallerCore):
    """The asyncio transport: implements :class:`~etcd3._runtime.AsyncCaller` over grpc.aio.

    A ``grpc.aio`` channel belongs to the event loop it was created in; pass a factory to
    create it on first use, inside the loop that uses it.

    Args:
        channel: The channel, or a function creating it on first use; :meth:`close` closes it.
        default_timeout: Deadline in seconds of unary calls made with ``DEFAULT_TIMEOUT``
            (``None``: none). Streams have no default deadline.
        metadata: Extra metadata sent with every call.
        secure_without_client_cert: The channel uses TLS without a client certificate.
        prepare: Awaited once, before the first call (e.g. to authenticate); calls made while
            it runs must go through :meth:`bootstrap`.
    """

    def __init__(
        self,
        channel: grpc.aio.Channel | Callable[[], grpc.aio.Channel],
        *,
        default_timeout: float | None = None,
        metadata: Metadata | None = None,
        secure_without_client_cert: bool = False,
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(
            default_timeout=default_timeout,
            metadata=metadata,
            secure_without_client_cert=secure_without_client_cert,
        )
        if isinstance(channel, grpc.aio.Channel):
            self._channel: grpc.aio.Channel | None = channel
            self._channel_factory: Callable[[], grpc.aio.Channel] | None = None
        else:
            self._channel = None
            self._channel_factory = channel
        self._prepare = prepare
        self._prepared: asyncio.Future[None] | None = None
        # Streams in flight, cancelled by close(): older grpcio (1.62) leaves their reads
        # pending forever when only the channel is closed.
        self._streams: weakref.WeakSet[_AsyncStreamBase[Any]] = weakref.WeakSet()

    @property
    def channel(self) -> grpc.aio.Channel | None:
        """The underlying grpc.aio channel, or ``None`` before first use."""
        return self._channel

    def _multicallable(self, method: MethodInfo[Any, Any]) -> _MultiCallable:
        multicallable = self._multicallables.get(method.path)
        if multicallable is not None:
            return multicallable
        if self._closed:
            raise self.closed_error(method)
        if self._channel is None:
            assert self._channel_factory is not None
            self._channel = self._channel_factory()
        return self._new_multicallable(self._channel, method)

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
        """Make a unary call; see :class:`~etcd3._runtime.AsyncCaller`.

        Raises:
            EtcdError: The call failed (mapped from the gRPC status).
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
        call = self._multicallables.get(method.path)
        if call is None:
            call = self._multicallable(method)
        deadline = resolve_timeout(timeout, self._default_timeout, method.path)
        try:
            response: RespT = await call(
                request, timeout=deadline, metadata=self._call_metadata(metadata)
            )
        except grpc.RpcError as exc:
            raise self.map_error(exc, method) from exc
        except grpc.aio.UsageError as exc:  # the channel was closed under us
            raise self.closed_error(method) from exc
        except asyncio.CancelledError:
            # Closing the channel cancels its calls; that is not the task's cancellation.
            if self._closed and not _task_is_being_cancelled():
                raise self.closed_error(method) from None
            raise
        return response

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncServerStream[RespT]:
        """Create a server-streaming call, started on first read; ``timeout`` bounds it.

        Raises:
            EtcdError: The caller is closed or ``timeout`` is 0.
            ValueError: ``timeout`` is negative.
        """
        if self._closed:
            raise self.closed_error(method)
        deadline = resolve_timeout(timeout, None, method.path)

        def start() -> Any:
            # Metadata now, not at creation: prepare() may have set the token meanwhile.
            call_metadata = self._call_metadata(metadata)
            return self._multicallable(method)(request, timeout=deadline, metadata=call_metadata)

        return AsyncGrpcServerStream(start, self, method)

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncDuplexStream[ReqT, RespT]:
        """Create a bidirectional call, started on first use; ``timeout`` bounds it.

        Raises:
            EtcdError: The caller is closed or ``timeout`` is 0.
            ValueError: ``timeout`` is negative.
        """
        if self._closed:
            raise self.closed_error(method)
        deadline = resolve_timeout(timeout, None, method.path)

        def start() -> Any:
            call_metadata = self._call_metadata(metadata)
            return self._multicallable(method)(timeout=deadline, metadata=call_metadata)

        return AsyncGrpcDuplexStream(start, self, method)

    def bootstrap(self) -> _BootstrapCaller:
        """A view of this caller that skips ``prepare``: for the calls ``prepare`` makes."""
        return _BootstrapCaller(self)

    async def close(self) -> None:
        """Close the channel; later calls raise :class:`ConnectionClosedError`. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._forget_multicallables()
        if self._prepared is not None and not self._prepared.done():
            self._prepared.cancel()
        for stream in list(self._streams):
            stream._abort()
        if self._channel is not None:
            await self._channel.close()


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


class _AsyncStreamBase(Generic[RespT]):
    """Lazy start, reading and cancellation shared by asyncio server and bidi streams."""

    def __init__(
        self, start: Callable[[], Any], caller: AsyncGrpcCaller, method: MethodInfo[Any, RespT]
    ) -> None:
        self._start: Callable[[], Any] | None = start
        self._call: Any = None
        self._caller = caller
        self._method = method
        self._cancelled = False

    async def _started(self) -> Any:
        """The grpc call, started now if needed (after the caller's ``prepare``)."""
        if self._call is not None:
            return self._call
        if self._caller._prepare is not None:
            await self._caller.ensure_prepared()
        if self._call is None:  # another task may have started it meanwhile
            start, self._start = self._start, None
            if start is None:
                raise StreamClosedError("the stream was cancelled", method=self._method.path)
            try:
                self._call = start()
            except grpc.aio.UsageError as exc:
                raise self._caller.closed_error(self._method) from exc
            self._caller._streams.add(self)
        return self._call

    def _abort(self) -> None:
        """Cancel the grpc call because the connection closes (readers get a typed error)."""
        if self._call is not None:
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
            raise self._caller.map_error(exc, self._method) from exc
        except asyncio.CancelledError:
            # grpc raises CancelledError for a locally cancelled call: by cancel() (end
            # quietly) or by closing the channel (typed error), unless the task is cancelled.
            if _task_is_being_cancelled():
                raise
            if self._cancelled:
                return None
            if self._caller.closed:
                raise self._caller.closed_error(self._method) from None
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
        self, start: Callable[[], Any], caller: AsyncGrpcCaller, method: MethodInfo[ReqT, RespT]
    ) -> None:
        super().__init__(start, caller, method)
        self._writes_closed = False

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
            await call.write(request)
        except grpc.RpcError as exc:
            raise self._caller.map_error(exc, self._method) from exc
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
            raise self._caller.map_error(exc, self._method) from exc
        except asyncio.CancelledError:
            if _task_is_being_cancelled() or not (self._cancelled or self._caller.closed):
                raise
            # The call was cancelled or closed meanwhile: nothing left to half-close.

    async def _ended_error(self) -> EtcdError:
        if self._cancelled:
            return StreamClosedError("the stream was cancelled", method=self._method.path)
        code: grpc.StatusCode = await self._call.code()
        if code is grpc.StatusCode.OK:
            return StreamClosedError("the stream has ended", method=self._method.path)
        details: str = await self._call.details()
        return self._caller.status_error(code, details or "", self._method)
