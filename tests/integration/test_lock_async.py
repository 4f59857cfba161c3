# async-to-sync: source
"""Distributed locks on a real etcd: layout, try/timeout, mutual exclusion, FIFO fairness,
lost holders, shared sessions, cancellation, and a member killed under contention."""

from __future__ import annotations

import functools
import time

import pytest

import etcd3
from etcd3._acompat import ASYNC, join_workers, sleep, spawn
from etcd3._client_async import AsyncEtcd3Client
from etcd3._concurrency_core import LockNotAcquiredError, SessionLostError
from etcd3._lock_async import AsyncLock
from etcd3._session_async import AsyncSession
from etcd3.errors import ConnectionTimeoutError, EtcdError, LockError
from etcd3.rpc.etcdserverpb import LeaseKeepAliveResponse
from etcd3.testing import EtcdCluster, EtcdFactory, EtcdServer

if ASYNC:
    import asyncio


async def test_acquire_ends_by_its_timeout_on_a_member_that_never_answers(
    silent_port: int,
) -> None:
    # Every request of the call ends by the timeout too: the lease grant here, which has
    # the client's 30 s otherwise. It raises rather than return False, which would say that
    # another holder has the lock: nobody answered, so that is unknown.
    async with etcd3.async_client("127.0.0.1", silent_port, timeout=30) as client:
        lock = client.lock("silent")
        started = time.monotonic()
        with pytest.raises(ConnectionTimeoutError, match="out of time before joining the line"):
            await lock.acquire(timeout=1)
        assert time.monotonic() - started < 2
        assert not lock.held

        async def run_locked() -> None:
            async with lock:
                pytest.fail("the block ran without the lock")

        lock.acquire_timeout = 0.5
        started = time.monotonic()
        with pytest.raises(ConnectionTimeoutError, match="whether another participant holds"):
            await run_locked()
        assert time.monotonic() - started < 1.5


async def test_acquire_raises_when_the_request_to_join_the_line_goes_unanswered(
    etcd_factory: EtcdFactory,
) -> None:
    # The session's lease is granted already, then the member stops answering: the request
    # that joins the line times out at the acquire's deadline. Whether it joined, and who
    # holds the lock, is unknown, so it raises rather than return False.
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=2) as client:
        session = AsyncSession(client, 10)
        await session.open()
        lock = AsyncLock("unanswered", session=session)
        server.pause()
        try:
            started = time.monotonic()
            with pytest.raises(ConnectionTimeoutError) as raised:
                await lock.acquire(timeout=1)
            elapsed = time.monotonic() - started
        finally:
            server.resume()
        assert str(raised.value) == (
            "/etcdserverpb.KV/Txn: no answer within the call's timeout of 1 s (Deadline "
            "Exceeded); out of time before etcd answered the request to join the line, so "
            "whether another participant holds the turn is unknown"
        )
        # Removing the attempt's key has the client's timeout (2 s) after the acquire's.
        assert 1 <= elapsed < 4.5
        assert not lock.held
        # Closing the session revokes its lease: no key of the attempt outlives it, whether
        # or not etcd applies the unanswered requests once it answers again.
        await session.close()
        assert [kv async for kv in client.get_prefix(lock.prefix)] == []


async def test_release_on_a_member_that_stops_answering_reports_the_release(
    etcd_factory: EtcdFactory,
) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=1) as client:
        lock = client.lock("paused-release", ttl=4)
        assert await lock.acquire(timeout=5)
        server.pause()
        try:
            started = time.monotonic()
            # The deletion's error, not the revocation's that follows it.
            with pytest.raises(ConnectionTimeoutError, match=r"^/etcdserverpb\.KV/Txn: no answer"):
                await lock.release()
            elapsed = time.monotonic() - started
        finally:
            server.resume()
        assert elapsed < 2.8  # the deletion's timeout, then the revocation's
        assert not lock.held
        # Revoked once etcd answers again, or expired unrenewed after the TTL: the key goes.
        until = time.monotonic() + 8
        while await _keys(client, lock):
            assert time.monotonic() < until, "the key outlived the lease"
            await sleep(0.2)


async def test_acquire_out_of_time_behind_a_holder_says_so_though_cleanup_fails(
    etcd_factory: EtcdFactory,
) -> None:
    # Out of time in the line, the waiter revokes its own session's lease; etcd does not
    # answer that either. The lease, no longer kept alive, expires with the key, so this is
    # still "another holder kept the lock": False, not the revocation's error.
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=1) as client:
        holder = client.lock("paused-wait", ttl=4)
        waiter = client.lock("paused-wait", ttl=4)
        assert await holder.acquire(timeout=5)
        results: list[bool] = []

        async def wait() -> None:
            results.append(await waiter.acquire(timeout=3))

        jobs = [spawn(wait, name="waiter")]
        await _wait_keys(client, holder, 2)
        await _wait_watching(server)  # the waiter waits for the holder's key to go
        server.pause()
        try:
            await join_workers(jobs, 10)
        finally:
            server.resume()
        assert results == [False]
        assert not waiter.held


async def _wait_watching(server: EtcdServer) -> None:
    until = time.monotonic() + 10
    while "etcd_debugging_mvcc_watcher_total 1" not in server.member.metrics().splitlines():
        assert time.monotonic() < until, "nobody watched"
        await sleep(0.02)


def _assert_holds_nothing(lock: AsyncLock) -> None:
    assert not lock.held
    with pytest.raises(LockError, match="holds nothing"):
        _ = lock.key
    with pytest.raises(LockError, match="holds nothing"):
        _ = lock.revision
    assert lock.lease is None


def _name(prefix: bytes) -> str:
    return prefix.decode().strip("/").replace("/", "-")


async def _keys(client: AsyncEtcd3Client, lock: AsyncLock) -> list[bytes]:
    return [meta.key async for _, meta in client.get_prefix(lock.prefix, keys_only=True)]


async def _wait_keys(client: AsyncEtcd3Client, lock: AsyncLock, count: int) -> None:
    until = time.monotonic() + 10
    while len(await _keys(client, lock)) != count:
        assert time.monotonic() < until, f"never saw {count} waiters"
        await sleep(0.02)


async def test_lock_layout_acquire_release(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    name = _name(prefix)
    lock = AsyncLock(name, 10, async_client)
    assert (lock.name, lock.ttl, lock.prefix) == (name, 10, f"/locks/{name}/".encode())
    _assert_holds_nothing(lock)
    assert not await lock.is_acquired()

    assert await lock.acquire() is True
    assert lock.held
    lease = lock.lease
    assert lease is not None
    # Go's concurrency.Mutex layout: <prefix><lease id in lower-case hex>, empty value.
    assert lock.key == lock.prefix + f"{lease.id:x}".encode()
    value, meta = await async_client.get(lock.key)
    assert value == b""
    assert meta is not None
    assert (meta.lease_id, meta.create_revision) == (lease.id, lock.revision)
    assert await lock.is_acquired()
    assert await lock.acquire(0) is True  # held already

    response = await lock.refresh()
    assert isinstance(response, LeaseKeepAliveResponse)
    assert lease.id == response.ID
    assert response.TTL == 10

    assert await lock.release() is True
    assert await _keys(async_client, lock) == []
    assert (await async_client.get_lease_info(lease.id, keys=False)).TTL == -1  # revoked
    _assert_holds_nothing(lock)
    assert not await lock.is_acquired()
    assert await lock.release() is False
    with pytest.raises(ValueError, match="not held"):
        await lock.refresh()


async def test_lock_try_once_and_timeout_clean_up(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    holder = AsyncLock("x", 10, async_client, prefix=prefix)
    other = AsyncLock("x", 10, async_client, prefix=prefix)
    assert await holder.acquire(0)
    started = time.monotonic()
    assert await other.acquire(0) is False
    assert time.monotonic() - started < 2
    assert await _keys(async_client, other) == [holder.key]
    assert other.lease is None  # its own session is closed again

    started = time.monotonic()
    assert await other.acquire(0.3) is False
    assert time.monotonic() - started >= 0.3
    assert await _keys(async_client, other) == [holder.key]
    assert not await other.is_acquired()

    other.acquire_timeout = 0.2
    with pytest.raises(LockNotAcquiredError, match=r"within 0\.2 s"):
        async with other:
            pytest.fail("entered a lock held by another")

    await holder.release()
    async with other:
        assert await other.is_acquired()
        first = other.revision
        assert not holder.held
    assert await _keys(async_client, other) == []
    # A new holder gets a higher create revision: a fencing token.
    assert await holder.acquire(0)
    assert holder.revision > first
    await holder.release()


async def test_lock_mutual_exclusion_under_contention(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    workers, rounds = 6, 4
    state = {"counter": 0, "inside": 0, "overlaps": 0}
    tokens: list[int] = []

    async def work() -> None:
        lock = AsyncLock("count", 10, async_client, prefix=prefix, acquire_timeout=60)
        for _ in range(rounds):
            async with lock:
                state["inside"] += 1
                if state["inside"] != 1:
                    state["overlaps"] += 1
                tokens.append(lock.revision)
                seen = state["counter"]
                await sleep(0.005)  # read, pause, write: lost updates without the lock
                state["counter"] = seen + 1
                state["inside"] -= 1

    jobs = [spawn(work, name=f"locker-{i}") for i in range(workers)]
    await join_workers(jobs, 60)
    assert state == {"counter": workers * rounds, "inside": 0, "overlaps": 0}
    assert tokens == sorted(tokens)
    assert len(set(tokens)) == len(tokens)


async def test_lock_waiters_acquire_in_arrival_order(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    holder = AsyncLock("fifo", 10, async_client, prefix=prefix)
    assert await holder.acquire()
    order: list[int] = []

    async def wait_for_turn(index: int, lock: AsyncLock) -> None:
        assert await lock.acquire(30)
        order.append(index)
        await sleep(0.01)
        await lock.release()

    jobs = []
    for index in range(5):
        lock = AsyncLock("fifo", 10, async_client, prefix=prefix)
        jobs.append(spawn(functools.partial(wait_for_turn, index, lock), name=f"waiter-{index}"))
        await _wait_keys(async_client, holder, index + 2)  # queued before the next one
    await sleep(0.1)
    assert order == []
    await holder.release()
    await join_workers(jobs, 30)
    assert order == [0, 1, 2, 3, 4]


async def test_lock_passes_on_when_holder_lease_is_lost(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    holder = AsyncLock("lost", 3, async_client, prefix=prefix)
    waiter = AsyncLock("lost", 3, async_client, prefix=prefix)
    assert await holder.acquire()
    lease = holder.lease
    assert lease is not None
    jobs = [spawn(lambda: waiter.acquire(20), name="waiter")]
    await _wait_keys(async_client, holder, 2)
    await async_client.revoke_lease(lease.id)  # the holder's session ends elsewhere
    await join_workers(jobs, 20)
    assert await waiter.is_acquired()
    assert await lease.wait_lost(10)
    assert not await holder.is_acquired()
    assert await holder.release() is False
    assert await waiter.release() is True


async def test_lock_waiter_with_lost_session_raises(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    holder = AsyncLock("x", 10, async_client, prefix=prefix)
    assert await holder.acquire()
    session = AsyncSession(async_client, 3)
    waiter = AsyncLock("x", etcd_client=async_client, session=session, prefix=prefix)
    errors: list[BaseException] = []

    async def wait() -> None:
        try:
            await waiter.acquire(30)
        except SessionLostError as exc:
            errors.append(exc)

    jobs = [spawn(wait, name="waiter")]
    await _wait_keys(async_client, holder, 2)
    lease = session.lease
    await async_client.revoke_lease(lease.id)
    started = time.monotonic()
    await join_workers(jobs, 20)
    # Noticed within about a TTL (the waiter re-checks its session once per TTL).
    assert time.monotonic() - started < 8
    assert len(errors) == 1
    assert not await waiter.is_acquired()
    await holder.release()


async def test_locks_on_a_shared_session(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    async with AsyncSession(async_client, 10) as session:
        lease = session.lease
        first = AsyncLock("a", session=session, prefix=prefix + b"a/")
        second = AsyncLock("b", session=session, prefix=prefix + b"b/")
        assert first.lease is lease
        assert await first.acquire(0)
        assert await second.acquire(0)
        assert first.key == prefix + b"a/" + f"{lease.id:x}".encode()
        assert second.key == prefix + b"b/" + f"{lease.id:x}".encode()
        assert await first.release() is True
        assert not session.closed  # the shared session outlives its locks
    # Closing the session revoked the lease: the other lock's key is gone.
    assert not await second.is_acquired()
    assert [kv async for kv in async_client.get_prefix(prefix)] == []


async def test_lock_respects_go_style_holder(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    # A Go concurrency.Mutex on "<prefix>" (without the slash) writes <prefix>/<lease hex>.
    go_lease = await async_client.lease(10)
    go_key = prefix + f"{go_lease.id:x}".encode()
    await async_client.put(go_key, b"", lease=go_lease)
    lock = AsyncLock("go", 10, async_client, prefix=prefix)
    assert await lock.acquire(0) is False
    jobs = [spawn(lambda: lock.acquire(10), name="python-waiter")]
    await _wait_keys(async_client, lock, 2)
    await async_client.delete(go_key)  # the Go holder unlocks
    await join_workers(jobs, 10)
    assert await lock.is_acquired()
    await lock.release()
    await go_lease.revoke()


async def test_lock_cancelled_waiter_leaves_the_queue(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    holder = AsyncLock("c", 10, async_client, prefix=prefix)
    assert await holder.acquire()
    waiter = AsyncLock("c", 10, async_client, prefix=prefix)
    if ASYNC:
        task = asyncio.ensure_future(waiter.acquire(None))
        await _wait_keys(async_client, holder, 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await _keys(async_client, holder) == [holder.key]
        assert waiter.lease is None
    else:
        # Threads cannot be cancelled; a timed-out wait cleans up the same way.
        assert await waiter.acquire(0.1) is False
        assert await _keys(async_client, holder) == [holder.key]
    await holder.release()


async def test_lock_rejects_bad_arguments(
    async_client: AsyncEtcd3Client, etcd_server: EtcdServer, prefix: bytes
) -> None:
    with pytest.raises(ValueError, match="name"):
        AsyncLock("", 10, async_client)
    with pytest.raises(TypeError, match="name"):
        AsyncLock(3, 10, async_client)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ttl"):
        AsyncLock("x", 0, async_client)
    with pytest.raises(ValueError, match="etcd_client"):
        AsyncLock("x")
    other = etcd3.async_client(etcd_server.host, etcd_server.port)
    with pytest.raises(ValueError, match="differ"):
        AsyncLock("x", etcd_client=other, session=AsyncSession(async_client))
    await other.close()
    lock = AsyncLock("x", 10, async_client, prefix=prefix)
    with pytest.raises(ValueError, match="timeout"):
        await lock.acquire(-1)
    with pytest.raises(TypeError, match="timeout"):
        await lock.acquire("1")  # type: ignore[arg-type]
    assert lock.lease is None  # nothing was granted or written
    assert [kv async for kv in async_client.get_prefix(prefix)] == []


async def test_client_lock_entry_point(etcd_server: EtcdServer, prefix: bytes) -> None:
    async with AsyncEtcd3Client(etcd_server.host, etcd_server.port, timeout=10) as client:
        lock = client.lock(_name(prefix), ttl=5)
        assert isinstance(lock, AsyncLock)
        assert lock.ttl == 5
        async with lock:
            assert await lock.is_acquired()
        assert not await lock.is_acquired()


@pytest.mark.cluster
@pytest.mark.slow
async def test_lock_exclusion_survives_a_killed_member(etcd_cluster: EtcdCluster) -> None:
    leader = etcd_cluster.leader()
    survivors = [m for m in etcd_cluster.members if m is not leader]
    state = {"counter": 0, "inside": 0, "overlaps": 0, "errors": 0}
    workers, rounds = 4, 6

    async def work(index: int) -> None:
        member = survivors[index % len(survivors)]
        async with etcd3.async_client(member.host, member.port, timeout=5) as client:
            lock = AsyncLock("killed", 5, client, prefix=b"/t/killed/")
            done = 0
            until = time.monotonic() + 60
            while done < rounds and time.monotonic() < until:
                try:
                    if not await lock.acquire(20):
                        continue
                except EtcdError:
                    state["errors"] += 1
                    await sleep(0.2)
                    continue
                state["inside"] += 1
                if state["inside"] != 1:
                    state["overlaps"] += 1
                seen = state["counter"]
                await sleep(0.02)
                state["counter"] = seen + 1
                state["inside"] -= 1
                done += 1
                try:
                    await lock.release()
                except EtcdError:
                    state["errors"] += 1  # the key goes with the revoked or expiring lease

    jobs = [spawn(functools.partial(work, i), name=f"worker-{i}") for i in range(workers)]
    while state["counter"] < 3:
        await sleep(0.01)
    etcd_cluster.kill(leader)
    await join_workers(jobs, 90)
    assert state["overlaps"] == 0
    assert state["counter"] == workers * rounds
