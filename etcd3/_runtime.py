"""The contract between the generated RPC layer (``etcd3.rpc``) and the handwritten layer.

Generated service classes are dumb: each method builds (or takes) a request message and hands it,
with the method's ``MethodInfo``, to an injected *caller*. The caller (``etcd3._transport``
in production, a fake in unit tests) owns channels, deadlines, credentials, retries and the
mapping of gRPC errors onto [`etcd3.EtcdError`][etcd3.errors.Etcd3Exception].

Timeouts follow httpx: [`DEFAULT_TIMEOUT`][etcd3.DEFAULT_TIMEOUT] means "the client's default",
``None`` means "no deadline", any number (``0`` included) is a deadline in seconds from the start of
the call.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Final, Generic, Literal, NamedTuple, Protocol, TypeAlias, TypeVar

import grpc
from typing_extensions import Self

from etcd3._record import record

if TYPE_CHECKING:
    from google.protobuf.message import Message

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncCaller",
    "AsyncDuplexStream",
    "AsyncServerStream",
    "CallKind",
    "DefaultTimeout",
    "DuplexStream",
    "ErrorDefinition",
    "Metadata",
    "MethodInfo",
    "ResultKindError",
    "ServerStream",
    "SyncCaller",
    "Timeout",
    "check_request",
]


class DefaultTimeout(enum.Enum):
    """Type of [`DEFAULT_TIMEOUT`][etcd3.DEFAULT_TIMEOUT]: "use the client's default deadline"."""

    DEFAULT = "DEFAULT"

    def __repr__(self) -> str:
        return "etcd3.DEFAULT_TIMEOUT"


DEFAULT_TIMEOUT: Final = DefaultTimeout.DEFAULT
"""Sentinel for ``timeout=``: the client's default deadline (unary calls) or none (streams)."""

Timeout: TypeAlias = float | Literal[DefaultTimeout.DEFAULT] | None
"""A per-call deadline: seconds (``0`` included), ``None`` (none), or
[`DEFAULT_TIMEOUT`][etcd3.DEFAULT_TIMEOUT]."""

Metadata: TypeAlias = Sequence[tuple[str, str | bytes]]
"""Extra gRPC call metadata (key, value) pairs; keys ending in ``-bin`` take bytes."""


class CallKind(enum.Enum):
    """How an RPC exchanges messages."""

    UNARY = "unary_unary"
    SERVER_STREAM = "unary_stream"
    BIDI_STREAM = "stream_stream"


ReqT = TypeVar("ReqT", bound="Message")
RespT = TypeVar("RespT", bound="Message")
ReqT_contra = TypeVar("ReqT_contra", bound="Message", contravariant=True)
RespT_co = TypeVar("RespT_co", bound="Message", covariant=True)
# MethodInfo is frozen, so it can be covariant: a MethodInfo[RangeRequest, RangeResponse] is a
# MethodInfo[Message, Message], which lets tables of all methods be typed without Any.
ReqT_co = TypeVar("ReqT_co", bound="Message", covariant=True)


@record
class MethodInfo(Generic[ReqT_co, RespT_co]):
    """Facts about one RPC, generated from the proto descriptors.

    Attributes:
        service: Full service name, e.g. ``"etcdserverpb.KV"``.
        name: Method name as in the proto, e.g. ``"Range"``.
        path: gRPC method path, e.g. ``"/etcdserverpb.KV/Range"``.
        kind: Unary, server streaming or bidirectional streaming.
        request_type: The request message class.
        response_type: The response message class.
        retry_safe: Whether re-sending the request after an unknown outcome cannot change the
            result (reads, status); ``False`` for writes (Put, Txn, DeleteRange, Compact,
            membership and auth changes), which are retried only when provably never sent.
        since: The etcd release that introduced the RPC, as ``(major, minor)``; older servers
            answer it with ``UNIMPLEMENTED``.
    """

    service: str
    name: str
    path: str
    kind: CallKind
    request_type: type[ReqT_co]
    response_type: type[RespT_co]
    retry_safe: bool
    since: tuple[int, int] = (3, 0)


class ServerStream(Protocol[RespT_co]):
    """A server-streaming call in progress: iterate for responses, ``cancel()`` to stop early."""

    def __iter__(self) -> Iterator[RespT_co]:
        """Iterate over the responses until the call ends."""
        ...

    def __next__(self) -> RespT_co:
        """Wait for the next response; ``StopIteration`` when the call ends."""
        ...

    def cancel(self) -> None:
        """Cancel the call; iteration then ends quietly."""
        ...

    def __enter__(self) -> Self:
        """Return the stream itself."""
        ...

    def __exit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Cancel the call if it is still running."""
        ...


class AsyncServerStream(Protocol[RespT_co]):
    """The asyncio twin of ``ServerStream``."""

    def __aiter__(self) -> AsyncIterator[RespT_co]:
        """Iterate over the responses until the call ends."""
        ...

    async def __anext__(self) -> RespT_co:
        """Wait for the next response; ``StopAsyncIteration`` when the call ends."""
        ...

    def cancel(self) -> None:
        """Cancel the call; iteration then ends quietly."""
        ...

    async def __aenter__(self) -> Self:
        """Return the stream itself."""
        ...

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Cancel the call if it is still running."""
        ...


class DuplexStream(Protocol[ReqT_contra, RespT_co]):
    """A bidirectional call (Watch, LeaseKeepAlive): ``send`` requests, iterate responses."""

    def send(self, request: ReqT_contra) -> None:
        """Queue one request on the stream."""
        ...

    def done_writing(self) -> None:
        """Close the sending side; responses keep arriving."""
        ...

    def __iter__(self) -> Iterator[RespT_co]:
        """Iterate over the responses until the call ends."""
        ...

    def __next__(self) -> RespT_co:
        """Wait for the next response; ``StopIteration`` when the call ends."""
        ...

    def cancel(self) -> None:
        """Cancel the call; iteration then ends quietly."""
        ...

    def __enter__(self) -> Self:
        """Return the stream itself."""
        ...

    def __exit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Cancel the call if it is still running."""
        ...


class AsyncDuplexStream(Protocol[ReqT_contra, RespT_co]):
    """The asyncio twin of ``DuplexStream``."""

    async def send(self, request: ReqT_contra) -> None:
        """Queue one request on the stream."""
        ...

    async def done_writing(self) -> None:
        """Close the sending side; responses keep arriving."""
        ...

    def __aiter__(self) -> AsyncIterator[RespT_co]:
        """Iterate over the responses until the call ends."""
        ...

    async def __anext__(self) -> RespT_co:
        """Wait for the next response; ``StopAsyncIteration`` when the call ends."""
        ...

    def cancel(self) -> None:
        """Cancel the call; iteration then ends quietly."""
        ...

    async def __aenter__(self) -> Self:
        """Return the stream itself."""
        ...

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Cancel the call if it is still running."""
        ...


class SyncCaller(Protocol):
    """What generated sync service classes call. Implementations raise only ``EtcdError``."""

    def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        """Send ``request`` and return the response (``timeout`` resolved by the caller)."""
        ...

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> ServerStream[RespT]:
        """Start a server-streaming call."""
        ...

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> DuplexStream[ReqT, RespT]:
        """Open a bidirectional stream."""
        ...


class AsyncCaller(Protocol):
    """What generated asyncio service classes call. Implementations raise only ``EtcdError``."""

    async def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        """Send ``request`` and return the response (``timeout`` resolved by the caller)."""
        ...

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncServerStream[RespT]:
        """Start a server-streaming call (lazily, on first iteration)."""
        ...

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncDuplexStream[ReqT, RespT]:
        """Open a bidirectional stream (lazily, on first use)."""
        ...


class ErrorDefinition(NamedTuple):
    """One error etcd's server defines (``api/v3rpc/rpctypes``), as it reaches a client.

    Attributes:
        go_name: Its name in etcd's Go source, e.g. ``"ErrGRPCNoLeader"``.
        code: The gRPC status code it is sent with.
        message: The exact status message, e.g. ``"etcdserver: no leader"``.
    """

    go_name: str
    code: grpc.StatusCode
    message: str


class ResultKindError(TypeError):
    """A transaction result (``ResponseOp``) was read as the wrong kind of operation."""


def check_request(method: str, request: object, expected: type[Message]) -> None:
    """Refuse a prebuilt request that is not a message of ``expected``'s proto type.

    A message of the same proto type from another descriptor pool (another library's compiled
    etcd protos) passes: it serializes to the bytes ``expected`` would. Anything else would be
    sent as whatever its bytes parse to, e.g. a ``RangeRequest``'s key and range end as a
    ``DeleteRangeRequest``'s.

    Raises:
        TypeError: ``request`` is of another type; the message names the method and both types.
    """
    descriptor = getattr(request, "DESCRIPTOR", None)
    if getattr(descriptor, "full_name", None) != expected.DESCRIPTOR.full_name:
        raise TypeError(
            f"{method}() takes {expected.DESCRIPTOR.full_name} as its request, "
            f"not {type(request).__qualname__}"
        )
