# async-to-sync: source
"""Sessions on a real etcd: lazy grant, keep-alive past the TTL, close revokes, lost signal."""

from __future__ import annotations

import pytest

from etcd3._acompat import sleep
from etcd3._client_async import AsyncEtcd3Client
from etcd3._concurrency_core import SessionLostError
from etcd3._lease_async import AsyncLease
from etcd3._session_async import AsyncSession
from etcd3.errors import LeaseLostError
from etcd3.testing import EtcdServer


async def test_session_keeps_its_lease_alive_until_closed(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    session = AsyncSession(async_client, 2)
    assert (session.ttl, session.lost, session.closed) == (2, False, False)
    with pytest.raises(ValueError, match=r"^<AsyncSession ttl=2 not granted> has no lease yet"):
        _ = session.lease
    with pytest.raises(ValueError, match="no lease yet"):
        await session.wait_lost(0)

    lease = await session.open()
    assert isinstance(lease, AsyncLease)
    assert session.lease is lease
    assert await session.open() is lease  # granted once
    await async_client.put(prefix + b"k", b"v", lease=lease)
    await sleep(3)  # longer than the TTL: only the keep-alive keeps the key
    assert (await async_client.get(prefix + b"k"))[0] == b"v"
    assert await session.wait_lost(0) is False

    await session.close()
    assert session.closed
    assert not session.lost
    assert await async_client.get(prefix + b"k") == (None, None)
    assert (await async_client.get_lease_info(lease.id, keys=False)).TTL == -1
    await session.close()  # idempotent
    with pytest.raises(SessionLostError, match="closed"):
        await session.open()


async def test_session_context_manager(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    async with AsyncSession(async_client, 10) as session:
        lease = session.lease
        assert 0 < await lease.remaining_ttl <= 10
    assert session.closed
    assert await lease.remaining_ttl == -1


async def test_session_lost_signals(async_client: AsyncEtcd3Client) -> None:
    calls: list[LeaseLostError] = []
    session = AsyncSession(async_client, 3, on_lost=calls.append)
    lease = await session.open()
    await async_client.revoke_lease(lease.id)  # revoked elsewhere
    assert await session.wait_lost(10) is True
    assert session.lost
    assert len(calls) == 1
    assert calls[0].lease_id == lease.id
    with pytest.raises(SessionLostError) as caught:
        await session.open()
    assert isinstance(caught.value, LeaseLostError)
    assert caught.value.__cause__ is calls[0]
    await session.close()  # the lease is gone already: fine


async def test_session_rejects_bad_arguments(async_client: AsyncEtcd3Client) -> None:
    with pytest.raises(ValueError, match="ttl"):
        AsyncSession(async_client, 0)
    with pytest.raises(TypeError, match="ttl"):
        AsyncSession(async_client, "60")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_lost"):
        AsyncSession(async_client, on_lost=42)  # type: ignore[arg-type]


async def test_client_session_entry_point(etcd_server: EtcdServer) -> None:
    async with AsyncEtcd3Client(etcd_server.host, etcd_server.port, timeout=10) as client:
        session = client.session(7)
        assert isinstance(session, AsyncSession)
        assert session.client is client
        with pytest.raises(ValueError, match="no lease yet"):
            _ = session.lease  # nothing granted before use
        async with session:
            lease = session.lease
            assert await lease.granted_ttl == 7
        assert await lease.remaining_ttl == -1
