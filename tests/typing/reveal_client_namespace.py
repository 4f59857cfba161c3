"""A consumer of namespaces (``client.namespace(prefix)``), type-checked with mypy --strict
(never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
A namespace is a client of the same class, so every method keeps its precise types.
"""

from __future__ import annotations

from typing_extensions import reveal_type

import etcd3

Client = etcd3.Etcd3Client
AsyncClient = etcd3.AsyncEtcd3Client


def sync_consumer(client: Client) -> None:
    ns = client.namespace("app/")
    reveal_type(ns)  # R: etcd3._client.Etcd3Client
    reveal_type(ns.namespace(b"sub/"))  # R: etcd3._client.Etcd3Client
    reveal_type(ns.get("k"))  # R: tuple[bytes, etcd3._views.KVMetadata] | tuple[None, None]
    reveal_type(ns.rpc.kv.range(key=b"k").kvs[0].key)  # R: bytes
    reveal_type(ns.lock("L"))  # R: etcd3._lock.Lock
    reveal_type(ns.close())  # R: None
    with client.namespace("app/") as scoped:
        reveal_type(scoped)  # R: etcd3._client.Etcd3Client


async def async_consumer(client: AsyncClient) -> None:
    ns = client.namespace("app/")
    reveal_type(ns)  # R: etcd3._client_async.AsyncEtcd3Client
    reveal_type(ns.namespace(b"sub/"))  # R: etcd3._client_async.AsyncEtcd3Client
    reveal_type(await ns.get("k"))  # R: tuple[bytes, etcd3._views.KVMetadata] | tuple[None, None]
    reveal_type((await ns.rpc.kv.range(key=b"k")).kvs[0].key)  # R: bytes
    reveal_type(ns.lock("L"))  # R: etcd3._lock_async.AsyncLock
    reveal_type(await ns.close())  # R: None
    async with client.namespace("app/") as scoped:
        reveal_type(scoped)  # R: etcd3._client_async.AsyncEtcd3Client


def multi_consumer(client: etcd3.MultiEndpointEtcd3Client) -> None:
    reveal_type(client.namespace("app/"))  # R: etcd3._multi.MultiEndpointEtcd3Client
