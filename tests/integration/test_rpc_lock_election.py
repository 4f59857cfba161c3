"""Every Lock and Election RPC (Observe is a server stream) through the generated stubs."""

from __future__ import annotations

import grpc
import pytest
from rpc_recording import MODES, Mode, Recording, Rpc, connect, drain, receive, resolve

from etcd3.errors import ConnectionTimeoutError, ElectionNoLeaderError, ElectionNotLeaderError
from etcd3.testing import EtcdServer

pytestmark = pytest.mark.parametrize("mode", MODES)

LEASE_TTL = 30
BLOCKED = 0.3
"""Deadline of a call expected to block behind a holder: its expiry proves it waited."""


async def lock_unlock(rpc: Rpc, prefix: bytes) -> None:
    name = prefix + b"lock"
    first_lease = (await resolve(rpc.lease.lease_grant(TTL=LEASE_TTL))).ID
    second_lease = (await resolve(rpc.lease.lease_grant(TTL=LEASE_TTL))).ID
    try:
        held = await resolve(rpc.lock.lock(name=name, lease=first_lease))
        # The lock is a key under the name, owned by the lease.
        assert held.key.startswith(name + b"/")
        owner = await resolve(rpc.kv.range(key=held.key))
        assert [kv.lease for kv in owner.kvs] == [first_lease]

        # Mutual exclusion: a second locker waits for as long as the holder holds. (Whether
        # the client's deadline or the server's "context deadline exceeded" fires first, both
        # map to ConnectionTimeoutError.)
        with pytest.raises(ConnectionTimeoutError) as waited:
            await resolve(rpc.lock.lock(name=name, lease=second_lease, timeout=BLOCKED))
        assert waited.value.code in {grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNKNOWN}

        released = await resolve(rpc.lock.unlock(key=held.key))
        assert released.header.revision > held.header.revision
        assert (await resolve(rpc.kv.range(key=held.key))).count == 0
        taken = await resolve(rpc.lock.lock(name=name, lease=second_lease))
        assert taken.key != held.key
        assert taken.key.startswith(name + b"/")
        await resolve(rpc.lock.unlock(key=taken.key))
    finally:
        for lease in (first_lease, second_lease):
            await resolve(rpc.lease.lease_revoke(ID=lease))


async def election(rpc: Rpc, prefix: bytes) -> None:
    name = prefix + b"election"
    first_lease = (await resolve(rpc.lease.lease_grant(TTL=LEASE_TTL))).ID
    second_lease = (await resolve(rpc.lease.lease_grant(TTL=LEASE_TTL))).ID
    observer = None
    try:
        won = await resolve(rpc.election.campaign(name=name, lease=first_lease, value=b"one"))
        leader = won.leader
        assert (leader.name, leader.lease) == (name, first_lease)
        assert leader.key.startswith(name + b"/")
        current = await resolve(rpc.election.leader(name=name))
        assert (current.kv.key, current.kv.value) == (leader.key, b"one")

        observer = rpc.election.observe(name=name, timeout=10)
        assert (await receive(observer)).kv.value == b"one"  # the current leader first

        await resolve(rpc.election.proclaim(leader=leader, value=b"two"))
        proclaimed = await receive(observer)
        assert (proclaimed.kv.key, proclaimed.kv.value) == (leader.key, b"two")
        assert (await resolve(rpc.election.leader(name=name))).kv.value == b"two"

        # A second candidate waits while the first leads.
        with pytest.raises(ConnectionTimeoutError):
            await resolve(
                rpc.election.campaign(
                    name=name, lease=second_lease, value=b"three", timeout=BLOCKED
                )
            )

        await resolve(rpc.election.resign(leader=leader))
        # etcd answers these with untranslated errors (gRPC UNKNOWN); the table types them.
        with pytest.raises(ElectionNoLeaderError, match="election: no leader"):
            await resolve(rpc.election.leader(name=name))
        with pytest.raises(ElectionNotLeaderError, match="election: not leader"):
            await resolve(rpc.election.proclaim(leader=leader, value=b"stale"))

        successor = await resolve(
            rpc.election.campaign(name=name, lease=second_lease, value=b"three")
        )
        assert successor.leader.key != leader.key
        observed = await receive(observer)
        assert (observed.kv.key, observed.kv.value) == (successor.leader.key, b"three")
        await resolve(rpc.election.resign(leader=successor.leader))
    finally:
        if observer is not None:
            observer.cancel()
        for lease in (first_lease, second_lease):
            await resolve(rpc.lease.lease_revoke(ID=lease))
    assert await drain(observer) == []  # cancelled: iteration ends quietly


async def test_lock_and_election_rpcs(
    mode: Mode, etcd_server: EtcdServer, request: pytest.FixtureRequest
) -> None:
    recording = Recording()
    prefix = f"/test_rpc_lock_election/{request.node.name}/".encode()
    async with connect(mode, etcd_server.endpoint, recording) as rpc:
        await lock_unlock(rpc, prefix)
        await election(rpc, prefix)
    assert recording.outcomes("/v3lockpb.Lock/Lock") == ["ok", "ConnectionTimeoutError", "ok"]
    recording.assert_covers("v3lockpb.Lock", "v3electionpb.Election")
