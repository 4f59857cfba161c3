"""Drive the generated RPC layer sync and async from one test body, and prove RPC coverage.

Every ``test_rpc_*`` module runs each scenario twice, through ``Connection`` and
``AsyncConnection``, with one body written against ``Rpc = Stubs | AsyncStubs``:

- a unary call is written ``await resolve(rpc.kv.put(...))``: the sync stub returns the
  response, the async stub a coroutine, and ``resolve`` gives the response either way;
- streams are read with ``receive`` / ``drain``, which accept sync iterators and async
  ones (the stream protocols are structurally ``Iterator`` / ``AsyncIterator``).

The stubs are the generated ``Stubs`` / ``AsyncStubs`` over a *recording* caller that wraps the
connection's real caller, delegates every call to it unchanged, and logs ``method.path`` with the
outcome. Each test ends with ``Recording.assert_covers``, comparing the recorded paths with
the service's methods in ``etcd3.rpc.methods.ALL_METHODS``: a newly generated RPC fails its
service's test until a scenario calls it. ``SERVICE_TESTS`` names the module covering each
service, and ``test_rpc_services.py`` checks it lists every service of ``ALL_METHODS``.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Literal, TypeVar, overload

from google.protobuf.message import Message

from etcd3._connection import Connection
from etcd3._connection_async import AsyncConnection
from etcd3._runtime import (
    AsyncCaller,
    AsyncDuplexStream,
    AsyncServerStream,
    DuplexStream,
    Metadata,
    MethodInfo,
    ServerStream,
    SyncCaller,
    Timeout,
)
from etcd3.errors import EtcdError
from etcd3.rpc.methods import ALL_METHODS
from etcd3.rpc.services import AsyncStubs, Stubs

__all__ = [
    "CALL_TIMEOUT",
    "MODES",
    "SERVICE_TESTS",
    "AsyncRecordingCaller",
    "Mode",
    "Recording",
    "RecordingCaller",
    "Rpc",
    "connect",
    "drain",
    "receive",
    "resolve",
    "service_paths",
]

T = TypeVar("T")
# What a sync stub returns: a response, or None (a stream's send); never an awaitable.
R = TypeVar("R", bound="Message | None")
ReqT = TypeVar("ReqT", bound=Message)
RespT = TypeVar("RespT", bound=Message)

Mode = Literal["sync", "async"]
MODES: tuple[Mode, ...] = ("sync", "async")

Rpc = Stubs | AsyncStubs
"""The generated stubs of either flavour; test bodies are written once against this union."""

CALL_TIMEOUT = 10.0
"""Default deadline of every unary call in these tests, so nothing can hang."""

SERVICE_TESTS: dict[str, str] = {
    "etcdserverpb.KV": "test_rpc_kv.py",
    "etcdserverpb.Watch": "test_rpc_watch.py",
    "etcdserverpb.Lease": "test_rpc_lease.py",
    "etcdserverpb.Cluster": "test_rpc_cluster.py",
    "etcdserverpb.Maintenance": "test_rpc_maintenance.py",
    "etcdserverpb.Auth": "test_rpc_auth.py",
    "v3lockpb.Lock": "test_rpc_lock_election.py",
    "v3electionpb.Election": "test_rpc_lock_election.py",
}
"""The test module that covers every RPC of each service."""


def service_paths(service: str) -> set[str]:
    """The gRPC paths of every generated method of ``service`` (e.g. ``"etcdserverpb.KV"``)."""
    paths = {method.path for method in ALL_METHODS if method.service == service}
    if not paths:
        raise ValueError(f"no generated service {service!r}")
    return paths


@dataclass
class Recording:
    """The calls made through a recording caller: ``(method path, outcome)`` in call order.

    The outcome is ``"ok"`` for a response, ``"stream"`` for a stream opened (the scenario checks
    what it receives), or the class name of the ``EtcdError`` the server's status mapped to.
    """

    calls: list[tuple[str, str]] = field(default_factory=list)

    def record(self, method: MethodInfo[Message, Message], outcome: str) -> None:
        self.calls.append((method.path, outcome))

    @property
    def paths(self) -> set[str]:
        """Every method path called at least once."""
        return {path for path, _ in self.calls}

    def outcomes(self, path: str) -> list[str]:
        """The outcomes of the calls of ``path``, in order."""
        return [outcome for called, outcome in self.calls if called == path]

    def assert_covers(self, *services: str) -> None:
        """Assert that the calls of ``services`` are exactly every RPC those services have."""
        expected = set().union(*(service_paths(service) for service in services))
        called = {path for path in self.paths if path.split("/")[1] in services}
        missing, unknown = sorted(expected - called), sorted(called - expected)
        assert not missing, f"RPCs never called: {missing}"
        assert not unknown, f"RPCs called but not generated: {unknown}"


def _outcome(exc: EtcdError) -> str:
    # Only a status from the server (or gRPC) carries a code; client-side errors do not count.
    return type(exc).__name__ if exc.code is not None else f"client-side {type(exc).__name__}"


class RecordingCaller:
    """A ``SyncCaller`` that logs each call and delegates it unchanged."""

    def __init__(self, inner: SyncCaller, recording: Recording) -> None:
        self._inner = inner
        self._recording = recording

    def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        try:
            response = self._inner.unary(method, request, timeout, metadata)
        except EtcdError as exc:
            self._recording.record(method, _outcome(exc))
            raise
        self._recording.record(method, "ok")
        return response

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> ServerStream[RespT]:
        stream = self._inner.server_stream(method, request, timeout, metadata)
        self._recording.record(method, "stream")
        return stream

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> DuplexStream[ReqT, RespT]:
        stream = self._inner.bidi_stream(method, timeout, metadata)
        self._recording.record(method, "stream")
        return stream


class AsyncRecordingCaller:
    """An ``AsyncCaller`` that logs each call and delegates it unchanged."""

    def __init__(self, inner: AsyncCaller, recording: Recording) -> None:
        self._inner = inner
        self._recording = recording

    async def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        try:
            response = await self._inner.unary(method, request, timeout, metadata)
        except EtcdError as exc:
            self._recording.record(method, _outcome(exc))
            raise
        self._recording.record(method, "ok")
        return response

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncServerStream[RespT]:
        stream = self._inner.server_stream(method, request, timeout, metadata)
        self._recording.record(method, "stream")
        return stream

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncDuplexStream[ReqT, RespT]:
        stream = self._inner.bidi_stream(method, timeout, metadata)
        self._recording.record(method, "stream")
        return stream


@asynccontextmanager
async def connect(
    mode: Mode,
    endpoint: str,
    recording: Recording,
    *,
    user: str | None = None,
    password: str | None = None,
    timeout: float = CALL_TIMEOUT,
) -> AsyncIterator[Rpc]:
    """Open a ``Connection`` or ``AsyncConnection`` and yield recording stubs over it.

    Args:
        mode: ``"sync"`` or ``"async"``.
        endpoint: ``host:port`` of the etcd member.
        recording: Where the calls are logged.
        user: Log in as this user (with ``password``) when connecting.
        password: The user's password.
        timeout: Default deadline of unary calls.
    """
    if mode == "sync":
        with Connection(endpoint, timeout=timeout, user=user, password=password) as conn:
            yield Stubs(RecordingCaller(conn.caller, recording))
    else:
        async with AsyncConnection(
            endpoint, timeout=timeout, user=user, password=password
        ) as aconn:
            yield AsyncStubs(AsyncRecordingCaller(aconn.caller, recording))


@overload
async def resolve(value: Awaitable[T]) -> T: ...
@overload
async def resolve(value: R) -> R: ...
async def resolve(value: Awaitable[T] | R) -> T | R:
    """The result of a sync stub call (as is) or of an async one (awaited).

    Given the union a call on ``Rpc`` returns (``PutResponse | Coroutine[..., PutResponse]``),
    mypy checks each member against the overloads and infers plain ``PutResponse``.
    """
    if inspect.isawaitable(value):
        return await value
    return value


async def receive(stream: Iterator[T] | AsyncIterator[T]) -> T:
    """The next response of a sync or async stream.

    Raises:
        AssertionError: The stream ended instead.
    """
    try:
        if isinstance(stream, AsyncIterator):
            return await stream.__anext__()
        return next(stream)
    except (StopIteration, StopAsyncIteration):
        raise AssertionError("the stream ended before the expected response") from None


async def drain(stream: Iterator[T] | AsyncIterator[T]) -> list[T]:
    """Every remaining response of a sync or async stream, until it ends."""
    if isinstance(stream, AsyncIterator):
        return [item async for item in stream]
    return list(stream)
