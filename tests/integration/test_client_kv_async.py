# async-to-sync: source
"""Reads, paged reads, writes, deletes and compaction through the friendly client."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

import etcd3
from etcd3._acompat import ASYNC
from etcd3._client_async import AsyncEtcd3Client
from etcd3._validate import SortOrderLike, SortTargetLike, range_end_for_key
from etcd3._views import KVMetadata, KVResult
from etcd3.errors import (
    ConnectionTimeoutError,
    FutureRevisionError,
    LeaseNotFoundError,
    RevisionCompactedError,
)
from etcd3.rpc.etcdserverpb import (
    DeleteRangeResponse,
    PutResponse,
    RangeResponse,
    SortOrder,
    SortTarget,
)
from etcd3.rpc.txn import op_put
from etcd3.testing import EtcdFactory

# Keys that are prefixes of one another, end in 0xFF, or hold NUL bytes: every one of them must
# come back exactly once, in order, from every kind of read.
TRICKY = [
    b"a",
    b"a\0",
    b"a\0\0",
    b"a\x01",
    b"ab",
    b"a\xff",
    b"a\xff\xff",
    b"b",
    b"\xfe\xff",
    b"\xff",
    b"\xff\xff",
]


@dataclass(frozen=True)
class _LeaseLike:
    id: int


async def _collect(results: AsyncIterator[KVResult]) -> list[KVResult]:
    return [item async for item in results]


async def _keys(results: AsyncIterator[KVResult]) -> list[bytes]:
    return [meta.key async for _, meta in results]


async def _put_tricky(client: AsyncEtcd3Client, prefix: bytes) -> list[bytes]:
    for suffix in TRICKY:
        await client.put(prefix + suffix, b"v:" + suffix)
    return sorted(prefix + suffix for suffix in TRICKY)


# -- single keys -------------------------------------------------------------------------------


async def test_put_get_roundtrip(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    key = prefix + b"k"
    first = await async_client.put(key, "välue")
    assert isinstance(first, PutResponse)
    second = await async_client.put(key.decode(), b"\x00\xff", prev_kv=True)
    assert second.header.revision == first.header.revision + 1
    assert (second.prev_kv.key, second.prev_kv.value) == (key, "välue".encode())

    value, meta = await async_client.get(key)
    assert value == b"\x00\xff"
    assert isinstance(meta, KVMetadata)
    assert meta.key == key
    assert meta.create_revision == first.header.revision
    assert meta.mod_revision == second.header.revision
    assert meta.version == 2
    assert meta.lease_id == 0
    assert meta.response_header.revision >= second.header.revision
    assert await async_client.get_strict(key) == (value, meta)

    raw = await async_client.get_response(key.decode())
    assert isinstance(raw, RangeResponse)
    assert [(kv.key, kv.value) for kv in raw.kvs] == [(key, b"\x00\xff")]


async def test_empty_value_and_str_keys(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    key = prefix.decode() + "ключ"
    await async_client.put(key, "")
    value, meta = await async_client.get(key)
    assert value == b""
    assert meta is not None
    assert meta.key == key.encode("utf-8")


async def test_missing_key(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    missing = prefix.decode() + "missing"
    assert await async_client.get(missing) == (None, None)
    with pytest.raises(KeyError) as info:
        await async_client.get_strict(missing)
    assert info.value.args == (missing,)
    assert list((await async_client.get_response(missing)).kvs) == []


async def test_read_at_revision_and_serializable(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    old = await async_client.put(key, b"old")
    new = await async_client.put(key, b"new")
    assert (await async_client.get(key, revision=old.header.revision))[0] == b"old"
    assert (await async_client.get(key, False, new.header.revision))[0] == b"new"
    assert (await async_client.get(key, revision=0))[0] == b"new"
    assert (await async_client.get(key, revision=-1))[0] == b"new"  # <= 0: latest
    assert (await async_client.get(key, serializable=True))[0] == b"new"
    before = await async_client.get_strict(key, revision=old.header.revision)
    assert before[1].version == 1
    with pytest.raises(FutureRevisionError):
        await async_client.get(key, revision=new.header.revision + 10_000)


async def test_binary_keys(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    for suffix in TRICKY:
        await async_client.put(prefix + suffix, suffix)
    for suffix in TRICKY:
        value, meta = await async_client.get_strict(prefix + suffix)
        assert (value, meta.key) == (suffix, prefix + suffix)


# -- typed-first reads: one KV or None, a range as one sequence ------------------------------


async def test_get_kv_gives_value_and_metadata_together(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    written = await async_client.put(key, "v1", lease=None)
    await async_client.put(key, b"v2")
    kv = await async_client.get_kv(key.decode())
    assert kv is not None
    assert (kv.key, kv.value, kv.version) == (key, b"v2", 2)
    assert kv.create_revision == written.header.revision
    assert kv.mod_revision == written.header.revision + 1
    assert kv.response_header.revision == kv.mod_revision
    assert (kv.raw.key, kv.raw.value) == (key, b"v2")
    assert kv == await async_client.get_kv(key)
    assert isinstance(kv, KVMetadata)  # code written for get()'s metadata reads it too
    old = await async_client.get_kv(key, revision=written.header.revision)
    assert old is not None
    assert old.value == b"v1"
    assert await async_client.get_kv(prefix + b"absent") is None


async def test_get_kvs_reads_a_key_a_prefix_or_a_range(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    keys = await _put_tricky(async_client, prefix)
    everything = await async_client.get_kvs(prefix, prefix=True)
    assert [kv.key for kv in everything] == keys
    assert [kv.value for kv in everything] == [b"v:" + k[len(prefix) :] for k in keys]
    assert (len(everything), everything.total, everything.more) == (len(keys), len(keys), False)
    assert everything[0].key == keys[0]
    assert everything[-1].key == keys[-1]
    assert [kv.key for kv in everything[1:3]] == keys[1:3]
    assert everything.header.revision == everything.raw.header.revision > 0
    assert list(everything) == list(everything)  # a sequence: read it as often as needed

    one = await async_client.get_kvs(prefix + b"ab")
    assert [kv.key for kv in one] == [prefix + b"ab"]
    span = await async_client.get_kvs(prefix + b"a", prefix + b"b")
    assert [kv.key for kv in span] == [k for k in keys if prefix + b"a" <= k < prefix + b"b"]

    limited = await async_client.get_kvs(prefix, prefix=True, limit=2, sort_order="descend")
    assert [kv.key for kv in limited] == keys[::-1][:2]
    assert (limited.total, limited.more) == (len(keys), True)
    bare = await async_client.get_kvs(prefix, prefix=True, keys_only=True)
    assert {kv.value for kv in bare} == {b""}


async def test_get_kvs_refuses_contradictory_bounds_before_sending(
    async_client: AsyncEtcd3Client,
) -> None:
    with pytest.raises(ValueError, match="prefix=True or range_end"):
        await async_client.get_kvs("a", "b", prefix=True)
    with pytest.raises(ValueError, match="empty"):
        await async_client.get_kvs("")
    with pytest.raises(TypeError):
        await async_client.get_kvs("a", prefix="yes")  # type: ignore[arg-type]


# -- ranges ------------------------------------------------------------------------------------


async def test_get_prefix_every_key_once_in_order(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    expected = await _put_tricky(async_client, prefix)
    await async_client.put(prefix[:-1] + b"0", b"just after the prefix")
    results = await _collect(async_client.get_prefix(prefix))
    assert [meta.key for _, meta in results] == expected
    assert [value for value, _ in results] == [b"v:" + k[len(prefix) :] for k in expected]
    raw = await async_client.get_prefix_response(prefix.decode())
    assert [kv.key for kv in raw.kvs] == expected
    assert raw.count == len(expected)


async def test_prefix_ending_in_0xff(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    await _put_tricky(async_client, prefix)
    assert await _keys(async_client.get_prefix(prefix + b"a\xff")) == [
        prefix + b"a\xff",
        prefix + b"a\xff\xff",
    ]
    assert await _keys(async_client.get_prefix(prefix + b"\xff")) == [
        prefix + b"\xff",
        prefix + b"\xff\xff",
    ]
    assert await _keys(async_client.get_prefix(prefix + b"\xfe\xff")) == [prefix + b"\xfe\xff"]


async def test_get_range(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    await _put_tricky(async_client, prefix)
    assert await _keys(async_client.get_range(prefix + b"a\0", prefix + b"a\xff")) == [
        prefix + b"a\0",
        prefix + b"a\0\0",
        prefix + b"a\x01",
        prefix + b"ab",
    ]
    raw = await async_client.get_range_response(prefix + b"b", range_end_for_key(prefix))
    assert [kv.key[len(prefix) :] for kv in raw.kvs] == [b"b", b"\xfe\xff", b"\xff", b"\xff\xff"]
    # b"\0" as the end: every key from the start on (the shared server may hold later keys).
    tail = await _keys(async_client.get_range(prefix + b"\xff", b"\0", limit=2))
    assert tail == [prefix + b"\xff", prefix + b"\xff\xff"]


async def _sort_dataset(client: AsyncEtcd3Client, prefix: bytes) -> dict[str, int]:
    # Final state: a = x3 (v1), b = x2 (v2), c = x1 (v3); created c, a, b; modified a, c, b.
    revisions: dict[str, int] = {}
    for name, value in [("c", "x1"), ("a", "x3"), ("b", "x2"), ("c", "x1"), ("c", "x1")]:
        response = await client.put(prefix + name.encode(), value)
        revisions.setdefault(name, response.header.revision)
    revisions["last"] = (await client.put(prefix + b"b", "x2")).header.revision
    return revisions


@pytest.mark.parametrize(
    ("sort_order", "sort_target", "expected"),
    [
        (None, None, "abc"),
        ("asc", "key", "abc"),
        ("ascend", None, "abc"),
        ("desc", None, "cba"),
        ("descend", "key", "cba"),
        ("asc", "value", "cba"),
        ("desc", "value", "abc"),
        ("asc", "version", "abc"),
        ("asc", "create", "cab"),
        ("asc", "mod", "acb"),
        ("desc", "mod", "bca"),
        (SortOrder.DESCEND, SortTarget.VERSION, "cba"),
        (SortOrder.ASCEND, SortTarget.CREATE, "cab"),
    ],
)
async def test_sorting(
    async_client: AsyncEtcd3Client,
    prefix: bytes,
    sort_order: SortOrderLike,
    sort_target: SortTargetLike,
    expected: str,
) -> None:
    await _sort_dataset(async_client, prefix)
    keys = await _keys(
        async_client.get_prefix(prefix, sort_order=sort_order, sort_target=sort_target)
    )
    assert b"".join(k[len(prefix) :] for k in keys).decode() == expected
    raw = await async_client.get_range_response(
        prefix + b"a", prefix + b"z", False, sort_order, sort_target
    )
    assert b"".join(kv.key[len(prefix) :] for kv in raw.kvs).decode() == expected


async def test_limit_keys_only_count_only(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    await _sort_dataset(async_client, prefix)
    assert await _keys(async_client.get_prefix(prefix, limit=2)) == [prefix + b"a", prefix + b"b"]
    assert len(await _keys(async_client.get_prefix(prefix, limit=0))) == 3
    assert len(await _keys(async_client.get_prefix(prefix, limit=-1))) == 3  # <= 0: none
    limited = await async_client.get_prefix_response(prefix, limit=1)
    assert (len(limited.kvs), limited.more, limited.count) == (1, True, 3)

    keys_only = await _collect(async_client.get_prefix(prefix, keys_only=True))
    assert [(value, meta.key) for value, meta in keys_only] == [
        (b"", prefix + b"a"),
        (b"", prefix + b"b"),
        (b"", prefix + b"c"),
    ]
    assert keys_only[2][1].version == 3

    counted = await async_client.get_prefix_response(prefix, count_only=True)
    assert (counted.count, len(counted.kvs)) == (3, 0)
    assert await _collect(async_client.get_prefix(prefix, count_only=True)) == []


async def test_revision_filters(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    rev = await _sort_dataset(async_client, prefix)

    async def names(
        min_mod: int = 0, max_mod: int = 0, min_create: int = 0, max_create: int = 0
    ) -> str:
        results = async_client.get_prefix(
            prefix,
            min_mod_revision=min_mod,
            max_mod_revision=max_mod,
            min_create_revision=min_create,
            max_create_revision=max_create,
        )
        return b"".join(k[len(prefix) :] for k in await _keys(results)).decode()

    assert await names(min_mod=rev["c"] + 3) == "bc"
    assert await names(max_mod=rev["a"]) == "a"
    assert await names(min_create=rev["a"]) == "ab"
    assert await names(max_create=rev["c"]) == "c"
    assert await names(min_mod=rev["last"], max_create=rev["b"]) == "b"
    assert await names() == "abc"  # 0: no filter
    filtered = await async_client.get_range_response(
        prefix + b"a", prefix + b"d", min_create_revision=rev["a"]
    )
    assert [kv.key for kv in filtered.kvs] == [prefix + b"a", prefix + b"b"]
    assert filtered.count == 3  # etcd counts the range before filtering


async def test_range_at_revision(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    rev = await _sort_dataset(async_client, prefix)
    assert await _keys(async_client.get_prefix(prefix, revision=rev["a"])) == [
        prefix + b"a",
        prefix + b"c",
    ]
    old = await _collect(async_client.get_prefix(prefix, revision=rev["c"], serializable=True))
    assert [(value, meta.key) for value, meta in old] == [(b"x1", prefix + b"c")]


async def test_iterators_send_nothing_before_first_iteration(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    # An already expired deadline fails the call only when the call is made.
    expired = async_client.get_prefix(prefix, timeout_override=0)
    with pytest.raises(ConnectionTimeoutError):
        await anext(expired)
    expired_pages = async_client.get_prefix_paged(prefix, timeout_override=0)
    with pytest.raises(ConnectionTimeoutError):
        await anext(expired_pages)

    # The read happens at the first iteration: it sees a key written after the call.
    lazy = async_client.get_prefix(prefix)
    lazy_range = async_client.get_range(prefix + b"a", prefix + b"z")
    lazy_all = async_client.get_all(keys_only=True)
    lazy_pages = async_client.get_range_paged_response(prefix + b"a", prefix + b"z")
    await async_client.put(prefix + b"late", b"1")
    assert await _keys(lazy) == [prefix + b"late"]
    assert await _keys(lazy_range) == [prefix + b"late"]
    assert prefix + b"late" in await _keys(lazy_all)
    assert [[kv.key for kv in page.kvs] async for page in lazy_pages] == [[prefix + b"late"]]


# -- paged reads -------------------------------------------------------------------------------


async def test_paged_reads_every_key_once_at_every_page_size(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    expected = await _put_tricky(async_client, prefix)
    in_range = [k for k in expected if prefix + b"a" <= k < prefix + b"\xff"]
    for page_size in range(1, len(expected) + 2):
        results = await _collect(async_client.get_prefix_paged(prefix, page_size=page_size))
        assert [meta.key for _, meta in results] == expected, page_size
        assert [value for value, _ in results] == [b"v:" + k[len(prefix) :] for k in expected]
        ranged = async_client.get_range_paged(prefix + b"a", prefix + b"\xff", False, page_size)
        assert await _keys(ranged) == in_range, page_size


async def test_paged_responses(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    expected = await _put_tricky(async_client, prefix)
    pages = [page async for page in async_client.get_prefix_paged_response(prefix, page_size=4)]
    assert all(isinstance(page, RangeResponse) for page in pages)
    assert [len(page.kvs) for page in pages] == [4, 4, 3]
    assert [page.more for page in pages] == [True, True, False]
    assert [kv.key for page in pages for kv in page.kvs] == expected
    keys_only = [
        page
        async for page in async_client.get_range_paged_response(
            prefix + b"a", prefix + b"b", keys_only=True, page_size=100
        )
    ]
    assert len(keys_only) == 1
    assert {kv.value for kv in keys_only[0].kvs} == {b""}
    assert len(keys_only[0].kvs) == 7


async def test_paged_read_is_one_snapshot(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    for name in "abcde":
        await async_client.put(prefix + name.encode(), b"old")
    pages = async_client.get_prefix_paged(prefix, page_size=2)
    first = [await anext(pages), await anext(pages)]
    # Writes between pages are not seen: the first page's revision pins the rest.
    await async_client.put(prefix + b"c", b"new")
    await async_client.delete(prefix + b"d")
    await async_client.put(prefix + b"f", b"new")
    rest = await _collect(pages)
    assert [(v, m.key[-1:]) for v, m in first + rest] == [
        (b"old", b"a"),
        (b"old", b"b"),
        (b"old", b"c"),
        (b"old", b"d"),
        (b"old", b"e"),
    ]
    latest = await _collect(async_client.get_prefix_paged(prefix, page_size=1))
    assert [(v, m.key[-1:]) for v, m in latest] == [
        (b"old", b"a"),
        (b"old", b"b"),
        (b"new", b"c"),
        (b"old", b"e"),
        (b"new", b"f"),
    ]
    # A given revision is used for every page.
    before_writes = rest[-1][1].mod_revision
    again = await _collect(
        async_client.get_prefix_paged(prefix, page_size=1, revision=before_writes)
    )
    assert [(v, m.key[-1:]) for v, m in again] == [(v, m.key[-1:]) for v, m in first + rest]


async def test_compaction_during_paged_read(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=10) as private:
        for name in "abcdef":
            await private.put(name, name)
        pages = private.get_prefix_paged("", page_size=2)
        assert (await anext(pages))[0] == b"a"
        newer = await private.put("g", "g")
        await private.compact(newer.header.revision)
        assert (await anext(pages))[0] == b"b"  # still the first page
        with pytest.raises(RevisionCompactedError):
            await anext(pages)


# -- whole keyspace (private server) -----------------------------------------------------------


async def test_empty_prefix_is_the_whole_keyspace(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    everything = sorted([b"\0", b"\0\0", b"\x01", *TRICKY])
    async with etcd3.async_client(server.host, server.port, timeout=10) as private:
        for key in everything:
            await private.put(key, key)
        assert await _keys(private.get_prefix("")) == everything
        assert await _keys(private.get_prefix(b"")) == everything
        assert await _keys(private.get_all()) == everything
        assert [value async for value, _ in private.get_all()] == everything
        assert (await private.get_all_response(count_only=True)).count == len(everything)
        assert await _keys(private.get_all(sort_order="desc")) == everything[::-1]
        assert await _keys(private.get_all(limit=2)) == everything[:2]
        assert await _keys(private.get_range(b"\0", b"\0")) == everything
        for page_size in (1, 3, len(everything)):
            assert await _keys(private.get_prefix_paged("", page_size=page_size)) == everything
        assert await _keys(private.get_range_paged(b"\0", b"\0", page_size=2)) == everything
        assert await _keys(private.get_prefix("\xff")) == []  # a str prefix is UTF-8: c3 bf
        deleted = await private.delete_prefix("")
        assert deleted.deleted == len(everything)
        assert await _keys(private.get_all()) == []


# -- writes and deletes ------------------------------------------------------------------------


async def test_put_with_lease(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    grant = await async_client.rpc.lease.lease_grant(TTL=60)
    try:
        await async_client.put(prefix + b"int", b"1", grant.ID)
        await async_client.put(prefix + b"obj", b"2", lease=_LeaseLike(grant.ID))
        await async_client.put(prefix + b"none", b"3", lease=None)
        leases = {meta.key: meta.lease_id async for _, meta in async_client.get_prefix(prefix)}
        assert leases == {prefix + b"int": grant.ID, prefix + b"obj": grant.ID, prefix + b"none": 0}
        with pytest.raises(LeaseNotFoundError):
            await async_client.put(prefix + b"x", b"1", lease=grant.ID + 1)
    finally:
        await async_client.rpc.lease.lease_revoke(ID=grant.ID)
    assert await _keys(async_client.get_prefix(prefix)) == [prefix + b"none"]


async def test_delete(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    await async_client.put(prefix + b"k", b"v")
    await async_client.put(prefix + b"k2", b"v2")
    deleted, response = await async_client.delete(prefix + b"k", prev_kv=True)
    assert deleted is True
    assert isinstance(response, DeleteRangeResponse)
    assert response.deleted == 1
    assert [(kv.key, kv.value) for kv in response.prev_kvs] == [(prefix + b"k", b"v")]
    assert await async_client.delete(prefix + b"k") == (False, None)
    assert await async_client.get(prefix + b"k2") != (None, None)  # not a prefix delete
    ok, plain = await async_client.delete((prefix + b"k2").decode())
    assert ok
    assert plain is not None
    assert list(plain.prev_kvs) == []


async def test_delete_prefix_and_range(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    expected = await _put_tricky(async_client, prefix)
    gone = await async_client.delete_prefix(prefix + b"a\xff", prev_kv=True)
    assert isinstance(gone, DeleteRangeResponse)
    assert gone.deleted == 2
    assert sorted(kv.key for kv in gone.prev_kvs) == [prefix + b"a\xff", prefix + b"a\xff\xff"]
    ranged = await async_client.delete_range(prefix + b"a\0", prefix + b"ab")
    assert (ranged.deleted, list(ranged.prev_kvs)) == (3, [])
    remaining = [k for k in expected if k[len(prefix) :] not in TRICKY[1:4] + TRICKY[5:7]]
    assert await _keys(async_client.get_prefix(prefix)) == remaining
    assert (await async_client.delete_prefix(prefix.decode())).deleted == len(remaining)
    assert (await async_client.delete_prefix(prefix)).deleted == 0


async def test_compact(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=10) as private:
        first = await private.put("k", "1")
        second = await private.put("k", "2")
        await private.compact(second.header.revision)
        with pytest.raises(RevisionCompactedError):
            await private.get("k", revision=first.header.revision)
        assert (await private.get("k", revision=second.header.revision))[0] == b"2"
        third = await private.put("k", "3")
        await private.compact(third.header.revision, physical=True)
        with pytest.raises(RevisionCompactedError):
            await private.compact(second.header.revision)
        with pytest.raises(FutureRevisionError):
            await private.compact(third.header.revision + 100)


# -- big ranges --------------------------------------------------------------------------------


async def test_thirty_thousand_keys_in_one_range(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    count, batch = 30_000, 128  # etcd's default limit of operations per txn
    value = b"v" * 200
    keys = [prefix + b"%05d" % i for i in range(count)]
    requests = [
        [op_put(key=key, value=value) for key in keys[i : i + batch]]
        for i in range(0, count, batch)
    ]
    if ASYNC:
        import asyncio

        await asyncio.gather(*(async_client.rpc.kv.txn(success=ops) for ops in requests))
    else:
        for ops in requests:
            await async_client.rpc.kv.txn(success=ops)
    try:
        results = await _collect(async_client.get_prefix(prefix))
        assert len(results) == count
        assert [meta.key for _, meta in results] == keys
        assert all(v == value for v, _ in results)
        paged = await _keys(async_client.get_prefix_paged(prefix, page_size=7000))
        assert paged == keys
    finally:
        assert (await async_client.delete_prefix(prefix)).deleted == count


# -- deadlines and bad input -------------------------------------------------------------------


async def test_timeout_override_zero_is_expired(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    with pytest.raises(ConnectionTimeoutError):
        await async_client.put(key, b"v", timeout_override=0)
    with pytest.raises(ConnectionTimeoutError):
        await async_client.get(key, timeout_override=0)
    with pytest.raises(ConnectionTimeoutError):
        await async_client.get_prefix_response(key, timeout_override=0)
    with pytest.raises(ConnectionTimeoutError):
        await async_client.delete(key, timeout_override=0)
    with pytest.raises(ConnectionTimeoutError):
        await async_client.compact(1, timeout_override=0)
    # Floats and generous deadlines work.
    await async_client.put(key, b"v", timeout_override=5.5)
    assert (await async_client.get(key, timeout_override=5.0))[0] == b"v"


@pytest.fixture
def unreachable_port() -> Iterator[int]:
    """A port nothing listens on (bound, never listening: connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


async def test_bad_input_fails_before_any_rpc(unreachable_port: int) -> None:
    # Any request would fail with a connection error; bad input fails first, at the call.
    async with etcd3.async_client("127.0.0.1", unreachable_port, timeout=5) as dead:
        with pytest.raises(ValueError, match="key"):
            await dead.get(b"")
        with pytest.raises(ValueError, match="key"):
            await dead.get_strict("")
        with pytest.raises(TypeError, match="key"):
            await dead.get(1)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="serializable"):
            await dead.get_response(b"k", "yes")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="revision"):
            await dead.get(b"k", revision="3")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="timeout_override"):
            await dead.get(b"k", timeout_override=-1)
        with pytest.raises(ValueError, match="sort_order"):
            dead.get_prefix(b"p", sort_order="up")  # type: ignore[arg-type]  # a typo: also a type error
        with pytest.raises(ValueError, match="sort_target"):
            dead.get_all(sort_target="size")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="sort_order"):
            await dead.get_prefix_response(b"p", sort_order=1)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="limit"):
            dead.get_range(b"a", b"b", limit="10")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="range_end"):
            dead.get_range(b"a", b"")
        with pytest.raises(ValueError, match="range_start"):
            await dead.get_range_response(b"", b"b")
        with pytest.raises(ValueError, match="min_mod_revision"):
            dead.get_prefix(b"p", min_mod_revision=-1)
        with pytest.raises(TypeError, match="count_only"):
            await dead.get_all_response(count_only=None)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="timeout_override"):
            dead.get_prefix(b"p", timeout_override=-0.5)
        for page_size in (0, -1):
            with pytest.raises(ValueError, match="page_size"):
                dead.get_prefix_paged(b"p", page_size=page_size)
            with pytest.raises(ValueError, match="page_size"):
                dead.get_range_paged_response(b"a", b"b", page_size=page_size)
        with pytest.raises(TypeError, match="page_size"):
            dead.get_range_paged(b"a", b"b", page_size=1.5)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="key_prefix"):
            dead.get_prefix_paged_response(None)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="value"):
            await dead.put(b"k", 5)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="key"):
            await dead.put(b"", b"v")
        with pytest.raises(TypeError, match="lease"):
            await dead.put(b"k", b"v", lease="12")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="lease"):
            await dead.put(b"k", b"v", lease=-5)
        with pytest.raises(TypeError, match="prev_kv"):
            await dead.put(b"k", b"v", prev_kv=1)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="key"):
            await dead.delete(b"")
        with pytest.raises(TypeError, match="prefix"):
            await dead.delete_prefix(3)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="range_end"):
            await dead.delete_range(b"a", "")
        for revision in (0, -1):
            with pytest.raises(ValueError, match="revision"):
                await dead.compact(revision)
        with pytest.raises(TypeError, match="revision"):
            await dead.compact("5")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="physical"):
            await dead.compact(5, physical="yes")  # type: ignore[arg-type]
