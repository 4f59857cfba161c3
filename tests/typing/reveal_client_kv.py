"""A consumer of the client's reads, paged reads, writes, deletes and compaction (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
"""

from __future__ import annotations

from typing_extensions import reveal_type

import etcd3
from etcd3.rpc.etcdserverpb import SortOrder, SortTarget


def sync_consumer(client: etcd3.Etcd3Client) -> None:
    reveal_type(client.get("k"))  # R: tuple[bytes, etcd3._views.KVMetadata] | tuple[None, None]
    value, meta = client.get(b"k", serializable=True, revision=5, timeout_override=1.5)
    if meta is not None:
        reveal_type(meta.key)  # R: bytes
        reveal_type(meta.create_revision)  # R: int
        reveal_type(meta.mod_revision)  # R: int
        reveal_type(meta.version)  # R: int
        reveal_type(meta.lease_id)  # R: int
        reveal_type(meta.response_header)  # R: etcd3.rpc.etcdserverpb.ResponseHeader
    reveal_type(value)  # R: bytes | None
    reveal_type(client.get_strict("k"))  # R: tuple[bytes, etcd3._views.KVMetadata]
    reveal_type(client.get_kv("k"))  # R: etcd3._views.KV | None
    kv = client.get_kv("k", serializable=True, revision=5, timeout_override=1.5)
    if kv is not None:
        reveal_type(kv.value)  # R: bytes
        reveal_type(kv.mod_revision)  # R: int
        reveal_type(kv.raw)  # R: etcd3.rpc.mvccpb.KeyValue
    kvs = client.get_kvs("p/", prefix=True, limit=10, sort_order="desc")
    reveal_type(kvs)  # R: etcd3._views.RangeResult
    reveal_type(kvs[0])  # R: etcd3._views.KV
    reveal_type(kvs[1:])  # R: list[etcd3._views.KV]
    reveal_type(kvs.total)  # R: int
    reveal_type(kvs.more)  # R: bool
    reveal_type(kvs.header.revision)  # R: int
    reveal_type(kvs.raw)  # R: etcd3.rpc.etcdserverpb.RangeResponse
    reveal_type(client.get_kvs("a", "b"))  # R: etcd3._views.RangeResult
    reveal_type(client.get_response("k"))  # R: etcd3.rpc.etcdserverpb.RangeResponse
    reveal_type(client.get_prefix("p/", sort_order="desc", sort_target=SortTarget.MOD))  # R: typing.Generator[tuple[bytes, etcd3._views.KVMetadata], None, None]
    reveal_type(client.get_prefix_response("p/", count_only=True).count)  # R: int
    reveal_type(client.get_range("a", "b", limit=10))  # R: typing.Generator[tuple[bytes, etcd3._views.KVMetadata], None, None]
    reveal_type(client.get_range_response("a", b"\0", sort_order=SortOrder.ASCEND))  # R: etcd3.rpc.etcdserverpb.RangeResponse
    reveal_type(client.get_all(keys_only=True))  # R: typing.Generator[tuple[bytes, etcd3._views.KVMetadata], None, None]
    reveal_type(client.get_all_response(min_mod_revision=3))  # R: etcd3.rpc.etcdserverpb.RangeResponse
    reveal_type(client.get_prefix_paged("p/", page_size=100))  # R: typing.Generator[tuple[bytes, etcd3._views.KVMetadata], None, None]
    reveal_type(client.get_prefix_paged_response("p/"))  # R: typing.Generator[etcd3.rpc.etcdserverpb.RangeResponse, None, None]
    reveal_type(client.get_range_paged("a", "b", revision=7))  # R: typing.Generator[tuple[bytes, etcd3._views.KVMetadata], None, None]
    reveal_type(client.get_range_paged_response("a", "b"))  # R: typing.Generator[etcd3.rpc.etcdserverpb.RangeResponse, None, None]
    for item_value, item_meta in client.get_prefix("p/"):
        reveal_type(item_value)  # R: bytes
        reveal_type(item_meta)  # R: etcd3._views.KVMetadata
    reveal_type(client.put("k", "v", lease=7, prev_kv=True))  # R: etcd3.rpc.etcdserverpb.PutResponse
    reveal_type(client.delete("k"))  # R: tuple[Literal[True], etcd3.rpc.etcdserverpb.DeleteRangeResponse] | tuple[Literal[False], None]
    reveal_type(client.delete_prefix("p/", prev_kv=True))  # R: etcd3.rpc.etcdserverpb.DeleteRangeResponse
    reveal_type(client.delete_range("a", "b"))  # R: etcd3.rpc.etcdserverpb.DeleteRangeResponse
    client.compact(10, physical=True)


async def async_consumer(client: etcd3.AsyncEtcd3Client) -> None:
    reveal_type(await client.get("k"))  # R: tuple[bytes, etcd3._views.KVMetadata] | tuple[None, None]
    reveal_type(await client.get_strict("k"))  # R: tuple[bytes, etcd3._views.KVMetadata]
    reveal_type(await client.get_kv("k"))  # R: etcd3._views.KV | None
    reveal_type(await client.get_kvs("p/", prefix=True))  # R: etcd3._views.RangeResult
    reveal_type(await client.get_response("k"))  # R: etcd3.rpc.etcdserverpb.RangeResponse
    reveal_type(client.get_prefix("p/"))  # R: typing.AsyncGenerator[tuple[bytes, etcd3._views.KVMetadata], None]
    reveal_type(await client.get_prefix_response("p/"))  # R: etcd3.rpc.etcdserverpb.RangeResponse
    reveal_type(client.get_range("a", "b"))  # R: typing.AsyncGenerator[tuple[bytes, etcd3._views.KVMetadata], None]
    reveal_type(client.get_all())  # R: typing.AsyncGenerator[tuple[bytes, etcd3._views.KVMetadata], None]
    reveal_type(client.get_prefix_paged("p/"))  # R: typing.AsyncGenerator[tuple[bytes, etcd3._views.KVMetadata], None]
    reveal_type(client.get_range_paged_response("a", "b"))  # R: typing.AsyncGenerator[etcd3.rpc.etcdserverpb.RangeResponse, None]
    async for page in client.get_prefix_paged_response("p/", page_size=10):
        reveal_type(page.more)  # R: bool
    async for item_value, item_meta in client.get_range_paged("a", "b"):
        reveal_type(item_value)  # R: bytes
        reveal_type(item_meta.mod_revision)  # R: int
    reveal_type(await client.put("k", b"v"))  # R: etcd3.rpc.etcdserverpb.PutResponse
    reveal_type(await client.delete("k", prev_kv=True))  # R: tuple[Literal[True], etcd3.rpc.etcdserverpb.DeleteRangeResponse] | tuple[Literal[False], None]
    reveal_type(await client.delete_prefix("p/"))  # R: etcd3.rpc.etcdserverpb.DeleteRangeResponse
    reveal_type(await client.delete_range("a", "b"))  # R: etcd3.rpc.etcdserverpb.DeleteRangeResponse
    await client.compact(10)
