# async-to-sync: source
"""User grpc client interceptors on real etcd: they see unary calls and streams (watch,
keep-alive, snapshot), run in the given order on every endpoint's channel, may add metadata
without breaking the server's replies, and wrong ones are refused at construction."""

from __future__ import annotations

import io

import pytest
from interceptor_recorders import TRACE_KEY, AioRecorder, AsyncRecorder, SyncRecorder

import etcd3
from etcd3._acompat import ASYNC
from etcd3._multi_async import AsyncMultiEndpointEtcd3Client, Endpoint
from etcd3.testing import EtcdCluster, EtcdFactory, EtcdServer

PUT = "/etcdserverpb.KV/Put"
RANGE = "/etcdserverpb.KV/Range"
WATCH = "/etcdserverpb.Watch/Watch"
GRANT = "/etcdserverpb.Lease/LeaseGrant"
KEEP_ALIVE = "/etcdserverpb.Lease/LeaseKeepAlive"
SNAPSHOT = "/etcdserverpb.Maintenance/Snapshot"


async def test_interceptor_sees_unary_and_streaming_calls(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    recorder = AsyncRecorder("one")
    async with etcd3.async_client(
        server.host, server.port, timeout=10, interceptors=recorder.interceptors
    ) as client:
        events, cancel = await client.watch_prefix(b"/i/")
        await client.put(b"/i/a", b"1")
        value, meta = await client.get(b"/i/a")
        event = await events.__anext__()
        await cancel()
        lease = await client.lease(30)
        refreshed = await lease.refresh()
        snapshot = io.BytesIO()
        await client.snapshot(snapshot)

    # The server answered every intercepted call normally.
    assert meta is not None
    assert (value, meta.key) == (b"1", b"/i/a")
    assert (event.key, event.value) == (b"/i/a", b"1")
    assert refreshed.TTL == 30
    assert len(snapshot.getvalue()) > 32  # database + SHA-256
    kinds = dict(recorder.calls)
    assert kinds[PUT] == "unary_unary"
    assert kinds[RANGE] == "unary_unary"
    assert kinds[GRANT] == "unary_unary"
    assert kinds[WATCH] == "stream_stream"
    assert kinds[KEEP_ALIVE] == "stream_stream"
    assert kinds[SNAPSHOT] == "unary_stream"
    paths = [path for path, _ in recorder.calls]
    assert paths.index(WATCH) < paths.index(PUT) < paths.index(RANGE) < paths.index(GRANT)


async def test_interceptors_run_in_order_and_keep_the_auth_token(
    etcd_auth_server: EtcdServer, prefix: bytes
) -> None:
    outer, inner = AsyncRecorder("outer"), AsyncRecorder("inner")
    async with etcd3.async_client(
        etcd_auth_server.host,
        etcd_auth_server.port,
        timeout=10,
        user="root",
        password=etcd_auth_server.password,
        interceptors=[*outer.interceptors, *inner.interceptors],
    ) as client:
        await client.put(prefix + b"k", b"v")  # refused without the token: it got through
        assert (await client.get(prefix + b"k"))[0] == b"v"
    assert [p for p, _ in outer.calls] == [p for p, _ in inner.calls]
    assert [p for p, _ in outer.calls][-2:] == [PUT, RANGE]
    # The inner interceptor sees what the outer one added, and the client's own token.
    assert (PUT, TRACE_KEY) in inner.metadata_seen
    assert (PUT, "token") in inner.metadata_seen
    assert (PUT, TRACE_KEY) not in outer.metadata_seen


async def test_interceptors_wrap_every_endpoint(etcd_cluster: EtcdCluster) -> None:
    recorder = AsyncRecorder("all")
    victim = etcd_cluster.followers()[0]  # a follower: writes go on without an election
    others = [m for m in etcd_cluster.members if m is not victim]
    async with etcd3.async_client(
        endpoints=[victim.endpoint] + [m.endpoint for m in others],
        timeout=10,
        interceptors=recorder.interceptors,
    ) as client:
        await client.get(b"/every")
        etcd_cluster.kill(victim)
        # A read (safe to retry) moves on; a write right after the kill may meet the closing
        # socket, an unknown outcome that is rightly not retried (grpcio 1.62 says so).
        assert (await client.get(b"/every"))[0] is None
        assert client.endpoint_in_use != victim.endpoint
        await client.put(b"/every", b"1")
        assert (await client.get(b"/every"))[0] == b"1"
    assert [p for p, _ in recorder.calls][-2:] == [PUT, RANGE]
    # Every attempt passes the interceptors: the read on the dead member, then the moved one.
    assert recorder.calls.count((RANGE, "unary_unary")) >= 4

    compat = AsyncRecorder("compat")
    endpoints = [Endpoint(m.host, m.ports.client, secure=False) for m in others]
    async with AsyncMultiEndpointEtcd3Client(
        endpoints, timeout=10, failover=True, interceptors=compat.interceptors
    ) as multi:
        assert (await multi.get(b"/every"))[0] == b"1"
    assert compat.calls == [(RANGE, "unary_unary")]


async def test_wrong_interceptors_raise_type_error_at_construction() -> None:
    # The other flavour's interceptor: grpc's sync and aio interceptors do not mix.
    wrong: object = SyncRecorder("sync") if ASYNC else AioRecorder("aio")
    with pytest.raises(TypeError, match="interceptors must be"):
        etcd3.async_client(interceptors=[wrong])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="interceptors must be"):
        etcd3.async_client(interceptors=[object()])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="sequence"):
        etcd3.async_client(interceptors=AsyncRecorder("bare").interceptors[0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="interceptors must be"):
        AsyncMultiEndpointEtcd3Client(
            [Endpoint("127.0.0.1", 2379, secure=False)],
            interceptors=[wrong],  # type: ignore[list-item]
        )
