"""An asyncio client whose member accepts connections but never answers closes at once.

A paused or wedged member accepts TCP connections (the kernel does) and never sends its HTTP/2
settings, so grpc keeps trying to connect (up to 20 s per attempt). grpc.aio holds the writes
of a call that has not connected, and does not wake them when the call is cancelled or its
channel closed: a watch's or a kept-alive lease's first request used to hold ``close()`` for
the watcher's 5 s grace. The sync client has no such wait (see the fault suite's close test).
"""

from __future__ import annotations

import asyncio

import pytest

import etcd3
from etcd3.errors import ConnectionClosedError, StreamClosedError, WatchTimedOut
from etcd3.rpc.etcdserverpb import WatchProgressRequest, WatchRequest

# close() must not wait for grpc's connection attempt nor the watcher's 5 s grace.
CLOSE_BOUND_S = 3.0


async def test_close_ends_a_watch_and_a_keepalive_stuck_connecting(silent_port: int) -> None:
    client = etcd3.async_client("127.0.0.1", silent_port, timeout=30)
    watch = asyncio.ensure_future(client.watch(b"/silent/k"))
    lease = asyncio.ensure_future(client.lease(10, keep_alive=True))
    await asyncio.sleep(0.5)
    assert not watch.done()
    assert not lease.done()

    await asyncio.wait_for(client.close(), CLOSE_BOUND_S)

    for pending in (watch, lease):
        with pytest.raises(ConnectionClosedError):
            await asyncio.wait_for(pending, CLOSE_BOUND_S)
    leftovers = [t for t in asyncio.all_tasks() if t.get_name().startswith("etcd3")]
    assert leftovers == []


async def test_a_stream_cancelled_before_connecting_ends_its_first_send(silent_port: int) -> None:
    client = etcd3.async_client("127.0.0.1", silent_port, timeout=30)
    try:
        stream = client.rpc.watch.watch(timeout=None)
        request = WatchRequest(progress_request=WatchProgressRequest())
        send = asyncio.ensure_future(stream.send(request))
        await asyncio.sleep(0.5)
        assert not send.done()
        stream.cancel()
        with pytest.raises(StreamClosedError):
            await asyncio.wait_for(send, CLOSE_BOUND_S)
    finally:
        await asyncio.wait_for(client.close(), CLOSE_BOUND_S)


async def test_a_watch_creation_ends_by_its_deadline_while_another_write_is_held(
    silent_port: int,
) -> None:
    # The first watch's create request is the stream's first write, which grpc.aio holds
    # while it tries to connect; the second creation must not wait for it past its own 1 s.
    async with etcd3.async_client("127.0.0.1", silent_port, timeout=30) as client:
        first = asyncio.ensure_future(client.watch(b"/silent/a"))
        await asyncio.sleep(0.5)
        assert not first.done()
        started = asyncio.get_running_loop().time()
        with pytest.raises(WatchTimedOut):
            await client.watch(b"/silent/b", timeout_override=1)
        assert asyncio.get_running_loop().time() - started < 2
        first.cancel()
