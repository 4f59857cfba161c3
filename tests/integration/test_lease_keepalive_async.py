# async-to-sync: source
"""Automatic lease keep-alive under failures on real etcd: member restart and loss, a paused
member, a lease revoked elsewhere (every lost signal), close() during an outage."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable

import pytest
from grpc_aio_poller import hold_grpc_aio_poller

import etcd3
from etcd3._acompat import ASYNC, join_workers, sleep, spawn
from etcd3._client_async import AsyncEtcd3Client
from etcd3._lease_async import AsyncLease
from etcd3.errors import ConnectionClosedError, EtcdError, LeaseLostError, LeaseNotFoundError
from etcd3.testing import EtcdCluster, EtcdFactory


def multi_client(endpoints: list[str]) -> AsyncEtcd3Client:
    """A client failing over between ``endpoints``."""
    return etcd3.async_client(endpoints=endpoints, timeout=5)


async def remaining_ttl(client: AsyncEtcd3Client, lease_id: int) -> int:
    """The lease's TTL as the cluster sees it, retried while members come and go."""
    until = time.monotonic() + 20
    while True:
        try:
            return (await client.get_lease_info(lease_id, keys=False)).TTL
        except EtcdError:
            assert time.monotonic() < until, "no member answered"
            await sleep(0.1)


async def test_keep_alive_survives_a_restart_of_its_member(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=5) as client:
        lease = await client.lease(3, keep_alive=True)
        await client.put(b"/kept", b"v", lease=lease)
        server.kill()
        await sleep(0.5)
        server.restart()
        await sleep(4)  # longer than the TTL: only renewals on the new stream keep it
        assert lease.lost is False
        assert await remaining_ttl(client, lease.id) > 0
        assert (await client.get(b"/kept"))[0] == b"v"
        lease.raise_if_lost()  # no error


async def test_keep_alive_survives_the_loss_of_the_leader(etcd_cluster: EtcdCluster) -> None:
    leader = etcd_cluster.leader()
    follower = etcd_cluster.followers()[0]
    async with etcd3.async_client(follower.host, follower.port, timeout=5) as client:
        lease = await client.lease(3, keep_alive=True)
        etcd_cluster.kill(leader)
        await sleep(4)  # renewals go through the follower to whoever leads now
        assert lease.lost is False
        assert await remaining_ttl(client, lease.id) > 0
        etcd_cluster.restart(leader)


async def test_keep_alive_moves_to_another_member_when_its_member_dies(
    etcd_cluster: EtcdCluster,
) -> None:
    async with multi_client(etcd_cluster.endpoints) as client:
        lease = await client.lease(3, keep_alive=True)
        in_use = client.endpoint_in_use
        victim = next(m for m in etcd_cluster.members if m.endpoint == in_use)
        etcd_cluster.kill(victim)
        await sleep(5)  # the member stays dead for longer than the TTL
        assert lease.lost is False
        assert await remaining_ttl(client, lease.id) > 0
        etcd_cluster.restart(victim)


async def test_keep_alive_moves_on_from_a_paused_member(etcd_cluster: EtcdCluster) -> None:
    async with multi_client(etcd_cluster.endpoints) as client:
        lease = await client.lease(3, keep_alive=True)
        in_use = client.endpoint_in_use
        victim = next(m for m in etcd_cluster.members if m.endpoint == in_use)
        etcd_cluster.pause(victim)
        try:
            # A renewal unanswered for 1 s re-opens the stream on another member.
            await sleep(5)
            assert lease.lost is False
            assert await remaining_ttl(client, lease.id) > 0
        finally:
            etcd_cluster.resume(victim)


async def test_every_lost_signal_when_the_lease_is_revoked_elsewhere(
    async_client: AsyncEtcd3Client,
) -> None:
    told: list[LeaseLostError] = []
    lease = await async_client.lease(3, keep_alive=True, on_lost=told.append)
    assert (lease.lost, lease.lost_error, lease.kept_alive) == (False, None, True)
    await async_client.revoke_lease(lease.id)  # behind the keep-alive's back
    assert await lease.wait_lost(timeout=5) is True
    error = lease.lost_error
    assert isinstance(error, LeaseLostError)
    assert isinstance(error, LeaseNotFoundError)
    assert (error.lease_id, lease.lost) == (lease.id, True)
    assert not lease.kept_alive
    assert "revoked" in str(error)
    assert told == [error]  # called once
    # Using the lost lease raises the same error, before any RPC.
    with pytest.raises(LeaseLostError) as info:
        await lease.refresh()
    assert info.value is error
    with pytest.raises(LeaseLostError):
        lease.start_keep_alive()
    with pytest.raises(LeaseLostError):
        lease.raise_if_lost()


async def test_lost_after_a_ttl_without_renewal(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=5) as client:
        told: list[LeaseLostError] = []
        lease = await client.lease(2, keep_alive=True)
        lease.start_keep_alive(on_lost=told.append)  # idempotent; sets the callback
        started = time.monotonic()
        server.pause()
        try:
            assert await lease.wait_lost(timeout=6) is True
            # Counted from the last renewal that was answered: within about one TTL.
            assert time.monotonic() - started < 2.5
        finally:
            server.resume()
        assert len(told) == 1
        assert "TTL" in str(told[0])
        assert told[0].lease_id == lease.id


async def test_on_lost_callback_failures_are_logged(
    async_client: AsyncEtcd3Client, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(error: LeaseLostError) -> None:
        raise RuntimeError("callback bug")

    lease = await async_client.lease(3, keep_alive=True, on_lost=explode)
    other = await async_client.lease(3, keep_alive=True)  # keeps working
    await async_client.revoke_lease(lease.id)
    assert await lease.wait_lost(timeout=5) is True
    until = time.monotonic() + 5
    while not any("on_lost" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < until
        await sleep(0.02)
    await sleep(1.5)
    assert other.lost is False
    await other.revoke()
    if ASYNC:
        awaited: list[int] = []

        async def note(error: LeaseLostError) -> None:
            awaited.append(error.lease_id)

        third = await async_client.lease(3, keep_alive=True, on_lost=note)
        await async_client.revoke_lease(third.id)
        assert await third.wait_lost(timeout=5) is True
        until = time.monotonic() + 5
        while not awaited:
            assert time.monotonic() < until
            await sleep(0.02)
        assert awaited == [third.id]


async def record(results: list[bool], wait: Awaitable[bool]) -> None:
    results.append(await wait)


async def blocked_in_wait_lost(lease: AsyncLease) -> None:
    """Return once a task (thread) waits on the lease's loss event, not merely was started."""
    event = lease._lost
    assert event is not None
    # The waiters of an asyncio.Event, or of the condition inside a threading.Event.
    waiting = getattr(event, "_waiters", None)
    if waiting is None:
        waiting = getattr(event, "_cond")._waiters  # noqa: B009
    until = time.monotonic() + 5
    while not waiting:
        assert time.monotonic() < until, "the waiter never blocked"
        await sleep(0.01)


async def test_stopping_keep_alive_ends_every_wait_for_a_loss(
    async_client: AsyncEtcd3Client,
) -> None:
    lease = await async_client.lease(5, keep_alive=True)
    waits: list[bool] = []
    waiter = spawn(lambda: record(waits, lease.wait_lost()), name="test-waiter")
    await blocked_in_wait_lost(lease)
    assert waits == []  # waiting: nothing is lost
    assert lease.kept_alive
    lease.stop_keep_alive()
    await join_workers([waiter], 5)
    assert waits == [False]
    assert lease.lost is False
    assert not lease.kept_alive
    started = time.monotonic()
    assert await lease.wait_lost() is False  # stopped: returns at once
    assert time.monotonic() - started < 1
    # Kept alive again: a wait lasts until its timeout, then revoke() ends the next one.
    lease.start_keep_alive()
    assert lease.kept_alive
    started = time.monotonic()
    assert await lease.wait_lost(timeout=0.3) is False
    assert time.monotonic() - started >= 0.3
    waiter = spawn(lambda: record(waits, lease.wait_lost()), name="test-waiter")
    await blocked_in_wait_lost(lease)
    assert waits == [False]
    await lease.revoke()
    await join_workers([waiter], 5)
    assert waits == [False, False]
    assert lease.lost is False  # revoked by its holder: not lost
    assert not lease.kept_alive


async def test_bad_on_lost_arguments(async_client: AsyncEtcd3Client) -> None:
    with pytest.raises(TypeError, match="on_lost"):
        await async_client.lease(3, keep_alive=True, on_lost="print")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="keep_alive"):
        await async_client.lease(3, on_lost=print)


async def test_keep_alive_first_started_after_close_is_refused(
    async_client: AsyncEtcd3Client,
) -> None:
    closing = etcd3.async_client(async_client.endpoint_in_use, timeout=10)
    lease = await closing.lease(30)  # not kept alive: the client has no keep-alive yet
    await closing.close()
    with pytest.raises(ConnectionClosedError):
        lease.start_keep_alive()
    assert closing._keep_alive is None  # nothing was started for it
    assert not lease.kept_alive
    await async_client.revoke_lease(lease.id)


async def test_close_during_an_outage_stops_keep_alive_quietly(
    etcd_factory: EtcdFactory, printed: Callable[[], tuple[str, str]]
) -> None:
    server = etcd_factory()
    if ASYNC:
        poller = hold_grpc_aio_poller()  # grpc's thread, in the baseline either way
    before = set(threading.enumerate())
    client = etcd3.async_client(server.host, server.port, timeout=5)
    told: list[LeaseLostError] = []
    leases = [await client.lease(2, keep_alive=True, on_lost=told.append) for _ in range(3)]
    engine = client._keep_alive
    assert engine is not None
    waits: list[bool] = []
    waiter = spawn(lambda: record(waits, leases[0].wait_lost()), name="test-waiter")
    await blocked_in_wait_lost(leases[0])
    server.kill()
    await sleep(1.0)  # renewals fail; the stream is re-opened with backoff
    started = time.monotonic()
    await client.close()
    assert time.monotonic() - started < 3
    assert engine._workers == []
    assert told == []  # stopped by close(): not lost
    assert [lease.lost for lease in leases] == [False, False, False]
    assert [lease.kept_alive for lease in leases] == [False, False, False]
    await join_workers([waiter], 5)
    assert waits == [False]  # the wait ended with the keep-alive
    assert [await lease.wait_lost() for lease in leases] == [False, False, False]
    # Started again on the closed client: refused, and still no wait hangs on it.
    with pytest.raises(ConnectionClosedError):
        leases[1].start_keep_alive()
    assert not leases[1].kept_alive
    assert await leases[1].wait_lost() is False
    if ASYNC:
        import asyncio

        assert [t for t in asyncio.all_tasks() if t.get_name().startswith("etcd3-")] == []
    until = time.monotonic() + 5
    while not set(threading.enumerate()) <= before:
        assert time.monotonic() < until
        await sleep(0.02)
    if ASYNC:
        await poller.close()
    assert printed() == ("", "")
