# async-to-sync: source
"""The transport against a real etcd: unary calls, streams, deadlines, closing, cancellation."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator

import grpc
import pytest

from etcd3._acompat import ASYNC, join_workers, sleep, spawn
from etcd3._client_async import AsyncEtcd3Client
from etcd3._connection_async import AsyncConnection
from etcd3.errors import (
    ConnectionClosedError,
    ConnectionTimeoutError,
    EtcdError,
    FutureRevisionError,
    LeaseNotFoundError,
    RevisionCompactedError,
    StreamClosedError,
)
from etcd3.rpc.etcdserverpb import (
    PutRequest,
    RequestOp,
    TxnRequest,
    WatchCancelRequest,
    WatchCreateRequest,
    WatchRequest,
)
from etcd3.testing import EtcdFactory, EtcdServer

if ASYNC:
    import asyncio

A_MICROSECOND = 1e-6
"""A deadline every real call outlives: a loopback answer still beats grpc's deadline timer."""


@pytest.fixture
async def conn(etcd_server: EtcdServer) -> AsyncIterator[AsyncConnection]:
    async with AsyncConnection(etcd_server.endpoint, timeout=10) as connection:
        yield connection


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> bytes:
    return f"/test_transport/{request.node.name}/".encode()


async def test_unary_roundtrip(conn: AsyncConnection, prefix: bytes) -> None:
    put = await conn.rpc.kv.put(key=prefix + b"k", value=b"v")
    got = await conn.rpc.kv.range(key=prefix + b"k")
    assert [(kv.key, kv.value) for kv in got.kvs] == [(prefix + b"k", b"v")]
    assert got.header.revision >= put.header.revision


async def test_many_concurrent_calls(conn: AsyncConnection, prefix: bytes) -> None:
    async def put(i: int) -> None:
        await conn.rpc.kv.put(key=prefix + b"%03d" % i, value=b"v")

    await join_workers(
        [spawn(functools.partial(put, i), name=f"put-{i}") for i in range(64)], timeout=30
    )
    got = await conn.rpc.kv.range(key=prefix, range_end=prefix[:-1] + b"0", count_only=True)
    assert got.count == 64


async def test_compacted_revision(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()  # private: compaction would disturb other tests
    async with AsyncConnection(server.endpoint, timeout=10) as conn:
        first = (await conn.rpc.kv.put(key=b"k", value=b"1")).header.revision
        latest = (await conn.rpc.kv.put(key=b"k", value=b"2")).header.revision
        await conn.rpc.kv.compact(revision=latest)
        with pytest.raises(RevisionCompactedError) as info:
            await conn.rpc.kv.range(key=b"k", revision=first)
    err = info.value
    assert err.code is grpc.StatusCode.OUT_OF_RANGE
    assert "required revision has been compacted" in str(err)
    assert err.compacted_revision == 0  # a failed Range does not tell it
    assert err.method == "/etcdserverpb.KV/Range"
    assert isinstance(err.__cause__, grpc.RpcError)
    assert not err.retryable


async def test_future_revision(conn: AsyncConnection) -> None:
    current = (await conn.rpc.kv.range(key=b"x")).header.revision
    with pytest.raises(FutureRevisionError) as info:
        await conn.rpc.kv.range(key=b"x", revision=current + 1000)
    assert "future revision" in str(info.value)


async def test_revoke_unknown_lease(conn: AsyncConnection) -> None:
    with pytest.raises(LeaseNotFoundError) as info:
        await conn.rpc.lease.lease_revoke(ID=0x7EEDBEEF)
    assert info.value.code is grpc.StatusCode.NOT_FOUND
    assert str(info.value) == "etcdserver: requested lease not found"


async def test_zero_timeout_expires_at_once(conn: AsyncConnection) -> None:
    started = time.monotonic()
    with pytest.raises(ConnectionTimeoutError):
        await conn.rpc.kv.range(key=b"x", timeout=0)
    assert time.monotonic() - started < 0.5


async def test_none_timeout_means_no_deadline(etcd_server: EtcdServer) -> None:
    async with AsyncConnection(etcd_server.endpoint, timeout=0) as conn:
        with pytest.raises(ConnectionTimeoutError):
            await conn.rpc.kv.range(key=b"x")  # the connection's default: already expired
        await conn.rpc.kv.range(key=b"x", timeout=None)
        await conn.rpc.kv.range(key=b"x", timeout=5)


async def test_an_answer_after_the_deadline_is_a_timeout(
    conn: AsyncConnection, prefix: bytes
) -> None:
    key = prefix + b"late"
    with pytest.raises(ConnectionTimeoutError) as read:
        await conn.rpc.kv.range(key=key, timeout=A_MICROSECOND)
    assert not read.value.outcome_unknown
    for write in (
        functools.partial(conn.rpc.kv.put, key=key, value=b"v", timeout=A_MICROSECOND),
        functools.partial(conn.rpc.kv.delete_range, key=key, timeout=A_MICROSECOND),
        functools.partial(
            conn.rpc.kv.txn,
            TxnRequest(success=[RequestOp(request_put=PutRequest(key=key, value=b"t"))]),
            timeout=A_MICROSECOND,
        ),
    ):
        with pytest.raises(ConnectionTimeoutError) as info:
            await write()
        assert info.value.outcome_unknown  # the write reached etcd: it may well have applied
        assert not info.value.retryable
    await conn.rpc.kv.range(key=key, timeout=5)  # a deadline the answer meets


async def test_the_friendly_api_holds_calls_to_their_deadline(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"late"
    with pytest.raises(ConnectionTimeoutError):
        await async_client.get(key, timeout_override=A_MICROSECOND)
    with pytest.raises(ConnectionTimeoutError) as put:
        await async_client.put(key, b"v", timeout_override=A_MICROSECOND)
    assert put.value.outcome_unknown
    with pytest.raises(ConnectionTimeoutError):
        await async_client.delete(key, timeout_override=A_MICROSECOND)
    with pytest.raises(ConnectionTimeoutError):
        async for _ in async_client.get_prefix(prefix, timeout_override=A_MICROSECOND):
            pass


async def test_large_range_fits_the_receive_limit(conn: AsyncConnection, prefix: bytes) -> None:
    value = b"v" * 200
    total = 30_000
    for start in range(0, total, 128):  # etcd's default --max-txn-ops
        ops = [
            RequestOp(request_put=PutRequest(key=prefix + b"%06d" % i, value=value))
            for i in range(start, min(start + 128, total))
        ]
        await conn.rpc.kv.txn(TxnRequest(success=ops))
    try:
        response = await conn.rpc.kv.range(key=prefix, range_end=prefix[:-1] + b"0")
        assert response.count == total
        assert len(response.kvs) == total
        assert response.ByteSize() > 4 * 1024 * 1024  # above grpc's default limit
    finally:
        await conn.rpc.kv.delete_range(key=prefix, range_end=prefix[:-1] + b"0")


async def test_snapshot_server_stream(conn: AsyncConnection) -> None:
    size = 0
    async with conn.rpc.maintenance.snapshot() as stream:
        async for chunk in stream:
            size += len(chunk.blob)
    assert size > 0


async def test_server_stream_cancelled_midway_ends_quietly(conn: AsyncConnection) -> None:
    stream = conn.rpc.maintenance.snapshot()
    await stream.__anext__()
    stream.cancel()
    assert [chunk async for chunk in stream] == []


async def test_stream_deadline_is_mapped(conn: AsyncConnection) -> None:
    stream = conn.rpc.watch.watch(timeout=0.3)
    await stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"quiet")))
    assert (await stream.__anext__()).created
    with pytest.raises(ConnectionTimeoutError) as info:
        await stream.__anext__()  # no events: the stream's own deadline ends it
    assert isinstance(info.value.__cause__, grpc.RpcError)
    with pytest.raises(ConnectionTimeoutError):
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"again")))


async def test_watch_bidi_stream(conn: AsyncConnection, prefix: bytes) -> None:
    key = prefix + b"w"
    async with conn.rpc.watch.watch() as stream:
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=key)))
        created = await stream.__anext__()
        assert created.created
        await conn.rpc.kv.put(key=key, value=b"1")
        event = await stream.__anext__()
        assert [(e.kv.key, e.kv.value) for e in event.events] == [(key, b"1")]
        await stream.send(
            WatchRequest(cancel_request=WatchCancelRequest(watch_id=created.watch_id))
        )
        assert (await stream.__anext__()).canceled
    assert [r async for r in stream] == []
    with pytest.raises(StreamClosedError):
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=key)))


async def test_half_closed_watch_still_delivers(conn: AsyncConnection, prefix: bytes) -> None:
    key = prefix + b"h"
    async with conn.rpc.watch.watch(timeout=10) as stream:
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=key)))
        await stream.done_writing()
        await stream.done_writing()
        with pytest.raises(StreamClosedError, match="done_writing"):
            await stream.send(WatchRequest(create_request=WatchCreateRequest(key=key)))
        assert (await stream.__anext__()).created
        await conn.rpc.kv.put(key=key, value=b"1")
        assert (await stream.__anext__()).events[0].kv.value == b"1"


async def test_closed_connection_raises_typed_errors(etcd_server: EtcdServer) -> None:
    conn = AsyncConnection(etcd_server.endpoint, timeout=10)
    await conn.rpc.kv.range(key=b"x")
    await conn.close()
    await conn.close()
    with pytest.raises(ConnectionClosedError):
        await conn.rpc.kv.range(key=b"x")
    with pytest.raises(ConnectionClosedError):
        conn.rpc.maintenance.snapshot()
    with pytest.raises(ConnectionClosedError):
        conn.rpc.watch.watch()


async def test_close_during_a_watch_ends_it_with_a_typed_error(etcd_server: EtcdServer) -> None:
    conn = AsyncConnection(etcd_server.endpoint, timeout=10)
    stream = conn.rpc.watch.watch()
    await stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"close-me")))
    assert (await stream.__anext__()).created
    errors: list[BaseException] = []

    async def reader() -> None:
        try:
            await stream.__anext__()
        except BaseException as exc:
            errors.append(exc)

    worker = spawn(reader, name="reader")
    await sleep(0.2)
    await conn.close()
    await join_workers([worker], timeout=5)
    assert len(errors) == 1
    assert isinstance(errors[0], ConnectionClosedError)
    with pytest.raises(ConnectionClosedError):
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"again")))


async def test_no_raw_grpc_error_escapes(conn: AsyncConnection) -> None:
    async def future_range() -> object:
        return await conn.rpc.kv.range(key=b"x", revision=10**12)

    async def revoke_unknown() -> object:
        return await conn.rpc.lease.lease_revoke(ID=0x7EEDBEEF)

    async def empty_key() -> object:
        return await conn.rpc.kv.put(key=b"", value=b"v")

    async def stream_deadline() -> object:
        stream = conn.rpc.watch.watch(timeout=0.2)
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"quiet")))
        return [r async for r in stream]

    for failure in (future_range, revoke_unknown, empty_key, stream_deadline):
        with pytest.raises(EtcdError) as info:
            await failure()
        assert not isinstance(info.value, grpc.RpcError)
        assert isinstance(info.value.__cause__, grpc.RpcError)


if ASYNC:
    # Only asyncio has these: a task can be cancelled, or given up by wait_for, while it awaits
    # a call; a thread blocked in a sync call cannot be interrupted.

    async def test_task_cancellation_propagates_from_a_stream_read(conn: AsyncConnection) -> None:
        stream = conn.rpc.watch.watch()
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"never")))
        assert (await stream.__anext__()).created
        reader = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.1)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        stream.cancel()

    async def test_task_cancellation_propagates_from_a_unary_call(conn: AsyncConnection) -> None:
        # A linearizable read of a busy-free server is fast; cancel before it can complete.
        call = asyncio.ensure_future(conn.rpc.kv.range(key=b"x"))
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        await conn.rpc.kv.range(key=b"x")  # the connection is still usable

    async def test_wait_for_maps_to_cancellation_not_an_etcd_error(conn: AsyncConnection) -> None:
        stream = conn.rpc.watch.watch()
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"wait-for")))
        assert (await stream.__anext__()).created
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(stream.__anext__(), 0.2)
        stream.cancel()
