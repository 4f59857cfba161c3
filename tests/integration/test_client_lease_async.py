# async-to-sync: source
"""Leases through the friendly client: grant, live reads, refresh, revoke, context manager,
automatic keep-alive."""

from __future__ import annotations

import random

import pytest

import etcd3
from etcd3._acompat import sleep
from etcd3._client_async import AsyncEtcd3Client
from etcd3._lease_async import AsyncLease
from etcd3.errors import (
    ConnectionClosedError,
    ConnectionTimeoutError,
    LeaseExistsError,
    LeaseNotFoundError,
)
from etcd3.rpc.etcdserverpb import LeaseKeepAliveResponse, LeaseTimeToLiveResponse
from etcd3.testing import EtcdFactory, EtcdServer


async def test_lease_grant_and_live_reads(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    lease = await async_client.lease(30)
    assert isinstance(lease, AsyncLease)
    assert lease.id > 0
    assert lease.ttl == 30
    assert 0 < await lease.remaining_ttl <= 30
    assert await lease.granted_ttl == 30
    assert await lease.keys == ()

    await async_client.put(prefix + b"b", b"1", lease=lease)
    await async_client.put(prefix + b"a", b"2", lease=lease.id)
    assert sorted(await lease.keys) == [prefix + b"a", prefix + b"b"]
    info = await async_client.get_lease_info(lease.id)
    assert isinstance(info, LeaseTimeToLiveResponse)
    assert (info.ID, info.grantedTTL, sorted(info.keys)) == (
        lease.id,
        30,
        [prefix + b"a", prefix + b"b"],
    )
    assert list((await async_client.get_lease_info(lease.id, keys=False)).keys) == []
    assert lease.id in [status.ID for status in (await async_client.leases()).leases]

    await lease.revoke()
    # Revoking deletes the attached keys; the lease reads as expired from now on.
    assert await async_client.get(prefix + b"a") == (None, None)
    assert await async_client.get(prefix + b"b") == (None, None)
    assert await lease.remaining_ttl == -1
    assert lease.id not in [status.ID for status in (await async_client.leases()).leases]
    # etcd's text names no lease: the error names the one the call was about.
    with pytest.raises(LeaseNotFoundError) as revoked:
        await lease.revoke()
    assert revoked.value.lease_id == lease.id
    assert str(revoked.value) == (
        f"lease {lease.id:#x} not found: it expired, was revoked or was never granted "
        "(etcdserver: requested lease not found)"
    )
    assert revoked.value.details == "etcdserver: requested lease not found"
    with pytest.raises(LeaseNotFoundError):
        await async_client.revoke_lease(lease.id)
    with pytest.raises(LeaseNotFoundError) as put:
        await async_client.put(prefix + b"c", b"v", lease=lease)
    assert put.value.lease_id == lease.id
    assert f"lease {lease.id:#x} not found" in str(put.value)


async def test_lease_with_chosen_id(async_client: AsyncEtcd3Client) -> None:
    wanted = random.randrange(1 << 40, 1 << 62)
    lease = await async_client.lease(20, lease_id=wanted)
    try:
        assert (lease.id, lease.ttl) == (wanted, 20)
        assert repr(lease) == f"<{type(lease).__name__} id={wanted:#x} ttl=20>"
        with pytest.raises(LeaseExistsError):
            await async_client.lease(20, wanted)
    finally:
        await async_client.revoke_lease(wanted)


async def test_refresh(async_client: AsyncEtcd3Client) -> None:
    lease = await async_client.lease(25)
    responses = [response async for response in async_client.refresh_lease(lease.id)]
    assert len(responses) == 1
    assert isinstance(responses[0], LeaseKeepAliveResponse)
    assert lease.id == responses[0].ID
    assert responses[0].TTL == 25

    refreshed = await lease.refresh(timeout_override=5)
    assert lease.id == refreshed.ID
    assert refreshed.TTL == 25
    await lease.revoke()

    # etcd answers TTL 0 for a revoked or unknown lease: the client raises instead.
    with pytest.raises(LeaseNotFoundError) as info:
        await lease.refresh()
    assert "lease not found" in str(info.value)
    assert f"lease {lease.id:#x} not found" in str(info.value)
    assert info.value.lease_id == lease.id
    with pytest.raises(LeaseNotFoundError):
        async for _ in async_client.refresh_lease(lease.id):
            pass
    with pytest.raises(LeaseNotFoundError):
        async for _ in async_client.refresh_lease(random.randrange(1 << 40, 1 << 62)):
            pass


async def test_refresh_of_expired_lease_raises(async_client: AsyncEtcd3Client) -> None:
    lease = await async_client.lease(1)
    remaining = await lease.remaining_ttl
    for _ in range(60):  # expiry is checked every 500 ms on the server
        if remaining == -1:
            break
        await sleep(0.1)
        remaining = await lease.remaining_ttl
    assert remaining == -1
    with pytest.raises(LeaseNotFoundError):
        async for _ in async_client.refresh_lease(lease.id):
            pass


async def test_context_manager_revokes(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    async with await async_client.lease(30) as lease:
        await async_client.put(prefix + b"k", b"v", lease=lease)
        assert await lease.keys == (prefix + b"k",)
    assert await lease.remaining_ttl == -1
    assert await async_client.get(prefix + b"k") == (None, None)

    # Revoked inside the block already: leaving it is quiet.
    async with await async_client.lease(30) as other:
        await other.revoke()
    assert await other.remaining_ttl == -1


async def test_stream_deadline(async_client: AsyncEtcd3Client) -> None:
    lease = await async_client.lease(20)
    try:
        with pytest.raises(ConnectionTimeoutError):
            async for _ in async_client.refresh_lease(lease.id, timeout_override=0):
                pass
        with pytest.raises(ConnectionTimeoutError):
            await lease.refresh(timeout_override=0)
        with pytest.raises(ConnectionTimeoutError):
            await async_client.get_lease_info(lease.id, timeout_override=0)
    finally:
        await lease.revoke()


async def test_bad_arguments_raise_before_any_call(async_client: AsyncEtcd3Client) -> None:
    with pytest.raises(ValueError, match="ttl"):
        await async_client.lease(0)
    with pytest.raises(ValueError, match="ttl"):
        await async_client.lease(-5)
    with pytest.raises(TypeError, match="ttl"):
        await async_client.lease("10")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ttl"):
        await async_client.lease(True)
    with pytest.raises(ValueError, match="lease_id"):
        await async_client.lease(10, lease_id=0)
    with pytest.raises(ValueError, match="lease_id"):
        await async_client.revoke_lease(-1)
    with pytest.raises(TypeError, match="lease_id"):
        await async_client.get_lease_info(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="keys"):
        await async_client.get_lease_info(1, keys="yes")  # type: ignore[arg-type]
    # A generator method checks its arguments when called, before any iteration.
    with pytest.raises(TypeError, match="lease_id"):
        async_client.refresh_lease("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout_override"):
        async_client.refresh_lease(1, timeout_override=-1)
    with pytest.raises(ValueError, match="no etcd_client"):
        await AsyncLease(1, 10).refresh()


async def test_automatic_keep_alive(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    lease = await async_client.lease(2, keep_alive=True)
    other = await async_client.lease(2)
    other.start_keep_alive()
    await async_client.put(prefix + b"kept", b"v", lease=lease)
    await sleep(3)  # longer than the TTL: only renewals keep the leases
    assert await lease.remaining_ttl > 0
    assert await other.remaining_ttl > 0
    assert (lease.lost, other.lost) == (False, False)
    assert await lease.wait_lost(timeout=0.01) is False

    await other.revoke()  # stops its keep-alive first
    assert await other.remaining_ttl == -1
    lease.stop_keep_alive()
    lease.stop_keep_alive()  # idempotent
    # Still the lease's own TTL until it expires; nobody renews it any more.
    assert 0 < await lease.remaining_ttl <= 2
    await lease.revoke()
    assert await async_client.get(prefix + b"kept") == (None, None)


async def test_keep_alive_reports_a_lease_revoked_elsewhere(
    async_client: AsyncEtcd3Client,
) -> None:
    lease = await async_client.lease(2, keep_alive=True)
    await async_client.revoke_lease(lease.id)  # behind the keep-alive's back
    # The next renewal's answer (TTL 0) marks it lost.
    assert await lease.wait_lost(timeout=5) is True
    assert lease.lost is True
    with pytest.raises(ValueError, match="not kept alive"):
        await (await async_client.lease(5)).wait_lost()


async def test_keep_alive_loses_a_lease_when_renewals_fail(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=10) as c:
        lease = await c.lease(2, keep_alive=True)
        server.pause()
        try:
            # No answer for a whole TTL: lost, even though the server never said so.
            assert await lease.wait_lost(timeout=6) is True
        finally:
            server.resume()


async def test_close_stops_keep_alive(etcd_server: EtcdServer) -> None:
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=10) as c:
        lease = await c.lease(30, keep_alive=True)
        engine = c._keep_alive
        assert engine is not None
        assert engine._workers
    # Every worker has ended: the sender and the stream's reader.
    assert engine._workers == []
    assert lease.lost is False
    with pytest.raises(ConnectionClosedError):
        lease.start_keep_alive()
