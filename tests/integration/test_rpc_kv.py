"""Every KV RPC through the generated stubs, sync and async, against a real etcd."""

from __future__ import annotations

import grpc
import pytest
from rpc_recording import MODES, Mode, Recording, Rpc, connect, resolve

from etcd3._runtime import ResultKindError
from etcd3.errors import FutureRevisionError, RevisionCompactedError
from etcd3.rpc.etcdserverpb import CompareResult, SortOrder, SortTarget
from etcd3.rpc.txn import (
    TxnResults,
    compare_mod_revision,
    compare_value,
    compare_version,
    op_delete_range,
    op_put,
    op_range,
)
from etcd3.testing import EtcdFactory, EtcdServer

pytestmark = pytest.mark.parametrize("mode", MODES)


def prefix_end(prefix: bytes) -> bytes:
    """The ``range_end`` selecting every key that starts with ``prefix`` (no trailing 0xff)."""
    return prefix[:-1] + bytes([prefix[-1] + 1])


async def put_range_delete(rpc: Rpc, prefix: bytes) -> None:
    first = await resolve(rpc.kv.put(key=prefix + b"a", value=b"1", prev_kv=True))
    assert not first.HasField("prev_kv")  # a new key has no previous value
    second = await resolve(rpc.kv.put(key=prefix + b"a", value=b"11", prev_kv=True))
    assert second.header.revision == first.header.revision + 1
    assert (second.prev_kv.key, second.prev_kv.value) == (prefix + b"a", b"1")
    assert second.prev_kv.mod_revision == first.header.revision
    for name, value in [(b"b", b"333"), (b"c", b"22")]:
        await resolve(rpc.kv.put(key=prefix + name, value=value))

    single = await resolve(rpc.kv.range(key=prefix + b"a"))
    assert [(kv.key, kv.value, kv.version) for kv in single.kvs] == [(prefix + b"a", b"11", 2)]
    assert single.count == 1

    end = prefix_end(prefix)
    everything = await resolve(rpc.kv.range(key=prefix, range_end=end))
    assert [kv.value for kv in everything.kvs] == [b"11", b"333", b"22"]  # key order

    limited = await resolve(rpc.kv.range(key=prefix, range_end=end, limit=2))
    assert [kv.key for kv in limited.kvs] == [prefix + b"a", prefix + b"b"]
    assert (limited.more, limited.count) == (True, 3)

    counted = await resolve(rpc.kv.range(key=prefix, range_end=end, count_only=True))
    assert (counted.count, list(counted.kvs)) == (3, [])

    keys = await resolve(rpc.kv.range(key=prefix, range_end=end, keys_only=True))
    assert [(kv.key, kv.value) for kv in keys.kvs] == [
        (prefix + b"a", b""),
        (prefix + b"b", b""),
        (prefix + b"c", b""),
    ]

    by_value = await resolve(
        rpc.kv.range(
            key=prefix, range_end=end, sort_order=SortOrder.DESCEND, sort_target=SortTarget.VALUE
        )
    )
    assert [kv.value for kv in by_value.kvs] == [b"333", b"22", b"11"]
    by_mod = await resolve(
        rpc.kv.range(
            key=prefix, range_end=end, sort_order=SortOrder.ASCEND, sort_target=SortTarget.MOD
        )
    )
    assert [kv.key[-1:] for kv in by_mod.kvs] == [b"a", b"b", b"c"]

    # A range at an older revision sees the value of the time.
    before = await resolve(rpc.kv.range(key=prefix + b"a", revision=first.header.revision))
    assert [kv.value for kv in before.kvs] == [b"1"]
    with pytest.raises(FutureRevisionError):
        await resolve(rpc.kv.range(key=prefix + b"a", revision=everything.header.revision + 1000))

    deleted = await resolve(rpc.kv.delete_range(key=prefix + b"b", range_end=end, prev_kv=True))
    assert deleted.deleted == 2
    assert sorted((kv.key, kv.value) for kv in deleted.prev_kvs) == [
        (prefix + b"b", b"333"),
        (prefix + b"c", b"22"),
    ]
    assert deleted.header.revision > everything.header.revision
    left = await resolve(rpc.kv.range(key=prefix, range_end=end))
    assert [kv.key for kv in left.kvs] == [prefix + b"a"]


async def transactions(rpc: Rpc, prefix: bytes) -> None:
    key, other = prefix + b"t", prefix + b"u"
    put = await resolve(rpc.kv.put(key=key, value=b"v1"))

    won = await resolve(
        rpc.kv.txn(
            compare=[
                compare_value(key, CompareResult.EQUAL, b"v1"),
                compare_mod_revision(key, CompareResult.EQUAL, put.header.revision),
            ],
            success=[op_put(key=key, value=b"v2", prev_kv=True), op_range(key=key)],
            failure=[op_delete_range(key=key)],
        )
    )
    assert won.succeeded
    results = TxnResults(won)
    assert [results.kind(i) for i in range(len(results))] == ["put", "range"]
    assert results.put(0).prev_kv.value == b"v1"
    # Ops in a txn see the writes before them, all at the txn's one new revision.
    assert [(kv.value, kv.mod_revision) for kv in results.range(1).kvs] == [
        (b"v2", won.header.revision)
    ]
    with pytest.raises(ResultKindError):
        results.range(0)

    lost = await resolve(
        rpc.kv.txn(
            compare=[compare_version(key, CompareResult.LESS, 2)],  # version is 2 now
            success=[op_put(key=other, value=b"never")],
            failure=[op_delete_range(key=key, prev_kv=True), op_range(key=other)],
        )
    )
    assert not lost.succeeded
    results = TxnResults(lost)
    assert [results.kind(i) for i in range(len(results))] == ["delete_range", "range"]
    assert [kv.value for kv in results.delete_range(0).prev_kvs] == [b"v2"]
    assert results.range(1).count == 0  # the success branch did not run
    assert lost.header.revision == won.header.revision + 1


async def compaction(rpc: Rpc) -> None:
    first = await resolve(rpc.kv.put(key=b"k", value=b"1"))
    second = await resolve(rpc.kv.put(key=b"k", value=b"2"))
    await resolve(rpc.kv.put(key=b"k", value=b"3"))
    await resolve(rpc.kv.compact(revision=second.header.revision, physical=True))

    with pytest.raises(RevisionCompactedError) as info:
        await resolve(rpc.kv.range(key=b"k", revision=first.header.revision))
    assert info.value.code is grpc.StatusCode.OUT_OF_RANGE
    assert "compacted" in info.value.details
    assert info.value.method == "/etcdserverpb.KV/Range"
    # The compaction revision itself stays readable: that is where history now starts.
    kept = await resolve(rpc.kv.range(key=b"k", revision=second.header.revision))
    assert [kv.value for kv in kept.kvs] == [b"2"]
    # Compacting at or below the compacted revision again is refused the same way.
    with pytest.raises(RevisionCompactedError):
        await resolve(rpc.kv.compact(revision=second.header.revision))


async def test_kv_rpcs(
    mode: Mode, etcd_server: EtcdServer, etcd_factory: EtcdFactory, request: pytest.FixtureRequest
) -> None:
    recording = Recording()
    prefix = f"/test_rpc_kv/{request.node.name}/".encode()
    async with connect(mode, etcd_server.endpoint, recording) as rpc:
        await put_range_delete(rpc, prefix)
        await transactions(rpc, prefix)
    # Compaction drops history for everyone: only on a server of our own.
    async with connect(mode, etcd_factory().endpoint, recording) as rpc:
        await compaction(rpc)
    recording.assert_covers("etcdserverpb.KV")
