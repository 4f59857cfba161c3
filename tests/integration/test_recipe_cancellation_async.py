"""asyncio lock waiters cancelled again while they leave the line (a task group shutting down,
an outer timeout firing while an inner one is handled): the waiter's key still goes."""

from __future__ import annotations

import asyncio
import contextlib

import etcd3
from etcd3 import AsyncEtcd3Client


async def cancel_twice(task: asyncio.Task[object], steps: int) -> None:
    """Cancel ``task``, then again ``steps`` steps of the event loop into what the first
    cancellation started (each count of steps lands elsewhere in the cleanup), and wait."""
    task.cancel()
    for _ in range(steps):
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def keys_of(client: AsyncEtcd3Client, prefix: bytes, lease_hex: bytes) -> list[bytes]:
    """The keys under ``prefix`` that the lease ``lease_hex`` holds (a participant's own)."""
    line = (await client.get_prefix_response(prefix)).kvs
    return [kv.key for kv in line if kv.key.endswith(lease_hex)]


async def test_a_waiter_cancelled_twice_leaves_no_key_in_a_shared_sessions_line(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    name = prefix.decode().strip("/").replace("/", "-")
    async with async_client.session(ttl=30) as session:
        mine = f"{session.lease.id:x}".encode()
        holder = async_client.lock(name, ttl=30)
        assert await holder.acquire()
        # The second cancellation lands a few steps of the event loop into the first one's
        # cleanup, wherever that is: each count of steps is a round.
        for steps in range(8):
            waiter = etcd3.AsyncLock(name, etcd_client=async_client, session=session)
            task = asyncio.create_task(waiter.acquire(timeout=None))
            await asyncio.sleep(0.2)  # waiting in line behind the holder
            await cancel_twice(task, steps)
            assert await keys_of(async_client, waiter.prefix, mine) == [], f"{steps} steps"
            assert not waiter.held
        await holder.release()
        # Nobody is left in line: the next acquirer gets the lock at once.
        assert await etcd3.AsyncLock(name, etcd_client=async_client, session=session).acquire(0)


async def test_a_holder_cancelled_again_while_it_releases_still_frees_the_lock(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    name = prefix.decode().strip("/").replace("/", "-")
    async with async_client.session(ttl=30) as session:
        mine = f"{session.lease.id:x}".encode()
        for steps in range(8):
            lock = etcd3.AsyncLock(name, etcd_client=async_client, session=session)

            async def hold(lock: etcd3.AsyncLock = lock) -> None:
                async with lock:
                    await asyncio.sleep(10)

            task = asyncio.create_task(hold())
            await asyncio.sleep(0.2)
            assert lock.held
            await cancel_twice(task, steps)  # leaving the block releases the lock
            assert await keys_of(async_client, lock.prefix, mine) == [], f"{steps} steps"
            assert not lock.held
