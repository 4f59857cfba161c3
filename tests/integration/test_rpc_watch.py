"""The Watch RPC (a bidi stream) through the generated stubs, sync and async, on a real etcd."""

from __future__ import annotations

import pytest
from rpc_recording import MODES, Mode, Recording, Rpc, connect, drain, receive, resolve

from etcd3.errors import StreamClosedError
from etcd3.rpc.etcdserverpb import (
    WatchCancelRequest,
    WatchCreateRequest,
    WatchRequest,
)
from etcd3.rpc.mvccpb import EventType
from etcd3.testing import EtcdFactory, EtcdServer

pytestmark = pytest.mark.parametrize("mode", MODES)

STREAM_TIMEOUT = 10.0
"""Deadline of every watch stream: a missing response fails the test instead of hanging it."""


async def watch_lifecycle(rpc: Rpc, prefix: bytes) -> None:
    key = prefix + b"k"
    before = await resolve(rpc.kv.put(key=key, value=b"0"))
    stream = rpc.watch.watch(timeout=STREAM_TIMEOUT)
    try:
        # History first: a watch from an earlier revision replays the put made before it.
        await resolve(
            stream.send(
                WatchRequest(
                    create_request=WatchCreateRequest(
                        key=prefix,
                        range_end=prefix[:-1] + b"0",  # "/" + 1: every key under the prefix
                        start_revision=before.header.revision,
                        prev_kv=True,
                    )
                )
            )
        )
        created = await receive(stream)
        assert created.created
        assert not created.events
        watch_id = created.watch_id
        replayed = await receive(stream)
        assert replayed.watch_id == watch_id
        assert [(e.type, e.kv.key, e.kv.value, e.kv.mod_revision) for e in replayed.events] == [
            (EventType.PUT, key, b"0", before.header.revision)
        ]

        # Live events: a put (with the previous value) and a delete.
        put = await resolve(rpc.kv.put(key=key, value=b"1"))
        got = await receive(stream)
        assert [(e.type, e.kv.value, e.prev_kv.value) for e in got.events] == [
            (EventType.PUT, b"1", b"0")
        ]
        assert got.events[0].kv.mod_revision == put.header.revision
        assert got.header.revision >= put.header.revision

        deleted = await resolve(rpc.kv.delete_range(key=key))
        got = await receive(stream)
        assert [(e.type, e.kv.key, e.kv.mod_revision) for e in got.events] == [
            (EventType.DELETE, key, deleted.header.revision)
        ]

        # A second watcher on the same stream gets its own id.
        await resolve(stream.send(WatchRequest(create_request=WatchCreateRequest(key=key))))
        second = await receive(stream)
        assert second.created
        assert second.watch_id != watch_id

        # Cancel the first: the server confirms; later events reach only the second watcher.
        await resolve(
            stream.send(WatchRequest(cancel_request=WatchCancelRequest(watch_id=watch_id)))
        )
        canceled = await receive(stream)
        assert (canceled.canceled, canceled.watch_id) == (True, watch_id)
        await resolve(rpc.kv.put(key=key, value=b"2"))
        got = await receive(stream)
        assert got.watch_id == second.watch_id
        assert [e.kv.value for e in got.events] == [b"2"]
    finally:
        stream.cancel()
    # Closed by us: iteration ends quietly and the stream takes no more requests.
    assert await drain(stream) == []
    with pytest.raises(StreamClosedError):
        await resolve(stream.send(WatchRequest(create_request=WatchCreateRequest(key=key))))


async def watch_compacted(rpc: Rpc) -> None:
    first = await resolve(rpc.kv.put(key=b"w", value=b"1"))
    second = await resolve(rpc.kv.put(key=b"w", value=b"2"))
    await resolve(rpc.kv.compact(revision=second.header.revision))
    stream = rpc.watch.watch(timeout=STREAM_TIMEOUT)
    try:
        await resolve(
            stream.send(
                WatchRequest(
                    create_request=WatchCreateRequest(
                        key=b"w", start_revision=first.header.revision
                    )
                )
            )
        )
        # The watcher is created, then canceled at once, telling where history now starts.
        responses = [await receive(stream)]
        if not responses[0].canceled:
            responses.append(await receive(stream))
        assert responses[0].created
        assert responses[-1].canceled
        assert responses[-1].compact_revision == second.header.revision
    finally:
        stream.cancel()


async def test_watch_rpc(
    mode: Mode, etcd_server: EtcdServer, etcd_factory: EtcdFactory, request: pytest.FixtureRequest
) -> None:
    recording = Recording()
    prefix = f"/test_rpc_watch/{request.node.name}/".encode()
    async with connect(mode, etcd_server.endpoint, recording) as rpc:
        await watch_lifecycle(rpc, prefix)
    async with connect(mode, etcd_factory().endpoint, recording) as rpc:
        await watch_compacted(rpc)
    recording.assert_covers("etcdserverpb.Watch")
