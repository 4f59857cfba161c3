"""A consumer of the generated layer, type-checked with mypy --strict (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from typing_extensions import reveal_type

import etcd3
from etcd3 import etcdrpc, rpc
from etcd3.rpc import etcdserverpb, mvccpb, txn
from etcd3.rpc.etcdserverpb import CompareResult, SortOrder


def sync_consumer(conn: etcd3.Connection) -> None:
    resp = conn.rpc.kv.range(key=b"k", sort_order=SortOrder.DESCEND, timeout=1.5)
    reveal_type(resp)  # R: etcd3.rpc.etcdserverpb.RangeResponse
    reveal_type(resp.kvs[0])  # R: etcd3.rpc.mvccpb.KeyValue
    reveal_type(resp.kvs[0].value)  # R: bytes
    reveal_type(resp.kvs[0].mod_revision)  # R: int
    reveal_type(resp.more)  # R: bool
    reveal_type(resp.header.revision)  # R: int
    reveal_type(conn.rpc.kv.put(key=b"k", value=b"v", prev_kv=True).prev_kv)  # R: etcd3.rpc.mvccpb.KeyValue
    reveal_type(conn.rpc.lease.lease_grant(TTL=10, timeout=None).ID)  # R: int
    reveal_type(conn.rpc.maintenance.status().version)  # R: str
    snapshot = conn.rpc.maintenance.snapshot()
    reveal_type(snapshot)  # R: etcd3._runtime.ServerStream[etcd3.rpc.etcdserverpb.SnapshotResponse]
    watch = conn.rpc.watch.watch()
    reveal_type(watch)  # R: etcd3._runtime.DuplexStream[etcd3.rpc.etcdserverpb.WatchRequest, etcd3.rpc.etcdserverpb.WatchResponse]
    for event_batch in watch:
        reveal_type(event_batch.events[0].type)  # R: int
        reveal_type(event_batch.events[0].kv.key)  # R: bytes
        break
    results = txn.TxnResults(
        conn.rpc.kv.txn(
            compare=[txn.compare_value(b"k", CompareResult.EQUAL, b"v")],
            success=[txn.op_range(key=b"k"), txn.op_put(key=b"k", value=b"w")],
        )
    )
    reveal_type(results.kind(0))  # R: Literal['range'] | Literal['put'] | Literal['delete_range'] | Literal['txn']
    reveal_type(results.range(0).kvs)  # R: google.protobuf.internal.containers.RepeatedCompositeFieldContainer[etcd3.rpc.mvccpb.KeyValue]
    reveal_type(etcdserverpb.AlarmType.NOSPACE)  # R: Literal[etcd3.rpc.etcdserverpb.AlarmType.NOSPACE]?
    reveal_type(mvccpb.EventType.DELETE.value)  # R: Literal[1]?
    reveal_type(etcd3.DEFAULT_TIMEOUT)  # R: Literal[etcd3._runtime.DefaultTimeout.DEFAULT]?


def flat_namespace() -> None:
    reveal_type(etcdrpc.AlarmType.CORRUPT)  # R: Literal[etcd3.rpc.etcdserverpb.AlarmType.CORRUPT]?
    reveal_type(etcdrpc.NOSPACE)  # R: Literal[etcd3.rpc.etcdserverpb.AlarmType.NOSPACE]
    reveal_type(rpc.NOSPACE)  # R: Literal[etcd3.rpc.etcdserverpb.AlarmType.NOSPACE]
    reveal_type(etcdrpc.RangeRequest.DESCEND)  # R: Literal[etcd3.rpc.etcdserverpb.SortOrder.DESCEND]
    reveal_type(etcdrpc.Compare.EQUAL)  # R: Literal[etcd3.rpc.etcdserverpb.CompareResult.EQUAL]
    reveal_type(etcdrpc.RangeRequest(key=b"k", sort_order=etcdrpc.SortOrder.DESCEND))  # R: etcd3.rpc.etcdserverpb.RangeRequest
    reveal_type(etcdrpc.ResponseOp().response_put)  # R: etcd3.rpc.etcdserverpb.PutResponse
    reveal_type(rpc.KeyValue().mod_revision)  # R: int
    reveal_type(rpc.Permission.READWRITE)  # R: Literal[etcd3.rpc.authpb.PermissionType.READWRITE]
    reveal_type(etcdrpc.RangeRequest.SortOrder.Name(2))  # R: str
    reveal_type(etcdrpc.AlarmType.Value("NOSPACE"))  # R: etcd3.rpc.etcdserverpb.AlarmType
    reveal_type(rpc.KV)  # R: def (caller: etcd3._runtime.SyncCaller) -> etcd3.rpc.services.KV


async def async_consumer(conn: etcd3.AsyncConnection) -> None:
    resp = await conn.rpc.kv.range(key=b"k")
    reveal_type(resp)  # R: etcd3.rpc.etcdserverpb.RangeResponse
    observe = conn.rpc.election.observe(name=b"e")
    reveal_type(observe)  # R: etcd3._runtime.AsyncServerStream[etcd3.rpc.v3electionpb.LeaderResponse]
    keepalive = conn.rpc.lease.lease_keep_alive()
    await keepalive.send(etcdserverpb.LeaseKeepAliveRequest(ID=1))
    async for ka in keepalive:
        reveal_type(ka.TTL)  # R: int
        break


def iterators(stream: Iterator[int], astream: AsyncIterator[int]) -> None:
    reveal_type(next(stream))  # R: int
