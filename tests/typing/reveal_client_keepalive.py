"""A consumer of automatic lease keep-alive and watch progress (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
"""

from __future__ import annotations

from typing_extensions import reveal_type

import etcd3
from etcd3.errors import LeaseLostError


def on_lost(error: LeaseLostError) -> None:
    print(error.lease_id)


async def on_lost_async(error: LeaseLostError) -> None:
    print(error.lease_id)


def sync_consumer(client: etcd3.Etcd3Client) -> None:
    lease = client.lease(10, keep_alive=True, on_lost=on_lost)
    reveal_type(lease)  # R: etcd3._lease.Lease
    reveal_type(lease.start_keep_alive(on_lost=on_lost))  # R: None
    reveal_type(lease.lost)  # R: bool
    reveal_type(lease.lost_error)  # R: etcd3.errors.LeaseLostError | None
    reveal_type(lease.raise_if_lost())  # R: None
    reveal_type(lease.wait_lost(1.0))  # R: bool
    error = lease.lost_error
    if error is not None:
        reveal_type(error.lease_id)  # R: int
    reveal_type(client.request_progress())  # R: None


async def async_consumer(client: etcd3.AsyncEtcd3Client) -> None:
    lease = await client.lease(10, keep_alive=True, on_lost=on_lost_async)
    reveal_type(lease)  # R: etcd3._lease_async.AsyncLease
    reveal_type(lease.start_keep_alive(on_lost=on_lost))  # R: None
    reveal_type(lease.lost)  # R: bool
    reveal_type(lease.lost_error)  # R: etcd3.errors.LeaseLostError | None
    reveal_type(lease.raise_if_lost())  # R: None
    reveal_type(await lease.wait_lost(1.0))  # R: bool
    reveal_type(await client.request_progress())  # R: None
