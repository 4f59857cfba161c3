"""The asyncio streams: grpc.aio's stream calls behind
``AsyncServerStream`` and ``AsyncDuplexStream``.

Hand-kept, the pair of ``._streams``: grpc's asyncio and sync stream APIs differ in model,
not in spelling, so neither can be generated from the other.

- A grpc.aio call belongs to the event loop it is started in, and the caller may have to log
  in first: these streams start on first use (``read``, ``send``), inside the loop; the sync
  ones start when made.
- Reading returns ``EOF`` at the end instead of raising ``StopIteration``; a call cancelled
  locally (by ``cancel()``, by closing the channel, by a failover) raises
  ``asyncio.CancelledError``, which must be told from the cancellation of the reading task.
- Writing is awaitable, with flow control, and grpc.aio has two traps the sync API has not: a
  write before the call has connected is not woken by a cancel or a closed channel (see
  ``AsyncGrpcDuplexStream._first_write``), and a write on a broken connection fails with
  ``INTERNAL`` "Internal error from Core", hiding the cause.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Generic, Protocol, TypeVar

import grpc
import grpc.aio
from google.protobuf.message import Message
from typing_extensions import Self

from etcd3._runtime import MethodInfo
from etcd3._transport._grpc_async import (
    in_foreign_loop,
    raise_for_closed_channel,
    task_is_being_cancelled,
)
from etcd3._transport._metadata import WireMetadata
from etcd3._transport._pool import MultiCallable
from etcd3._transport._stream_registry import StreamBase, StreamLocator, StreamRegistry
from etcd3.errors import ConnectionFailedError, EtcdError, StreamClosedError, WrongEventLoopError

__all__ = ["AsyncGrpcDuplexStream", "AsyncGrpcServerStream"]

ReqT = TypeVar("ReqT", bound=Message)
RespT = TypeVar("RespT", bound=Message)
ReqT_contra = TypeVar("ReqT_contra", bound=Message, contravariant=True)

_CORE_WRITE_ERROR = "Internal error from Core"
"""The details of grpc.aio's error for a write on a broken stream."""


class _Call(Protocol):
    """The part of a grpc.aio stream call these streams read and end."""

    def read(self) -> Awaitable[object]: ...

    def cancel(self) -> bool: ...

    def code(self) -> Awaitable[grpc.StatusCode]: ...

    def details(self) -> Awaitable[str]: ...


class _DuplexCall(_Call, Protocol[ReqT_contra]):
    """The part of a grpc.aio bidirectional call these streams use."""

    def write(self, request: ReqT_contra) -> Awaitable[None]: ...

    def done_writing(self) -> Awaitable[None]: ...


CallT = TypeVar("CallT", bound=_Call)


async def _read_to_the_end(call: _Call) -> None:
    """Read a cancelled call until grpc says it ended, whatever it raises."""
    with contextlib.suppress(BaseException):
        await call.read()


class _AsyncStreamBase(StreamBase[RespT], Generic[RespT, CallT]):
    """Lazy start, reading and cancellation shared by asyncio server and bidi streams."""

    def __init__(
        self,
        registry: StreamRegistry,
        method: MethodInfo[Message, RespT],
        locate: StreamLocator,
        prepare: Callable[[], Awaitable[None]],
        deadline: float | None,
    ) -> None:
        self._registry = registry
        self._method = method
        self._locate: StreamLocator | None = locate
        self._prepare = prepare
        self._deadline = deadline
        self._call: CallT | None = None
        self._target = None
        self._moved = None
        self._cancelled = False
        self._reads = 0  # reads awaiting grpc now
        self._finisher: asyncio.Task[None] | None = None

    @abc.abstractmethod
    def _invoke(self, multicallable: MultiCallable, metadata: WireMetadata | None) -> CallT:
        """Start the grpc call with ``multicallable``."""

    async def _started(self) -> CallT:
        """The grpc call, started now if needed (after the caller's preparation)."""
        if self._call is not None:
            return self._call
        await self._prepare()
        if self._call is None:  # another task may have started it meanwhile
            locate, self._locate = self._locate, None
            if locate is None:
                raise StreamClosedError("the stream was cancelled", method=self._method.path)
            channels = self._registry.channels
            try:
                multicallable, metadata, self._target = locate()
                loop = channels.loop_at(self._target)
                if in_foreign_loop(loop):  # grpc would fail in asyncio, after creating the call
                    raise WrongEventLoopError(method=self._method.path)
                self._call = self._invoke(multicallable, metadata)
                self._deadline_from_now(self._deadline)
            except (grpc.aio.UsageError, RuntimeError) as exc:
                loop = channels.loop_at(self._target)
                raise_for_closed_channel(exc, channels, self._method, loop)
            self._registry.started(self)
        return self._call

    def abort(self) -> None:
        """Cancel the grpc call because the connection closes (readers get a typed error)."""
        if self._call is not None:
            self._call.cancel()
            self._finish(self._call)

    def _finish(self, call: CallT) -> None:
        """Read the cancelled ``call`` once when no reader will.

        A client interceptor may wrap the responses in an async generator (OpenTelemetry's
        ends the call's span there): it learns of the cancellation only at the next read, and
        without one it would stay suspended, its span never ended.
        """
        if self._reads or self._finisher is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside the event loop (at interpreter exit): nothing to tell
            return
        self._finisher = loop.create_task(_read_to_the_end(call))

    def end_for_failover(self, error: EtcdError) -> None:
        """End the call because its endpoint failed: readers get ``error``."""
        if self._moved is None and not self._cancelled and self._call is not None:
            self._moved = error
            self._call.cancel()

    async def read(self) -> RespT | None:
        """The next response, or ``None`` at the end of the stream (or after ``cancel()``).

        Raises:
            EtcdError: The call failed.
        """
        try:
            return await self.__anext__()
        except StopAsyncIteration:
            return None

    def __aiter__(self) -> AsyncIterator[RespT]:
        return self

    async def __anext__(self) -> RespT:
        # The read itself, not a wrapper of ``read()``: a watch's reader awaits it for every
        # response, and each coroutine level costs a frame and a hop per suspension.
        if self._cancelled:
            raise StopAsyncIteration
        try:
            call = self._call if self._call is not None else await self._started()
            self._reads += 1
            try:
                response = await call.read()
            finally:
                self._reads -= 1
        except grpc.RpcError as exc:
            if self._cancelled:
                raise StopAsyncIteration from None
            raise self._rpc_failure(exc) from exc
        except asyncio.CancelledError:
            # grpc raises CancelledError for a locally cancelled call: by cancel() (end
            # quietly), by closing the channel (typed error) or because its endpoint failed
            # (moved), unless the task itself is cancelled.
            if task_is_being_cancelled():
                raise
            if self._cancelled:
                raise StopAsyncIteration from None
            if self._registry.channels.unusable:
                raise self._registry.channels.closed_error(self._method) from None
            if self._moved is not None:
                raise self._moved from None
            raise
        # A response of the method's type, or grpc.aio.EOF at the end of the stream.
        if isinstance(response, self._method.response_type):
            return response
        raise StopAsyncIteration

    def cancel(self) -> None:
        """Stop the call; iteration then ends quietly. Idempotent."""
        self._cancelled = True
        self._locate = None
        if self._call is not None:
            self._call.cancel()
            self._finish(self._call)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cancel()


class AsyncGrpcServerStream(_AsyncStreamBase[RespT, _Call]):
    """An asyncio server-streaming call: ``async for`` responses; ``cancel()`` to stop early.

    The call starts on first read, on the endpoint then in use.

    Args:
        registry: The caller's stream registry.
        method: The RPC.
        locate: Where the call starts (see ``._stream_registry.StreamLocator``).
        prepare: Awaited before the call starts (the caller's login, a token renewal).
        deadline: Seconds the whole call may take (``None``: no limit).
        request: The request message.
    """

    def __init__(
        self,
        registry: StreamRegistry,
        method: MethodInfo[Message, RespT],
        locate: StreamLocator,
        prepare: Callable[[], Awaitable[None]],
        deadline: float | None,
        request: Message,
    ) -> None:
        super().__init__(registry, method, locate, prepare, deadline)
        self._request = request

    def _invoke(self, multicallable: MultiCallable, metadata: WireMetadata | None) -> _Call:
        call: _Call = multicallable(self._request, timeout=self._deadline, metadata=metadata)
        return call


class AsyncGrpcDuplexStream(_AsyncStreamBase[RespT, _DuplexCall[ReqT]], Generic[ReqT, RespT]):
    """An asyncio bidirectional call: ``await send(...)`` requests, ``async for`` responses.

    The call starts on first use, on the endpoint then in use. Takes the arguments of
    ``AsyncGrpcServerStream`` but ``request``.
    """

    def __init__(
        self,
        registry: StreamRegistry,
        method: MethodInfo[ReqT, RespT],
        locate: StreamLocator,
        prepare: Callable[[], Awaitable[None]],
        deadline: float | None,
    ) -> None:
        super().__init__(registry, method, locate, prepare, deadline)
        self._writes_closed = False
        self._connected = False  # a write went through: grpc has sent the call's headers
        self._ended: asyncio.Future[None] | None = None  # resolved by cancel, close and move

    def _invoke(
        self, multicallable: MultiCallable, metadata: WireMetadata | None
    ) -> _DuplexCall[ReqT]:
        call: _DuplexCall[ReqT] = multicallable(timeout=self._deadline, metadata=metadata)
        return call

    def abort(self) -> None:
        """Cancel the grpc call because the connection closes (readers get a typed error)."""
        super().abort()
        self._wake_first_write()

    def end_for_failover(self, error: EtcdError) -> None:
        """End the call because its endpoint failed: readers get ``error``."""
        super().end_for_failover(error)
        self._wake_first_write()

    def cancel(self) -> None:
        """Stop the call; iteration then ends quietly. Idempotent."""
        super().cancel()
        self._wake_first_write()

    def _wake_first_write(self) -> None:
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)

    async def _first_write(self, call: _DuplexCall[ReqT], request: ReqT) -> None:
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
        if self._registry.channels.unusable:
            raise self._registry.channels.closed_error(self._method)
        raise await self._ended_error()

    async def send(self, request: ReqT) -> None:
        """Send ``request`` (waits for flow control).

        Raises:
            StreamClosedError: After ``cancel()``, ``done_writing()`` or the end of the call.
            EtcdError: The call has failed (its mapped error).
        """
        self._check_sendable(self._writes_closed)
        if self._registry.channels.unusable:
            # Checked here, not left to grpc: a write on a call of a closed channel hangs
            # forever with grpcio 1.62 (fine with 1.85).
            raise self._registry.channels.closed_error(self._method)
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
            if task_is_being_cancelled():
                raise
            if self._cancelled:
                raise StreamClosedError(
                    "the stream was cancelled", method=self._method.path
                ) from None
            if self._registry.channels.unusable:
                raise self._registry.channels.closed_error(self._method) from None
            if self._moved is not None:  # its endpoint failed: as a read reports it
                raise self._moved from None
            raise

    write = send
    """Alias of ``send``, as grpc.aio names it."""

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
            if task_is_being_cancelled() or not (
                self._cancelled or self._registry.channels.unusable
            ):
                raise
            # The call was cancelled or closed meanwhile: nothing left to half-close.

    def _write_failure(self, exc: grpc.RpcError) -> EtcdError:
        """The error for a failed write, reported to the registry.

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
            return self._registry.failed(self, self._moved)
        return self._rpc_failure(exc)

    async def _ended_error(self) -> EtcdError:
        if self._moved is not None:
            return self._moved
        if self._cancelled:
            return StreamClosedError("the stream was cancelled", method=self._method.path)
        call = self._call
        code = grpc.StatusCode.OK if call is None else await call.code()
        if code is grpc.StatusCode.OK or call is None:
            return StreamClosedError("the stream has ended", method=self._method.path)
        details = await call.details()
        return self._status_failure(code, details or "")
