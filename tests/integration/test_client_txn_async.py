# async-to-sync: source
"""Transactions against a real etcd: the legacy transaction(), the builder's txn(),
put_if_not_exists() and replace(). Setup and checks go through the generated layer
(``client.rpc``), so these tests depend on nothing but the transaction code."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from etcd3 import AsyncEtcd3Client
from etcd3._transactions.builder import TransactionBuilder
from etcd3._transactions.operators import (
    as_del_op_result,
    as_get_op_result,
    as_put_op_result,
    as_txn_op_result,
)
from etcd3._views import KVMetadata
from etcd3.errors import ConnectionClosedError, ConnectionTimeoutError, TooManyOpsError
from etcd3.rpc.etcdserverpb import ResponseOp


@dataclass(frozen=True)
class FakeLease:
    """Stands for the client's Lease: anything with an ``id`` is accepted as a lease."""

    id: int


async def _value(client: AsyncEtcd3Client, key: bytes) -> bytes | None:
    response = await client.rpc.kv.range(key=key)
    return response.kvs[0].value if response.kvs else None


async def _lease_of(client: AsyncEtcd3Client, key: bytes) -> int:
    response = await client.rpc.kv.range(key=key)
    return response.kvs[0].lease


# --- legacy transaction() ---------------------------------------------------------------------


async def test_legacy_cas_success_then_failure(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    await async_client.rpc.kv.put(key=key, value=b"v1")
    tx = async_client.transactions

    ok, results = await async_client.transaction(
        compare=[tx.value(key) == b"v1", tx.version(key) > 0],
        success=[tx.put(key, "v2", prev_kv=True)],
        failure=[tx.get(key)],
    )
    assert ok is True
    assert len(results) == 1
    assert isinstance(results[0], ResponseOp)
    assert as_put_op_result(results[0]).prev_kv.value == b"v1"
    assert await _value(async_client, key) == b"v2"

    # Same compare again: the value is v2 now, so the failure branch (a get) runs.
    ok, results = await async_client.transaction(
        compare=[tx.value(key) == b"v1"],
        success=[tx.put(key, "v3")],
        failure=[tx.get(key)],
    )
    assert ok is False
    got = as_get_op_result(results[0])
    assert [value for value, _ in got] == [b"v2"]
    meta = got[0][1]
    assert isinstance(meta, KVMetadata)
    assert meta.key == key
    assert meta.version == 2
    assert meta.response_header.revision >= meta.mod_revision
    with pytest.raises(TypeError):
        as_put_op_result(results[0])
    assert await _value(async_client, key) == b"v2"


async def test_legacy_int_compares_accept_strings(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    tx = async_client.tx
    assert tx is async_client.transactions
    # The predecessor's put_if_not_exists compared create with "0": a str of an int works.
    ok, _ = await async_client.transaction([tx.create(key) == "0"], [tx.put(key, b"a")])
    assert ok is True
    put = await async_client.rpc.kv.range(key=key)
    mod = put.kvs[0].mod_revision
    ok, _ = await async_client.transaction(
        [tx.mod(key) == mod, tx.create(key) == mod, tx.version(key) == "1", tx.lease(key) == 0],
        [tx.put(key, b"b")],
    )
    assert ok is True
    ok, _ = await async_client.transaction([tx.mod(key) < mod], [tx.put(key, b"c")])
    assert ok is False
    ok, _ = await async_client.transaction([tx.value(key) != b"b"], [tx.put(key, b"d")])
    assert ok is False
    assert await _value(async_client, key) == b"b"


async def test_legacy_range_compare_and_delete(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    tx = async_client.transactions
    for name in (b"a", b"b", b"c"):
        await async_client.rpc.kv.put(key=prefix + name, value=b"x")
    # Every key in [a, c) has the value x: a and b.
    ok, results = await async_client.transaction(
        [tx.value(prefix + b"a", prefix + b"c") == b"x"],
        [tx.delete(prefix + b"a", prefix + b"c", prev_kv=True), tx.get(prefix, prefix + b"\xff")],
    )
    assert ok is True
    deleted = as_del_op_result(results[0])
    assert deleted.deleted == 2
    assert sorted(kv.key for kv in deleted.prev_kvs) == [prefix + b"a", prefix + b"b"]
    # Reads in a txn see its earlier writes: only c is left.
    assert [meta.key for _, meta in as_get_op_result(results[1])] == [prefix + b"c"]


async def test_legacy_get_carries_the_txn_header(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    tx = async_client.transactions
    key = prefix + b"k"
    ok, results = await async_client.transaction([], [tx.put(key, b"v"), tx.get(key)])
    assert ok is True
    [(value, meta)] = as_get_op_result(results[1])
    assert value == b"v"
    # The put is the txn's only write, so the txn's revision is the key's mod revision.
    assert meta.response_header.revision == meta.mod_revision == meta.create_revision


async def test_legacy_nested_txn(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    tx = async_client.transactions
    key = prefix + b"k"
    inner = tx.txn([tx.version(key) == 0], [tx.put(key, b"inner")], [tx.get(key)])
    ok, results = await async_client.transaction([], [inner])
    assert ok is True
    nested = as_txn_op_result(results[0])
    assert nested.succeeded is True
    assert nested.responses[0].WhichOneof("response") == "response_put"
    with pytest.raises(TypeError):
        as_get_op_result(results[0])
    assert await _value(async_client, key) == b"inner"

    ok, results = await async_client.transaction([], [inner])
    nested = as_txn_op_result(results[0])
    assert nested.succeeded is False
    assert [kv.value for kv in nested.responses[0].response_range.kvs] == [b"inner"]


async def test_legacy_ops_changed_after_they_were_made_send_the_change(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    tx = async_client.transactions
    put = tx.put(prefix + b"first", b"1")
    put.key, put.value = prefix + b"second", b"2"
    inner = tx.txn([], [])
    inner.success.append(tx.put(prefix + b"third", b"3"))
    ok, _ = await async_client.transaction([], [put, inner])
    assert ok is True
    values = [await _value(async_client, prefix + k) for k in (b"first", b"second", b"third")]
    assert values == [None, b"2", b"3"]
    put.key = ""
    with pytest.raises(ValueError, match="key"):
        await async_client.transaction([], [put])


async def test_legacy_bad_input_raises_before_any_rpc(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    tx = async_client.transactions
    await async_client.close()
    # A closed client would raise ConnectionClosedError: these never got that far.
    with pytest.raises(ValueError, match="operator"):
        await async_client.transaction([tx.value(prefix + b"k")], [])
    with pytest.raises(TypeError):
        await async_client.transaction([], ["put k v"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="timeout_override"):
        await async_client.transaction([], [], timeout_override=-1)
    with pytest.raises(ConnectionClosedError):
        await async_client.transaction([], [])


# --- txn() with TransactionBuilder ------------------------------------------------------------


async def test_builder_cas_both_branches(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    key = prefix + b"k"
    base = TransactionBuilder.immutable().compare(key).version.eq(0)
    create = base.success.put(key, b"v1").success.get(key).failure.get(key)

    first = await async_client.txn(create)
    assert first.success is True
    assert len(first) == 2
    assert [first.kind(i) for i in range(len(first))] == ["put", "range"]
    assert first.as_put(0).prev_kv.key == b""
    [(value, meta)] = first.as_get(1)
    assert value == b"v1"
    assert meta.response_header == first.header
    assert first.header.revision == meta.mod_revision

    second = await async_client.txn(create)
    assert second.success is False
    assert len(second) == 1
    assert [v for v, _ in second.as_get(0)] == [b"v1"]
    assert second.header.revision == first.header.revision  # a failed read-only txn writes nothing
    with pytest.raises(KeyError):
        second.as_put(0)
    with pytest.raises(KeyError):
        second.as_get(1)
    with pytest.raises(KeyError):
        second.as_get(-1)
    # The base the two transactions share is unchanged: one compare, no operations.
    assert [len(part) for part in base.tx] == [1, 0, 0]


async def test_builder_mutable_compares_and_delete(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    put = await async_client.rpc.kv.put(key=key, value=b"v")
    rev = put.header.revision
    tx = TransactionBuilder.new()
    tx.compare(key).value.eq("v")
    tx.compare(key).mod.eq(rev)
    tx.compare(key).create.le(rev + 1)
    tx.compare(key).version.gt(0)
    tx.compare(key).lease.eq(0)
    tx.compare(key).value.ne(b"other")
    tx.success.delete(key, prev_kv=True)
    response = await async_client.txn(tx)
    assert response.success is True
    deleted = response.as_del(0)
    assert deleted.deleted == 1
    assert [kv.value for kv in deleted.prev_kvs] == [b"v"]
    assert await _value(async_client, key) is None
    # lt is strict, as le: the create revision (0 now) is not less than 0.
    response = await async_client.txn(TransactionBuilder.new().compare(key).create.lt(0))
    assert response.success is False
    assert len(response) == 0
    assert list(response) == []


async def test_builder_get_options(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    for name, value in ((b"a", b"3"), (b"b", b"1"), (b"c", b"2")):
        await async_client.rpc.kv.put(key=prefix + name, value=value)
    end = prefix + b"\xff"
    tx = (
        TransactionBuilder.new()
        .success.get(prefix, end, sort_order="descend", sort_target="value")
        .success.get(prefix, end, keys_only=True, limit=2)
        .success.get(prefix + b"a")
    )
    response = await async_client.txn(tx)
    assert [v for v, _ in response.as_get(0)] == [b"3", b"2", b"1"]
    limited = response.as_get(1)
    assert [(v, m.key) for v, m in limited] == [(b"", prefix + b"a"), (b"", prefix + b"b")]
    first_rev = response.as_get(2)[0][1].mod_revision
    await async_client.rpc.kv.put(key=prefix + b"a", value=b"new")
    old = await async_client.txn(
        TransactionBuilder.new().success.get(prefix + b"a", revision=first_rev)
    )
    assert [v for v, _ in old.as_get(0)] == [b"3"]


async def test_builder_nested_txn_reports_outer_header(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    inner = TransactionBuilder.new().compare(key).create.eq(0).success.put(key, b"v")
    inner.success.get(key).failure.get(key)
    outer = TransactionBuilder.new().success.txn(inner).success.get(key)
    response = await async_client.txn(outer)
    assert response.success is True
    assert response.kind(0) == "txn"
    nested = response.as_txn(0)
    assert nested.success is True
    assert nested.header == response.header
    [(value, meta)] = nested.as_get(1)
    assert value == b"v"
    assert meta.response_header == response.header
    assert meta.response_header.revision == meta.mod_revision
    with pytest.raises(KeyError):
        response.as_txn(1)
    with pytest.raises(KeyError):
        nested.as_txn(0)
    # The outer txn's own get sees the nested put as well.
    assert [v for v, _ in response.as_get(1)] == [b"v"]
    # Raw access: iteration and indexing give the ResponseOps.
    assert [op.WhichOneof("response") for op in response] == ["response_txn", "response_range"]
    assert response[-1].response_range.count == 1
    assert response.raw.header == response.header


async def test_txn_refuses_a_non_builder(async_client: AsyncEtcd3Client) -> None:
    with pytest.raises(TypeError):
        await async_client.txn([])  # type: ignore[arg-type]


# --- put_if_not_exists() / replace() ----------------------------------------------------------


async def test_put_if_not_exists_both_outcomes(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    ok, put = await async_client.put_if_not_exists(key, "first")
    assert ok is True
    assert put is not None
    assert put.header.revision > 0
    assert await _value(async_client, key) == b"first"

    ok, put = await async_client.put_if_not_exists(key, b"second")
    assert (ok, put) == (False, None)
    assert await _value(async_client, key) == b"first"


async def test_put_if_not_exists_with_lease(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    grant = await async_client.rpc.lease.lease_grant(TTL=30)
    try:
        ok, _ = await async_client.put_if_not_exists(prefix + b"id", b"v", lease=grant.ID)
        assert ok is True
        ok, _ = await async_client.put_if_not_exists(prefix + b"obj", b"v", FakeLease(grant.ID))
        assert ok is True
        assert await _lease_of(async_client, prefix + b"id") == grant.ID
        assert await _lease_of(async_client, prefix + b"obj") == grant.ID
    finally:
        await async_client.rpc.lease.lease_revoke(ID=grant.ID)


async def test_replace_both_outcomes(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    key = prefix + b"k"
    assert await async_client.replace(key, b"a", b"b") == (False, None)  # no such key
    assert await _value(async_client, key) is None

    await async_client.rpc.kv.put(key=key, value=b"a")
    ok, put = await async_client.replace(key, "a", "b")
    assert ok is True
    assert put is not None
    assert await _value(async_client, key) == b"b"

    assert await async_client.replace(key, b"a", b"c") == (False, None)
    assert await _value(async_client, key) == b"b"

    grant = await async_client.rpc.lease.lease_grant(TTL=30)
    try:
        ok, _ = await async_client.replace(key, b"b", b"c", lease=FakeLease(grant.ID))
        assert ok is True
        assert await _lease_of(async_client, key) == grant.ID
    finally:
        await async_client.rpc.lease.lease_revoke(ID=grant.ID)


async def test_cas_bad_input_is_refused(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    with pytest.raises(ValueError, match="empty"):
        await async_client.put_if_not_exists(b"", b"v")
    with pytest.raises(TypeError):
        await async_client.replace(prefix + b"k", 1, b"v")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await async_client.put_if_not_exists(prefix + b"k", b"v", lease="7")  # type: ignore[arg-type]
    assert await _value(async_client, prefix + b"k") is None


# --- errors ------------------------------------------------------------------------------------


async def test_too_many_ops_is_typed(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    # etcd's default --max-txn-ops is 128 per branch: 128 puts pass, 129 are refused.
    tx = async_client.transactions
    ok, results = await async_client.transaction(
        [], [tx.put(prefix + b"%03d" % i, b"v") for i in range(128)]
    )
    assert ok is True
    assert len(results) == 128
    with pytest.raises(TooManyOpsError, match="too many operations"):
        await async_client.transaction([], [tx.put(prefix + b"%03d" % i, b"w") for i in range(129)])
    builder = TransactionBuilder.new()
    for i in range(129):
        builder.failure.get(prefix + b"%03d" % i)
    with pytest.raises(TooManyOpsError):
        await async_client.txn(builder)
    assert await _value(async_client, prefix + b"000") == b"v"


async def test_timeout_override_zero_is_expired(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    with pytest.raises(ConnectionTimeoutError):
        await async_client.put_if_not_exists(prefix + b"k", b"v", timeout_override=0)
    with pytest.raises(ConnectionTimeoutError):
        await async_client.txn(TransactionBuilder.new(), timeout_override=0)
