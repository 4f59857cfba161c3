"""Every Lease RPC (LeaseKeepAlive is a bidi stream) through the generated stubs, sync and async."""

from __future__ import annotations

import secrets

import grpc
import pytest
from rpc_recording import MODES, Mode, Recording, Rpc, connect, drain, receive, resolve

from etcd3.errors import LeaseExistsError, LeaseNotFoundError
from etcd3.rpc.etcdserverpb import LeaseKeepAliveRequest
from etcd3.testing import EtcdServer

pytestmark = pytest.mark.parametrize("mode", MODES)

TTL = 60
"""Long enough never to expire during the test: expiry is not what is tested here."""


async def lease_lifecycle(rpc: Rpc, prefix: bytes) -> None:
    granted = await resolve(rpc.lease.lease_grant(TTL=TTL))
    lease_id = granted.ID
    assert lease_id != 0
    assert granted.TTL == TTL
    keys = [prefix + b"a", prefix + b"b"]
    for key in keys:
        await resolve(rpc.kv.put(key=key, value=b"v", lease=lease_id))
    attached = await resolve(rpc.kv.range(key=keys[0]))
    assert attached.kvs[0].lease == lease_id

    info = await resolve(rpc.lease.lease_time_to_live(ID=lease_id, keys=True))
    assert (info.ID, info.grantedTTL) == (lease_id, TTL)
    assert 0 < info.TTL <= TTL
    assert sorted(info.keys) == keys
    without_keys = await resolve(rpc.lease.lease_time_to_live(ID=lease_id))
    assert list(without_keys.keys) == []

    listed = await resolve(rpc.lease.lease_leases())
    assert lease_id in {lease.ID for lease in listed.leases}

    stream = rpc.lease.lease_keep_alive(timeout=10)
    try:
        for _ in range(2):
            await resolve(stream.send(LeaseKeepAliveRequest(ID=lease_id)))
            kept = await receive(stream)
            assert (lease_id, TTL) == (kept.ID, kept.TTL)  # the TTL starts over
        # A lease the server does not know is answered with TTL 0, not an error.
        await resolve(stream.send(LeaseKeepAliveRequest(ID=lease_id + 1)))
        unknown = await receive(stream)
        assert (lease_id + 1, 0) == (unknown.ID, unknown.TTL)
        await resolve(stream.done_writing())
        assert await drain(stream) == []  # the server ends the stream after our half-close
    finally:
        stream.cancel()

    revoked = await resolve(rpc.lease.lease_revoke(ID=lease_id))
    assert revoked.header.revision > attached.header.revision  # the keys' deletion
    gone = await resolve(rpc.kv.range(key=prefix, range_end=prefix[:-1] + b"0", count_only=True))
    assert gone.count == 0
    expired = await resolve(rpc.lease.lease_time_to_live(ID=lease_id))
    assert expired.TTL == -1
    listed = await resolve(rpc.lease.lease_leases())
    assert lease_id not in {lease.ID for lease in listed.leases}

    with pytest.raises(LeaseNotFoundError) as info_err:
        await resolve(rpc.lease.lease_revoke(ID=lease_id))
    assert info_err.value.code is grpc.StatusCode.NOT_FOUND
    assert info_err.value.method == "/etcdserverpb.Lease/LeaseRevoke"


async def chosen_lease_id(rpc: Rpc) -> None:
    wanted = secrets.randbits(62) | 1  # positive int64, unique on the shared server
    granted = await resolve(rpc.lease.lease_grant(TTL=TTL, ID=wanted))
    assert wanted == granted.ID
    try:
        with pytest.raises(LeaseExistsError) as info:
            await resolve(rpc.lease.lease_grant(TTL=TTL, ID=wanted))
        assert info.value.code is grpc.StatusCode.FAILED_PRECONDITION
    finally:
        await resolve(rpc.lease.lease_revoke(ID=wanted))


async def test_lease_rpcs(
    mode: Mode, etcd_server: EtcdServer, request: pytest.FixtureRequest
) -> None:
    recording = Recording()
    prefix = f"/test_rpc_lease/{request.node.name}/".encode()
    async with connect(mode, etcd_server.endpoint, recording) as rpc:
        await lease_lifecycle(rpc, prefix)
        await chosen_lease_id(rpc)
    assert recording.outcomes("/etcdserverpb.Lease/LeaseRevoke") == [
        "ok",
        "LeaseNotFoundError",
        "ok",
    ]
    recording.assert_covers("etcdserverpb.Lease")
