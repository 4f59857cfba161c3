# async-to-sync: source
"""Namespaces on a real etcd: isolation from the root and from each other, whole-namespace
reads and deletes, 0xFF prefixes, watches, transactions, leases, locks, elections, the raw
``rpc`` layer, paging, nesting, and the shared connection's lifetime."""

from __future__ import annotations

import pytest

from etcd3._client_async import AsyncEtcd3Client
from etcd3.errors import ConnectionClosedError
from etcd3.rpc.etcdserverpb import TxnResponse
from etcd3.testing import EtcdServer


async def _keys(client: AsyncEtcd3Client, prefix: bytes | str) -> list[bytes]:
    return [meta.key async for _, meta in client.get_prefix(prefix, keys_only=True)]


async def _items(client: AsyncEtcd3Client, prefix: bytes | str) -> list[tuple[bytes, bytes]]:
    return [(meta.key, value) async for value, meta in client.get_prefix(prefix)]


async def test_namespaces_are_isolated_from_each_other_and_the_root(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    a = async_client.namespace(prefix + b"a/")
    b = async_client.namespace(prefix + b"b/")
    assert type(a) is type(async_client)
    await a.put("k", "in a")
    await b.put(b"k", b"in b")
    await async_client.put(prefix + b"k", b"at the root")

    assert (await a.get("k"))[0] == b"in a"
    assert (await b.get("k"))[0] == b"in b"
    _value, meta = await a.get("k")
    assert meta is not None
    assert meta.key == b"k"
    # The root sees the prefixed keys; a namespace sees only its own, stripped.
    assert await _items(async_client, prefix) == [
        (prefix + b"a/k", b"in a"),
        (prefix + b"b/k", b"in b"),
        (prefix + b"k", b"at the root"),
    ]
    assert await _items(a, "") == [(b"k", b"in a")]
    assert (await a.get(prefix + b"k"))[0] is None


async def test_whole_namespace_reads_and_deletes_stay_inside(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    ns = async_client.namespace(prefix + b"ns/")
    for key in (b"x", b"y", b"z\xff"):
        await ns.put(key, b"v")
    await async_client.put(prefix + b"ns", b"just before")
    await async_client.put(prefix + b"ns0", b"just after")
    # The bare prefix is outside: inside, it would be the empty key, which no call can name.
    await async_client.put(prefix + b"ns/", b"the prefix itself")

    assert await _keys(ns, "") == [b"x", b"y", b"z\xff"]
    assert [m.key async for _, m in ns.get_all(keys_only=True)] == [b"x", b"y", b"z\xff"]
    assert [m.key async for _, m in ns.get_range(b"y", b"\0")] == [b"y", b"z\xff"]
    assert [m.key async for _, m in ns.get_prefix_paged("", page_size=2)] == [
        b"x",
        b"y",
        b"z\xff",
    ]
    response = await ns.get_prefix_response("", count_only=True)
    assert response.count == 3

    deleted = await ns.delete_prefix("")
    assert deleted.deleted == 3
    assert await _keys(ns, "") == []
    assert await _keys(async_client, prefix) == [prefix + b"ns", prefix + b"ns/", prefix + b"ns0"]


async def test_prefix_ending_in_0xff_is_clamped(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    ns = async_client.namespace(prefix + b"q\xff")
    await ns.put(b"\xff\xff", b"inside")
    await ns.put(b"a", b"inside")
    await async_client.put(prefix + b"r", b"the namespace's end")
    await async_client.put(prefix + b"q", b"before")

    assert await _keys(ns, "") == [b"a", b"\xff\xff"]
    assert await _keys(ns, b"\xff") == [b"\xff\xff"]
    response = await ns.rpc.kv.range(key=b"\0", range_end=b"\0")
    assert [kv.key for kv in response.kvs] == [b"a", b"\xff\xff"]


async def test_watch_sees_only_its_keys_stripped(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    a = async_client.namespace(prefix + b"a/")
    b = async_client.namespace(prefix + b"b/")
    events, cancel = await a.watch_prefix("", prev_kv=True)
    await b.put("k", "b")
    await async_client.put(prefix + b"k", b"root")
    await a.put("k", "1")
    await a.put("k", "2")
    await a.delete("k")
    seen = []
    async for event in events:
        seen.append((type(event).__name__, event.key, event.value, event.prev_key))
        if len(seen) == 3:
            break
    await cancel()
    assert seen == [
        ("PutEvent", b"k", b"1", b""),
        ("PutEvent", b"k", b"2", b"k"),
        ("DeleteEvent", b"k", b"", b"k"),
    ]


async def test_transaction_with_compares_and_nested_txn(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    ns = async_client.namespace(prefix + b"t/")
    tx = ns.transactions
    await ns.put("k", "1")
    await async_client.put(prefix + b"k", b"1")  # same key name outside: must not matter
    succeeded, results = await ns.transaction(
        compare=[tx.value("k") == b"1", tx.version("absent") == 0],
        success=[tx.put("k", "2", prev_kv=True), tx.get("k"), tx.txn([], [tx.get("k")])],
        failure=[],
    )
    assert succeeded
    put, got, nested = results
    assert not isinstance(put, list)
    assert put.response_put.prev_kv.key == b"k"
    assert isinstance(got, list)
    assert [(v, m.key) for v, m in got] == [(b"2", b"k")]
    assert not isinstance(nested, list)
    assert [kv.key for kv in nested.response_txn.responses[0].response_range.kvs] == [b"k"]

    succeeded, _ = await ns.transaction(compare=[tx.value(prefix + b"k") == b"1"], success=[])
    assert not succeeded  # the root's key is not visible by its full name
    assert (await async_client.get(prefix + b"t/k"))[0] == b"2"
    assert (await async_client.get(prefix + b"k"))[0] == b"1"


async def test_raw_rpc_txn_delete_and_put_prev_kv(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    ns = async_client.namespace(prefix + b"r/")
    await ns.put("a", "1")
    put = await ns.rpc.kv.put(key=b"a", value=b"2", prev_kv=True)
    assert put.prev_kv.key == b"a"
    deleted = await ns.rpc.kv.delete_range(key=b"a", prev_kv=True)
    assert [kv.key for kv in deleted.prev_kvs] == [b"a"]
    response: TxnResponse = await ns.rpc.kv.txn()
    assert response.succeeded


async def test_lease_keys_are_stripped_and_filtered(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    ns = async_client.namespace(prefix + b"l/")
    lease = await ns.lease(30)
    try:
        await ns.put("mine", "v", lease=lease)
        await async_client.put(prefix + b"other", b"v", lease=lease)
        assert (await ns.get_lease_info(lease.id)).keys == [b"mine"]
        assert sorted((await async_client.get_lease_info(lease.id)).keys) == [
            prefix + b"l/mine",
            prefix + b"other",
        ]
    finally:
        await lease.revoke()


async def test_lock_in_a_namespace(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    a = async_client.namespace(prefix + b"a/")
    b = async_client.namespace(prefix + b"b/")
    lock = a.lock("L", ttl=10)
    same = a.lock("L", ttl=10)
    other = b.lock("L", ttl=10)
    try:
        assert await lock.acquire(timeout=5)
        assert lock.key.startswith(b"/locks/L/")
        assert await _keys(async_client, prefix + b"a/") == [prefix + b"a/" + lock.key]
        assert not await same.acquire(timeout=0.3)  # same namespace: excluded
        assert await other.acquire(timeout=5)  # another namespace: another lock
    finally:
        await lock.release()
        await other.release()
        await a.close()
        await b.close()
    assert await _keys(async_client, prefix) == []


async def test_lock_and_election_services(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    ns = async_client.namespace(prefix + b"s/")
    lease = await ns.lease(30)
    try:
        locked = await ns.rpc.lock.lock(name=b"L", lease=lease.id)
        assert locked.key.startswith(b"L/")
        assert await _keys(async_client, prefix) == [prefix + b"s/" + locked.key]
        await ns.rpc.lock.unlock(key=locked.key)
        assert await _keys(async_client, prefix) == []

        campaign = await ns.rpc.election.campaign(name=b"E", lease=lease.id, value=b"me")
        assert campaign.leader.name == b"E"
        assert campaign.leader.key.startswith(b"E/")
        await ns.rpc.election.proclaim(leader=campaign.leader, value=b"again")
        leader = await ns.rpc.election.leader(name=b"E")
        assert (leader.kv.key, leader.kv.value) == (campaign.leader.key, b"again")
        assert await _keys(async_client, prefix) == [prefix + b"s/" + campaign.leader.key]
        await ns.rpc.election.resign(leader=campaign.leader)
        assert await _keys(async_client, prefix) == []
    finally:
        await lease.revoke()


async def test_election_in_a_namespace(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    ns = async_client.namespace(prefix + b"e/")
    election = ns.election("E", ttl=10)
    try:
        assert await election.campaign("me", timeout=5)
        leader = await election.leader()
        assert leader is not None
        assert leader.value == b"me"
        assert leader.key.startswith(b"/election/E/")
        assert await _keys(async_client, prefix) == [prefix + b"e/" + leader.key]
    finally:
        await election.resign()
        await ns.close()


async def test_nested_namespaces(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    a = async_client.namespace(prefix + b"a/")
    ab = a.namespace("b/")
    await ab.put("k", "v")
    assert await _keys(async_client, prefix) == [prefix + b"a/b/k"]
    assert await _keys(a, "") == [b"b/k"]
    assert await _keys(ab, "") == [b"k"]
    assert await _keys(async_client.namespace(prefix + b"a/b/"), "") == [b"k"]


async def test_bad_prefixes_are_refused(async_client: AsyncEtcd3Client) -> None:
    with pytest.raises(ValueError, match="empty"):
        async_client.namespace("")
    with pytest.raises(TypeError, match="namespace prefix"):
        async_client.namespace(7)  # type: ignore[arg-type]


async def test_namespaced_clients_share_the_parents_connection(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    parent = AsyncEtcd3Client(etcd_server.host, etcd_server.port, timeout=10)
    scoped = parent.namespace(prefix)
    await scoped.put("k", "v")
    events, _ = await scoped.watch("k")
    await scoped.close()  # ends its own watches, not the parent's channel
    assert [e async for e in events] == []
    assert (await parent.get(prefix + b"k"))[0] == b"v"
    assert (await scoped.get("k"))[0] == b"v"  # the connection is still open

    await parent.close()
    with pytest.raises(ConnectionClosedError):
        await scoped.get("k")
