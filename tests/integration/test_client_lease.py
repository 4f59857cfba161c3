# Generated from tests/integration/test_client_lease_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""Leases through the friendly client: grant, live reads, refresh, revoke, context manager,
automatic keep-alive."""

from __future__ import annotations

import random

import pytest

import etcd3
from etcd3._client import Etcd3Client
from etcd3._compat import sleep
from etcd3._lease import Lease
from etcd3.errors import (
    ConnectionClosedError,
    ConnectionTimeoutError,
    LeaseExistsError,
    LeaseNotFoundError,
)
from etcd3.rpc.etcdserverpb import LeaseKeepAliveResponse, LeaseTimeToLiveResponse
from etcd3.testing import EtcdFactory, EtcdServer


def test_lease_grant_and_live_reads(client: Etcd3Client, prefix: bytes) -> None:
    lease = client.lease(30)
    assert isinstance(lease, Lease)
    assert lease.id > 0
    assert lease.ttl == 30
    assert 0 < lease.remaining_ttl <= 30
    assert lease.granted_ttl == 30
    assert lease.keys == ()

    client.put(prefix + b"b", b"1", lease=lease)
    client.put(prefix + b"a", b"2", lease=lease.id)
    assert sorted(lease.keys) == [prefix + b"a", prefix + b"b"]
    info = client.get_lease_info(lease.id)
    assert isinstance(info, LeaseTimeToLiveResponse)
    assert (info.ID, info.grantedTTL, sorted(info.keys)) == (
        lease.id,
        30,
        [prefix + b"a", prefix + b"b"],
    )
    assert list((client.get_lease_info(lease.id, keys=False)).keys) == []
    assert lease.id in [status.ID for status in (client.leases()).leases]

    lease.revoke()
    # Revoking deletes the attached keys; the lease reads as expired from now on.
    assert client.get(prefix + b"a") == (None, None)
    assert client.get(prefix + b"b") == (None, None)
    assert lease.remaining_ttl == -1
    assert lease.id not in [status.ID for status in (client.leases()).leases]
    with pytest.raises(LeaseNotFoundError):
        lease.revoke()
    with pytest.raises(LeaseNotFoundError):
        client.revoke_lease(lease.id)


def test_lease_with_chosen_id(client: Etcd3Client) -> None:
    wanted = random.randrange(1 << 40, 1 << 62)
    lease = client.lease(20, lease_id=wanted)
    try:
        assert (lease.id, lease.ttl) == (wanted, 20)
        assert repr(lease) == f"<{type(lease).__name__} id={wanted:#x} ttl=20>"
        with pytest.raises(LeaseExistsError):
            client.lease(20, wanted)
    finally:
        client.revoke_lease(wanted)


def test_refresh(client: Etcd3Client) -> None:
    lease = client.lease(25)
    responses = [response for response in client.refresh_lease(lease.id)]
    assert len(responses) == 1
    assert isinstance(responses[0], LeaseKeepAliveResponse)
    assert lease.id == responses[0].ID
    assert responses[0].TTL == 25

    refreshed = lease.refresh(timeout_override=5)
    assert lease.id == refreshed.ID
    assert refreshed.TTL == 25
    lease.revoke()

    # etcd answers TTL 0 for a revoked or unknown lease: the client raises instead.
    with pytest.raises(LeaseNotFoundError) as info:
        lease.refresh()
    assert "lease not found" in str(info.value)
    with pytest.raises(LeaseNotFoundError):
        for _ in client.refresh_lease(lease.id):
            pass
    with pytest.raises(LeaseNotFoundError):
        for _ in client.refresh_lease(random.randrange(1 << 40, 1 << 62)):
            pass


def test_refresh_of_expired_lease_raises(client: Etcd3Client) -> None:
    lease = client.lease(1)
    remaining = lease.remaining_ttl
    for _ in range(60):  # expiry is checked every 500 ms on the server
        if remaining == -1:
            break
        sleep(0.1)
        remaining = lease.remaining_ttl
    assert remaining == -1
    with pytest.raises(LeaseNotFoundError):
        for _ in client.refresh_lease(lease.id):
            pass


def test_context_manager_revokes(client: Etcd3Client, prefix: bytes) -> None:
    with client.lease(30) as lease:
        client.put(prefix + b"k", b"v", lease=lease)
        assert lease.keys == (prefix + b"k",)
    assert lease.remaining_ttl == -1
    assert client.get(prefix + b"k") == (None, None)

    # Revoked inside the block already: leaving it is quiet.
    with client.lease(30) as other:
        other.revoke()
    assert other.remaining_ttl == -1


def test_stream_deadline(client: Etcd3Client) -> None:
    lease = client.lease(20)
    try:
        with pytest.raises(ConnectionTimeoutError):
            for _ in client.refresh_lease(lease.id, timeout_override=0):
                pass
        with pytest.raises(ConnectionTimeoutError):
            lease.refresh(timeout_override=0)
        with pytest.raises(ConnectionTimeoutError):
            client.get_lease_info(lease.id, timeout_override=0)
    finally:
        lease.revoke()


def test_bad_arguments_raise_before_any_call(client: Etcd3Client) -> None:
    with pytest.raises(ValueError, match="ttl"):
        client.lease(0)
    with pytest.raises(ValueError, match="ttl"):
        client.lease(-5)
    with pytest.raises(TypeError, match="ttl"):
        client.lease("10")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ttl"):
        client.lease(True)
    with pytest.raises(ValueError, match="lease_id"):
        client.lease(10, lease_id=0)
    with pytest.raises(ValueError, match="lease_id"):
        client.revoke_lease(-1)
    with pytest.raises(TypeError, match="lease_id"):
        client.get_lease_info(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="keys"):
        client.get_lease_info(1, keys="yes")  # type: ignore[arg-type]
    # A generator method checks its arguments when called, before any iteration.
    with pytest.raises(TypeError, match="lease_id"):
        client.refresh_lease("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout_override"):
        client.refresh_lease(1, timeout_override=-1)
    with pytest.raises(ValueError, match="no etcd_client"):
        Lease(1, 10).refresh()


def test_automatic_keep_alive(client: Etcd3Client, prefix: bytes) -> None:
    lease = client.lease(2, keep_alive=True)
    other = client.lease(2)
    other.start_keep_alive()
    client.put(prefix + b"kept", b"v", lease=lease)
    sleep(3)  # longer than the TTL: only renewals keep the leases
    assert lease.remaining_ttl > 0
    assert other.remaining_ttl > 0
    assert (lease.lost, other.lost) == (False, False)
    assert lease.wait_lost(timeout=0.01) is False

    other.revoke()  # stops its keep-alive first
    assert other.remaining_ttl == -1
    lease.stop_keep_alive()
    lease.stop_keep_alive()  # idempotent
    # Still the lease's own TTL until it expires; nobody renews it any more.
    assert 0 < lease.remaining_ttl <= 2
    lease.revoke()
    assert client.get(prefix + b"kept") == (None, None)


def test_keep_alive_reports_a_lease_revoked_elsewhere(
    client: Etcd3Client,
) -> None:
    lease = client.lease(2, keep_alive=True)
    client.revoke_lease(lease.id)  # behind the keep-alive's back
    # The next renewal's answer (TTL 0) marks it lost.
    assert lease.wait_lost(timeout=5) is True
    assert lease.lost is True
    with pytest.raises(ValueError, match="not kept alive"):
        (client.lease(5)).wait_lost()


def test_keep_alive_loses_a_lease_when_renewals_fail(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    with etcd3.client(server.host, server.port, timeout=10) as c:
        lease = c.lease(2, keep_alive=True)
        server.pause()
        try:
            # No answer for a whole TTL: lost, even though the server never said so.
            assert lease.wait_lost(timeout=6) is True
        finally:
            server.resume()


def test_close_stops_keep_alive(etcd_server: EtcdServer) -> None:
    with etcd3.client(etcd_server.host, etcd_server.port, timeout=10) as c:
        lease = c.lease(30, keep_alive=True)
        engine = c._keep_alive
        assert engine is not None
        assert engine._workers
    # Every worker has ended: the sender and the stream's reader.
    assert engine._workers == []
    assert lease.lost is False
    with pytest.raises(ConnectionClosedError):
        lease.start_keep_alive()
