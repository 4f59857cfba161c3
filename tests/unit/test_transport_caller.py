"""The callers without a server: deadlines, refused connections, closing, streams, prepare.

Calls here go to a loopback port nobody listens on (so nothing is ever served), or are refused
by the caller before anything is sent.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import grpc
import grpc.aio
import pytest
from google.protobuf.empty_pb2 import Empty

from etcd3._runtime import (
    DEFAULT_TIMEOUT,
    AsyncCaller,
    CallKind,
    MethodInfo,
    SyncCaller,
    Timeout,
)
from etcd3._transport import AsyncGrpcCaller, GrpcCaller
from etcd3.errors import (
    REFUSED_HINT,
    ConnectionClosedError,
    ConnectionFailedError,
    ConnectionTimeoutError,
    EtcdError,
    StreamClosedError,
)

REFUSED_DEADLINE = 1.0
"""The deadline of a call to a port that refuses connections. Such a call is retried (nothing
was sent) until the next wait would pass its deadline, and the tests here check the error it
ends with, which the first refused attempt already gives: a second is plenty for that."""

UNARY: MethodInfo[Empty, Empty] = MethodInfo(
    service="test.Svc",
    name="Unary",
    path="/test.Svc/Unary",
    kind=CallKind.UNARY,
    request_type=Empty,
    response_type=Empty,
    retry_safe=True,
)
SERVER_STREAM: MethodInfo[Empty, Empty] = MethodInfo(
    service="test.Svc",
    name="Stream",
    path="/test.Svc/Stream",
    kind=CallKind.SERVER_STREAM,
    request_type=Empty,
    response_type=Empty,
    retry_safe=True,
)
BIDI: MethodInfo[Empty, Empty] = MethodInfo(
    service="test.Svc",
    name="Bidi",
    path="/test.Svc/Bidi",
    kind=CallKind.BIDI_STREAM,
    request_type=Empty,
    response_type=Empty,
    retry_safe=True,
)


@pytest.fixture
def dead_endpoint() -> str:
    """A loopback port that refuses connections.

    A call to it is retried until the next wait would pass its deadline (``REFUSED_DEADLINE``):
    tests that make one are marked ``slow``, so ``make test-quick`` leaves them to ``make test``.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"127.0.0.1:{port}"


@pytest.fixture
def caller(dead_endpoint: str) -> Iterator[GrpcCaller]:
    c = GrpcCaller(grpc.insecure_channel(dead_endpoint), default_timeout=REFUSED_DEADLINE)
    yield c
    c.close()


def test_negative_default_timeout_is_refused(dead_endpoint: str) -> None:
    channel = grpc.insecure_channel(dead_endpoint)
    with pytest.raises(ValueError, match="timeout"):
        GrpcCaller(channel, default_timeout=-1)
    channel.close()


# --- sync caller -----------------------------------------------------------------------------


def test_sync_caller_implements_the_protocol(caller: GrpcCaller) -> None:
    typed: SyncCaller = caller
    assert typed is caller


def test_zero_timeout_fails_before_sending(caller: GrpcCaller) -> None:
    with pytest.raises(ConnectionTimeoutError):
        caller.unary(UNARY, Empty(), 0, None)
    with pytest.raises(ConnectionTimeoutError):
        caller.server_stream(SERVER_STREAM, Empty(), 0, None)
    with pytest.raises(ConnectionTimeoutError):
        caller.bidi_stream(BIDI, 0, None)


def test_negative_timeout_is_a_value_error(caller: GrpcCaller) -> None:
    with pytest.raises(ValueError, match="timeout"):
        caller.unary(UNARY, Empty(), -1, None)


@pytest.mark.slow
def test_refused_connection_is_a_retryable_connection_failure(caller: GrpcCaller) -> None:
    with pytest.raises(ConnectionFailedError) as info:
        caller.unary(UNARY, Empty(), DEFAULT_TIMEOUT, None)
    assert info.value.code is grpc.StatusCode.UNAVAILABLE
    assert info.value.retryable
    assert info.value.method == UNARY.path
    assert isinstance(info.value.__cause__, grpc.RpcError)


@pytest.mark.slow
def refused_or_mtls_hint(err: ConnectionFailedError) -> None:
    """A refused connection says so; grpc that names no cause (1.42) gets the TLS hints."""
    if "Connection refused" in err.details:
        assert str(err).endswith(f"({REFUSED_HINT})")
    else:
        assert "client certificate" in str(err)


def test_a_refused_connection_is_named_on_a_channel_without_client_cert(
    dead_endpoint: str,
) -> None:
    c = GrpcCaller(grpc.insecure_channel(dead_endpoint), secure_without_client_cert=True)
    try:
        with pytest.raises(ConnectionFailedError) as info:
            c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
        refused_or_mtls_hint(info.value)
    finally:
        c.close()


def test_calls_after_close_raise_a_typed_error(caller: GrpcCaller) -> None:
    caller.close()
    caller.close()  # idempotent
    assert caller.closed
    with pytest.raises(ConnectionClosedError):
        caller.unary(UNARY, Empty(), DEFAULT_TIMEOUT, None)
    with pytest.raises(ConnectionClosedError):
        caller.server_stream(SERVER_STREAM, Empty(), None, None)
    with pytest.raises(ConnectionClosedError):
        caller.bidi_stream(BIDI, None, None)


@pytest.mark.slow
def test_cached_method_after_close_raises_a_typed_error(caller: GrpcCaller) -> None:
    with pytest.raises(ConnectionFailedError):
        caller.unary(UNARY, Empty(), REFUSED_DEADLINE, None)  # caches the multicallable
    caller.close()
    with pytest.raises(ConnectionClosedError):
        caller.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
    with pytest.raises(ConnectionClosedError):
        _ = caller.channel  # let go of at close, and never opened again


@pytest.mark.slow
def test_channel_closed_behind_the_callers_back(dead_endpoint: str) -> None:
    channel = grpc.insecure_channel(dead_endpoint)
    c = GrpcCaller(channel)
    with pytest.raises(ConnectionFailedError):
        c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
    channel.close()
    with pytest.raises(ConnectionClosedError):
        c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)


def test_server_stream_failure_is_mapped_on_iteration(caller: GrpcCaller) -> None:
    stream = caller.server_stream(SERVER_STREAM, Empty(), REFUSED_DEADLINE, None)
    with pytest.raises(ConnectionFailedError):
        next(stream)


def test_cancelled_server_stream_ends_quietly(caller: GrpcCaller) -> None:
    with caller.server_stream(SERVER_STREAM, Empty(), None, None) as stream:
        stream.cancel()
        assert list(stream) == []


def test_bidi_stream_send_after_done_writing_or_cancel(caller: GrpcCaller) -> None:
    stream = caller.bidi_stream(BIDI, None, None)
    stream.done_writing()
    stream.done_writing()  # idempotent
    with pytest.raises(StreamClosedError, match="done_writing"):
        stream.send(Empty())
    stream.cancel()
    with pytest.raises(StreamClosedError, match="cancelled"):
        stream.send(Empty())
    assert list(stream) == []


def test_bidi_stream_send_after_failure_raises_the_mapped_error(caller: GrpcCaller) -> None:
    stream = caller.bidi_stream(BIDI, REFUSED_DEADLINE, None)
    with pytest.raises(ConnectionFailedError):
        next(stream)
    with pytest.raises(ConnectionFailedError):
        stream.send(Empty())
    stream.cancel()


# --- asyncio caller --------------------------------------------------------------------------


@pytest.mark.slow
def test_async_caller_creates_no_channel_outside_a_loop(dead_endpoint: str) -> None:
    created: list[grpc.aio.Channel] = []

    def factory() -> grpc.aio.Channel:
        channel = grpc.aio.insecure_channel(dead_endpoint)
        created.append(channel)
        return channel

    c = AsyncGrpcCaller(factory, default_timeout=REFUSED_DEADLINE)
    typed: AsyncCaller = c
    assert typed is c
    assert c.channel is None
    assert created == []

    async def use() -> None:
        with pytest.raises(ConnectionFailedError):
            await c.unary(UNARY, Empty(), DEFAULT_TIMEOUT, None)
        assert c.channel is created[0]
        await c.close()

    asyncio.run(use())
    assert len(created) == 1


async def test_async_zero_and_negative_timeouts(dead_endpoint: str) -> None:
    c = AsyncGrpcCaller(grpc.aio.insecure_channel(dead_endpoint))
    try:
        with pytest.raises(ConnectionTimeoutError):
            await c.unary(UNARY, Empty(), 0, None)
        with pytest.raises(ConnectionTimeoutError):
            c.server_stream(SERVER_STREAM, Empty(), 0, None)
        with pytest.raises(ConnectionTimeoutError):
            c.bidi_stream(BIDI, 0, None)
        with pytest.raises(ValueError, match="timeout"):
            await c.unary(UNARY, Empty(), -2, None)
    finally:
        await c.close()


@pytest.mark.slow
async def test_async_refused_connection(dead_endpoint: str) -> None:
    c = AsyncGrpcCaller(grpc.aio.insecure_channel(dead_endpoint), secure_without_client_cert=True)
    try:
        with pytest.raises(ConnectionFailedError) as info:
            await c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
        refused_or_mtls_hint(info.value)
        assert isinstance(info.value.__cause__, grpc.RpcError)
        stream = c.server_stream(SERVER_STREAM, Empty(), REFUSED_DEADLINE, None)
        with pytest.raises(ConnectionFailedError):
            await stream.__anext__()
        duplex = c.bidi_stream(BIDI, REFUSED_DEADLINE, None)
        with pytest.raises(ConnectionFailedError):
            await duplex.__anext__()
        with pytest.raises(ConnectionFailedError):
            await duplex.send(Empty())
    finally:
        await c.close()


async def test_async_calls_after_close(dead_endpoint: str) -> None:
    c = AsyncGrpcCaller(lambda: grpc.aio.insecure_channel(dead_endpoint))
    stream_made_before = c.server_stream(SERVER_STREAM, Empty(), None, None)
    await c.close()
    await c.close()  # idempotent
    with pytest.raises(ConnectionClosedError):
        await c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
    with pytest.raises(ConnectionClosedError):
        c.server_stream(SERVER_STREAM, Empty(), None, None)
    with pytest.raises(ConnectionClosedError):
        c.bidi_stream(BIDI, None, None)
    with pytest.raises(ConnectionClosedError):
        await stream_made_before.__anext__()
    assert c.channel is None  # never needed, never created


@pytest.mark.slow
async def test_async_cached_method_after_close(dead_endpoint: str) -> None:
    c = AsyncGrpcCaller(grpc.aio.insecure_channel(dead_endpoint))
    with pytest.raises(ConnectionFailedError):
        await c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
    assert c.channel is not None
    await c.close()
    with pytest.raises(ConnectionClosedError):
        await c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
    assert c.channel is None  # let go of at close


async def test_async_streams_cancelled_before_start_end_quietly(dead_endpoint: str) -> None:
    c = AsyncGrpcCaller(lambda: grpc.aio.insecure_channel(dead_endpoint))
    try:
        async with c.server_stream(SERVER_STREAM, Empty(), None, None) as stream:
            stream.cancel()
            assert [r async for r in stream] == []
        duplex = c.bidi_stream(BIDI, None, None)
        duplex.cancel()
        assert [r async for r in duplex] == []
        with pytest.raises(StreamClosedError, match="cancelled"):
            await duplex.send(Empty())
        await duplex.done_writing()  # nothing to half-close: no error
        assert c.channel is None  # nothing was ever started
    finally:
        await c.close()


async def test_a_zero_or_negative_timeout_fails_before_the_first_login(
    dead_endpoint: str,
) -> None:
    runs: list[int] = []

    async def prepare(timeout: Timeout) -> None:
        runs.append(1)

    c = AsyncGrpcCaller(grpc.aio.insecure_channel(dead_endpoint), prepare=prepare)
    try:
        with pytest.raises(ConnectionTimeoutError):
            await c.unary(UNARY, Empty(), 0, None)
        with pytest.raises(ValueError, match="timeout"):
            await c.unary(UNARY, Empty(), -1, None)
        assert runs == []  # nothing was sent, the login neither
    finally:
        await c.close()


@pytest.mark.slow
async def test_prepare_runs_once_before_the_first_calls(dead_endpoint: str) -> None:
    runs: list[int] = []

    async def prepare(timeout: Timeout) -> None:
        runs.append(1)
        await asyncio.sleep(0.01)

    c = AsyncGrpcCaller(grpc.aio.insecure_channel(dead_endpoint), prepare=prepare)
    try:
        results = await asyncio.gather(
            *(c.unary(UNARY, Empty(), REFUSED_DEADLINE, None) for _ in range(5)),
            return_exceptions=True,
        )
        assert all(isinstance(r, ConnectionFailedError) for r in results)
        assert runs == [1]
        await c.ensure_prepared()
        assert runs == [1]
    finally:
        await c.close()


def test_a_sync_first_call_logs_in_within_its_own_deadline(dead_endpoint: str) -> None:
    runs: list[Timeout] = []
    entered = threading.Event()

    def prepare(timeout: Timeout) -> None:
        runs.append(timeout)
        entered.set()
        time.sleep(0.5)
        raise ConnectionTimeoutError("the login ran out of time")

    c = GrpcCaller(grpc.insecure_channel(dead_endpoint), prepare=prepare)
    failures: list[BaseException] = []

    def first_call() -> None:
        try:
            c.unary(UNARY, Empty(), 0.5, None)
        except EtcdError as exc:
            failures.append(exc)

    try:
        first = threading.Thread(target=first_call)
        first.start()
        assert entered.wait(5)
        # Another thread waits for that login at most its own deadline.
        start = time.monotonic()
        with pytest.raises(ConnectionTimeoutError, match="while the client logged in"):
            c.unary(UNARY, Empty(), 0.1, None)
        assert time.monotonic() - start < 0.35
        first.join(5)
        assert [str(f) for f in failures] == ["the login ran out of time"]
        (timeout,) = runs
        assert isinstance(timeout, float)
        assert 0.4 < timeout <= 0.5  # the first call's deadline, not the client's default
    finally:
        c.close()


def test_threads_that_call_first_together_share_one_login(dead_endpoint: str) -> None:
    runs: list[Timeout] = []

    def prepare(timeout: Timeout) -> None:
        runs.append(timeout)
        time.sleep(0.05)

    c = GrpcCaller(grpc.insecure_channel(dead_endpoint), prepare=prepare)
    try:
        threads = [threading.Thread(target=c.ensure_prepared) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
        assert runs == [DEFAULT_TIMEOUT]
    finally:
        c.close()


async def test_a_call_waits_for_the_first_login_no_longer_than_its_deadline(
    dead_endpoint: str,
) -> None:
    runs: list[Timeout] = []
    release = asyncio.Event()

    async def prepare(timeout: Timeout) -> None:
        runs.append(timeout)
        await release.wait()

    c = AsyncGrpcCaller(grpc.aio.insecure_channel(dead_endpoint), prepare=prepare)
    try:
        start = time.monotonic()
        with pytest.raises(ConnectionTimeoutError, match="while the client logged in"):
            await c.unary(UNARY, Empty(), 0.2, None)
        assert 0.15 < time.monotonic() - start < 1.0
        # The login goes on for the next caller, with the client's deadline, not the call's.
        assert runs == [DEFAULT_TIMEOUT]
        assert not await c.ensure_prepared(0.01)
        release.set()
        assert await c.ensure_prepared(1.0)
        assert await c.ensure_prepared(0)  # done: nothing to wait for
        assert runs == [DEFAULT_TIMEOUT]
    finally:
        await c.close()


async def test_a_login_that_fails_after_its_callers_gave_up_is_run_again(
    dead_endpoint: str,
) -> None:
    runs: list[Timeout] = []

    async def prepare(timeout: Timeout) -> None:
        runs.append(timeout)
        await asyncio.sleep(0.05)
        if len(runs) == 1:
            raise ConnectionFailedError("first login fails")

    c = AsyncGrpcCaller(grpc.aio.insecure_channel(dead_endpoint), prepare=prepare)
    try:
        assert not await c.ensure_prepared(0.01)
        await asyncio.sleep(0.1)  # the login failed meanwhile, seen by nobody
        assert await c.ensure_prepared(1.0)  # a new login, not the old failure
        assert len(runs) == 2
    finally:
        await c.close()


@pytest.mark.slow
async def test_failed_prepare_is_retried_by_the_next_call(dead_endpoint: str) -> None:
    attempts: list[int] = []

    async def prepare(timeout: Timeout) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionFailedError("first login fails")

    c = AsyncGrpcCaller(grpc.aio.insecure_channel(dead_endpoint), prepare=prepare)
    try:
        with pytest.raises(ConnectionFailedError, match="first login fails"):
            await c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
        with pytest.raises(ConnectionFailedError) as info:
            await c.unary(UNARY, Empty(), REFUSED_DEADLINE, None)
        assert info.value.code is grpc.StatusCode.UNAVAILABLE  # the call itself, this time
        assert len(attempts) == 2
    finally:
        await c.close()
