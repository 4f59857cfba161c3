"""The sync streams: grpc's blocking stream calls behind ``ServerStream``
and ``DuplexStream``.

Hand-kept, the pair of ``._streams_async``: grpc's sync and asyncio stream APIs differ in
model, not in spelling, so neither can be generated from the other.

- A sync bidirectional call consumes its requests from an iterator on a grpc thread: ``send``
  feeds a blocking queue that the call drains, and the queue must be released when the call
  ends or that thread waits forever. grpc.aio has awaitable ``write``/``done_writing`` with
  flow control instead.
- A sync call starts when it is made and fails by raising ``RpcError`` from ``next()``; its
  status is read with plain ``code()``/``details()``. So these streams start at once (a stale
  token is renewed first, in the thread that opens the stream); the asyncio ones start on
  first use, inside the event loop, and read, cancel and end differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Generic, Protocol, TypeVar

import grpc
from google.protobuf.message import Message
from typing_extensions import Self

from etcd3._runtime import MethodInfo
from etcd3._transport._grpc import CLOSED_CHANNEL_ERRORS, raise_for_closed_channel
from etcd3._transport._stream_registry import StreamBase, StreamLocator, StreamRegistry
from etcd3.errors import EtcdError, StreamClosedError

__all__ = ["GrpcDuplexStream", "GrpcServerStream"]

ReqT = TypeVar("ReqT", bound=Message)
RespT = TypeVar("RespT", bound=Message)
RespT_co = TypeVar("RespT_co", bound=Message, covariant=True)
T = TypeVar("T")


class _Call(Protocol[RespT_co]):
    """The part of grpc's sync stream call these streams use."""

    def __next__(self) -> RespT_co: ...

    def cancel(self) -> bool: ...

    def done(self) -> bool: ...

    def code(self) -> grpc.StatusCode: ...

    def details(self) -> str | None: ...

    def add_done_callback(self, callback: Callable[[object], None]) -> None: ...


def _start(
    registry: StreamRegistry,
    method: MethodInfo[Message, RespT],
    locate: StreamLocator,
    deadline: float | None,
    request: object,
) -> tuple[_Call[RespT], str]:
    multicallable, metadata, target = locate()
    try:
        call: _Call[RespT] = multicallable(request, timeout=deadline, metadata=metadata)
    except CLOSED_CHANNEL_ERRORS as exc:
        raise_for_closed_channel(exc, registry.channels, method, None)
    return call, target


class _SyncStreamBase(StreamBase[RespT]):
    """Response iteration shared by sync server and bidi streams."""

    def __init__(
        self,
        call: _Call[RespT],
        registry: StreamRegistry,
        method: MethodInfo[Message, RespT],
        target: str,
        deadline: float | None,
    ) -> None:
        self._call = call
        self._registry = registry
        self._method = method
        self._target = target
        self._cancelled = False
        self._moved = None
        self._deadline_from_now(deadline)
        registry.started(self)

    def end_for_failover(self, error: EtcdError) -> None:
        """End the call because its endpoint failed: readers get ``error``."""
        if self._moved is None and not self._cancelled:
            self._moved = error
            self._call.cancel()

    def abort(self) -> None:
        """End the call because the caller closes: readers get the closed error."""
        self._call.cancel()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> RespT:
        try:
            return next(self._call)
        except grpc.RpcError as exc:
            if self._cancelled:
                raise StopIteration from None
            raise self._rpc_failure(exc) from exc

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
    """A sync server-streaming call: iterate for responses; ``cancel()`` to stop early.

    Args:
        registry: The caller's stream registry.
        method: The RPC.
        locate: Where the call starts (see ``._stream_registry.StreamLocator``).
        prepare: Run first (renews a stale token).
        deadline: Seconds the whole call may take (``None``: no limit).
        request: The request message.

    Raises:
        ConnectionClosedError: The caller is closed.
    """

    def __init__(
        self,
        registry: StreamRegistry,
        method: MethodInfo[Message, RespT],
        locate: StreamLocator,
        prepare: Callable[[], None],
        deadline: float | None,
        request: Message,
    ) -> None:
        prepare()
        call, target = _start(registry, method, locate, deadline, request)
        super().__init__(call, registry, method, target, deadline)


class GrpcDuplexStream(_SyncStreamBase[RespT], Generic[ReqT, RespT]):
    """A sync bidirectional call: ``send`` requests, iterate for responses.

    Takes the arguments of ``GrpcServerStream`` but ``request``.

    Raises:
        ConnectionClosedError: The caller is closed.
    """

    def __init__(
        self,
        registry: StreamRegistry,
        method: MethodInfo[ReqT, RespT],
        locate: StreamLocator,
        prepare: Callable[[], None],
        deadline: float | None,
    ) -> None:
        prepare()
        requests: _RequestQueue[ReqT] = _RequestQueue()
        try:
            call, target = _start(registry, method, locate, deadline, requests)
        except BaseException:
            requests.close()
            raise
        # grpc reads requests on its own thread, blocked in the queue: release it when the
        # call ends for any reason, or the thread would wait forever.
        call.add_done_callback(lambda _: requests.close())
        super().__init__(call, registry, method, target, deadline)
        self._requests = requests
        self._writes_closed = False

    def send(self, request: ReqT) -> None:
        """Queue ``request`` for sending (never blocks).

        Raises:
            StreamClosedError: After ``cancel()``, ``done_writing()`` or the end of the call.
            EtcdError: The call has failed (its mapped error).
        """
        self._check_sendable(self._writes_closed)
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
        code = self._call.code()
        if code is grpc.StatusCode.OK or self._cancelled:
            return StreamClosedError("the stream has ended", method=self._method.path)
        return self._status_failure(code, self._call.details() or "")


class _End:
    """The end of a request queue (a class of its own, so the queue may hold anything)."""


_END = _End()


class _RequestQueue(Generic[T]):
    """The request iterator grpc's sync bidi calls consume: blocks until ``put`` or ``close``."""

    def __init__(self) -> None:
        import queue  # with the first sync bidi stream: the client's import path does not need it

        self._queue: queue.SimpleQueue[T | _End] = queue.SimpleQueue()
        self._closed = False

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        item = self._queue.get()
        if isinstance(item, _End):
            self._queue.put(_END)  # stay exhausted for any later reader
            raise StopIteration
        return item

    def put(self, item: T) -> None:
        if not self._closed:
            self._queue.put(item)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(_END)
