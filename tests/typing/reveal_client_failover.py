"""A consumer of the failover API: endpoints, retry policy, multi-endpoint client (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
"""

from __future__ import annotations

from typing_extensions import reveal_type

import etcd3
from etcd3._endpoints import Endpoint
from etcd3._multi import MultiEndpointEtcd3Client
from etcd3._multi_async import AsyncMultiEndpointEtcd3Client
from etcd3._retry import RetryPolicy
from etcd3.errors import ClientForkedError


def sync_consumer() -> None:
    client = etcd3.client(
        endpoints=["http://127.0.0.1:2379", "127.0.0.1:22379"],
        retry=RetryPolicy(max_attempts=3, attempt_timeout=1.0),
        auto_sync_interval=30.0,
        require_leader=True,
    )
    reveal_type(client)  # R: etcd3._client.Etcd3Client
    reveal_type(client.endpoint_in_use)  # R: str
    reveal_type(client.endpoints)  # R: tuple[str, ...]
    policy = RetryPolicy.disabled()
    reveal_type(policy)  # R: etcd3._retry.RetryPolicy
    reveal_type(policy.max_attempts)  # R: int
    reveal_type(policy.attempt_timeout)  # R: float | None
    reveal_type(policy.backoff(1))  # R: float
    multi = MultiEndpointEtcd3Client([Endpoint("127.0.0.1", 2379, secure=False)], failover=True)
    reveal_type(multi)  # R: etcd3._multi.MultiEndpointEtcd3Client
    reveal_type(multi.endpoint_in_use)  # R: str
    value, meta = multi.get(b"k")
    reveal_type(value)  # R: bytes | None
    reveal_type(meta)  # R: etcd3._views.KVMetadata | None
    reveal_type(ClientForkedError().retryable)  # R: bool
    reveal_type(ClientForkedError().outcome_unknown)  # R: bool


async def async_consumer() -> None:
    client = etcd3.async_client(endpoints=["https://127.0.0.1:2379"], retry=RetryPolicy())
    reveal_type(client)  # R: etcd3._client_async.AsyncEtcd3Client
    reveal_type(client.endpoint_in_use)  # R: str
    reveal_type(client.endpoints)  # R: tuple[str, ...]
    multi = AsyncMultiEndpointEtcd3Client([Endpoint("127.0.0.1", 2379, secure=False)])
    reveal_type(multi)  # R: etcd3._multi_async.AsyncMultiEndpointEtcd3Client
    value, meta = await multi.get(b"k")
    reveal_type(value)  # R: bytes | None
    reveal_type(meta)  # R: etcd3._views.KVMetadata | None
