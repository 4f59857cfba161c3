"""The sync transport against a real etcd: unary calls, streams, deadlines, closing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import grpc
import pytest

from etcd3._connection import Connection
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


@pytest.fixture
def conn(etcd_server: EtcdServer) -> Iterator[Connection]:
    with Connection(etcd_server.endpoint, timeout=10) as connection:
        yield connection


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> bytes:
    return f"/test_transport_sync/{request.node.name}/".encode()


def test_unary_roundtrip(conn: Connection, prefix: bytes) -> None:
    put = conn.rpc.kv.put(key=prefix + b"k", value=b"v")
    got = conn.rpc.kv.range(key=prefix + b"k")
    assert [(kv.key, kv.value) for kv in got.kvs] == [(prefix + b"k", b"v")]
    assert got.header.revision >= put.header.revision


def test_compacted_revision(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()  # private: compaction would disturb other tests
    with Connection(server.endpoint, timeout=10) as conn:
        first = conn.rpc.kv.put(key=b"k", value=b"1").header.revision
        latest = conn.rpc.kv.put(key=b"k", value=b"2").header.revision
        conn.rpc.kv.compact(revision=latest)
        with pytest.raises(RevisionCompactedError) as info:
            conn.rpc.kv.range(key=b"k", revision=first)
    err = info.value
    assert err.code is grpc.StatusCode.OUT_OF_RANGE
    assert "required revision has been compacted" in str(err)
    assert err.compacted_revision == 0  # a failed Range does not tell it
    assert err.method == "/etcdserverpb.KV/Range"
    assert isinstance(err.__cause__, grpc.RpcError)
    assert not err.retryable


def test_future_revision(conn: Connection) -> None:
    current = conn.rpc.kv.range(key=b"x").header.revision
    with pytest.raises(FutureRevisionError) as info:
        conn.rpc.kv.range(key=b"x", revision=current + 1000)
    assert "future revision" in str(info.value)


def test_revoke_unknown_lease(conn: Connection) -> None:
    with pytest.raises(LeaseNotFoundError) as info:
        conn.rpc.lease.lease_revoke(ID=0x7EEDBEEF)
    assert info.value.code is grpc.StatusCode.NOT_FOUND
    assert str(info.value) == "etcdserver: requested lease not found"


def test_zero_timeout_expires_at_once(conn: Connection) -> None:
    started = time.monotonic()
    with pytest.raises(ConnectionTimeoutError):
        conn.rpc.kv.range(key=b"x", timeout=0)
    assert time.monotonic() - started < 0.5


def test_none_timeout_means_no_deadline(etcd_server: EtcdServer) -> None:
    with Connection(etcd_server.endpoint, timeout=0) as conn:
        with pytest.raises(ConnectionTimeoutError):
            conn.rpc.kv.range(key=b"x")  # the connection's default: already expired
        conn.rpc.kv.range(key=b"x", timeout=None)
        conn.rpc.kv.range(key=b"x", timeout=5)


def test_large_range_fits_the_receive_limit(conn: Connection, prefix: bytes) -> None:
    value = b"v" * 200
    total = 30_000
    for start in range(0, total, 128):  # etcd's default --max-txn-ops
        ops = [
            RequestOp(request_put=PutRequest(key=prefix + b"%06d" % i, value=value))
            for i in range(start, min(start + 128, total))
        ]
        conn.rpc.kv.txn(TxnRequest(success=ops))
    try:
        response = conn.rpc.kv.range(key=prefix, range_end=prefix[:-1] + b"0")
        assert response.count == total
        assert len(response.kvs) == total
        assert response.ByteSize() > 4 * 1024 * 1024  # above grpc's default limit
    finally:
        conn.rpc.kv.delete_range(key=prefix, range_end=prefix[:-1] + b"0")


def test_snapshot_server_stream(conn: Connection) -> None:
    size = 0
    with conn.rpc.maintenance.snapshot() as stream:
        for chunk in stream:
            size += len(chunk.blob)
    assert size > 0


def test_server_stream_cancelled_midway_ends_quietly(conn: Connection) -> None:
    stream = conn.rpc.maintenance.snapshot()
    next(stream)
    stream.cancel()
    assert list(stream) == []


def test_server_stream_deadline_is_mapped(conn: Connection) -> None:
    stream = conn.rpc.watch.watch(timeout=0.3)
    stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"nothing-happens-here")))
    assert next(stream).created
    with pytest.raises(ConnectionTimeoutError) as info:
        next(stream)  # no events: the stream's own deadline ends it
    assert isinstance(info.value.__cause__, grpc.RpcError)


def test_watch_bidi_stream(conn: Connection, prefix: bytes) -> None:
    key = prefix + b"w"
    with conn.rpc.watch.watch() as stream:
        stream.send(WatchRequest(create_request=WatchCreateRequest(key=key)))
        created = next(stream)
        assert created.created
        conn.rpc.kv.put(key=key, value=b"1")
        event = next(stream)
        assert [(e.kv.key, e.kv.value) for e in event.events] == [(key, b"1")]
        stream.send(WatchRequest(cancel_request=WatchCancelRequest(watch_id=created.watch_id)))
        assert next(stream).canceled
    assert list(stream) == []


def test_watch_half_closed_still_delivers(conn: Connection, prefix: bytes) -> None:
    key = prefix + b"h"
    with conn.rpc.watch.watch(timeout=10) as stream:
        stream.send(WatchRequest(create_request=WatchCreateRequest(key=key)))
        stream.done_writing()
        with pytest.raises(StreamClosedError):
            stream.send(WatchRequest(create_request=WatchCreateRequest(key=key)))
        assert next(stream).created
        conn.rpc.kv.put(key=key, value=b"1")
        assert next(stream).events[0].kv.value == b"1"


def test_closed_connection_raises_typed_errors(etcd_server: EtcdServer) -> None:
    conn = Connection(etcd_server.endpoint, timeout=10)
    conn.rpc.kv.range(key=b"x")
    conn.close()
    conn.close()
    with pytest.raises(ConnectionClosedError):
        conn.rpc.kv.range(key=b"x")
    with pytest.raises(ConnectionClosedError):
        conn.rpc.maintenance.snapshot()
    with pytest.raises(ConnectionClosedError):
        conn.rpc.watch.watch()


def test_close_during_a_watch_ends_it_with_a_typed_error(etcd_server: EtcdServer) -> None:
    conn = Connection(etcd_server.endpoint, timeout=10)
    stream = conn.rpc.watch.watch()
    stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"close-me")))
    assert next(stream).created
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            next(stream)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.2)
    conn.close()
    thread.join(5)
    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], ConnectionClosedError)
    with pytest.raises(ConnectionClosedError):
        stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"again")))


def test_no_raw_grpc_error_escapes(conn: Connection) -> None:
    def future_range() -> object:
        return conn.rpc.kv.range(key=b"x", revision=10**12)

    def revoke_unknown() -> object:
        return conn.rpc.lease.lease_revoke(ID=0x7EEDBEEF)

    def empty_key() -> object:
        return conn.rpc.kv.put(key=b"", value=b"v")

    def stream_deadline() -> object:
        stream = conn.rpc.watch.watch(timeout=0.2)
        stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"quiet")))
        return list(stream)

    for failure in (future_range, revoke_unknown, empty_key, stream_deadline):
        with pytest.raises(EtcdError) as info:
            failure()
        assert not isinstance(info.value, grpc.RpcError)
        assert isinstance(info.value.__cause__, grpc.RpcError)
