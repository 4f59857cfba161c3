"""Every Maintenance RPC (Snapshot is a server stream) through the generated stubs, sync and async.

Alarms, compaction, defragmentation and leader moves change the whole cluster, so each run
gets a private 3-member cluster.
"""

from __future__ import annotations

import hashlib
import re

import grpc
import pytest
from rpc_recording import MODES, Mode, Recording, Rpc, connect, drain, resolve
from server_features import has

from etcd3.errors import (
    BadLeaderTransfereeError,
    InvalidDowngradeTargetVersionError,
    NoInflightDowngradeError,
    NoSpaceError,
    NotLeaderError,
    UnimplementedError,
    WrongDowngradeVersionFormatError,
)
from etcd3.rpc.etcdserverpb import AlarmAction, AlarmType, DowngradeAction
from etcd3.rpc.txn import op_put
from etcd3.testing import EtcdCluster, EtcdFactory, EtcdMember

pytestmark = [pytest.mark.parametrize("mode", MODES), pytest.mark.cluster]

BBOLT_MAGIC = 0xED0CDAED
"""bbolt's meta page magic, right after the 16-byte page header of a database file."""


async def status_and_alarms(rpc: Rpc, member: EtcdMember, leader: EtcdMember) -> None:
    status = await resolve(rpc.maintenance.status())
    assert re.fullmatch(r"3\.\d+\.\d+", status.version)
    assert status.header.member_id == member.member_id
    assert status.leader == leader.member_id
    assert (status.isLearner, list(status.errors)) == (False, [])
    assert status.dbSize >= status.dbSizeInUse > 0
    assert status.raftIndex >= status.raftAppliedIndex > 0

    assert list((await resolve(rpc.maintenance.alarm(action=AlarmAction.GET))).alarms) == []
    raised = await resolve(
        rpc.maintenance.alarm(
            action=AlarmAction.ACTIVATE, memberID=member.member_id, alarm=AlarmType.NOSPACE
        )
    )
    assert [(a.memberID, a.alarm) for a in raised.alarms] == [(member.member_id, AlarmType.NOSPACE)]
    listed = await resolve(rpc.maintenance.alarm(action=AlarmAction.GET))
    assert [(a.memberID, a.alarm) for a in listed.alarms] == [(member.member_id, AlarmType.NOSPACE)]
    # The NOSPACE alarm makes the cluster refuse writes with the typed error.
    with pytest.raises(NoSpaceError) as info:
        await resolve(rpc.kv.put(key=b"alarmed", value=b"v"))
    assert info.value.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    cleared = await resolve(
        rpc.maintenance.alarm(
            action=AlarmAction.DEACTIVATE, memberID=member.member_id, alarm=AlarmType.NOSPACE
        )
    )
    assert [(a.memberID, a.alarm) for a in cleared.alarms] == [
        (member.member_id, AlarmType.NOSPACE)
    ]
    assert list((await resolve(rpc.maintenance.alarm(action=AlarmAction.GET))).alarms) == []
    await resolve(rpc.kv.put(key=b"alarmed", value=b"v"))  # writes work again


async def defragment(rpc: Rpc) -> None:
    # About 1 MiB of values, then deleted and compacted: the space stays allocated in the file
    # until a defragmentation gives it back.
    for batch in range(8):
        ops = [op_put(key=b"bulk/%d/%03d" % (batch, i), value=bytes(1024)) for i in range(128)]
        await resolve(rpc.kv.txn(success=ops))
    deleted = await resolve(rpc.kv.delete_range(key=b"bulk/", range_end=b"bulk0"))
    assert deleted.deleted == 8 * 128
    await resolve(rpc.kv.compact(revision=deleted.header.revision, physical=True))
    before = await resolve(rpc.maintenance.status())
    assert before.dbSize > 1024 * 1024

    await resolve(rpc.maintenance.defragment(timeout=30))  # an empty response (no header)
    after = await resolve(rpc.maintenance.status())
    assert after.dbSize < before.dbSize // 2


async def hashes(rpcs: list[Rpc]) -> None:
    put = await resolve(rpcs[0].kv.put(key=b"hashed", value=b"v"))
    revision = put.header.revision
    kv_hashes = []
    for rpc in rpcs:
        await resolve(rpc.kv.range(key=b"hashed"))  # linearizable: this member has applied it
        kv_hash = await resolve(rpc.maintenance.hash_kv(revision=revision))
        assert kv_hash.header.revision >= revision
        kv_hashes.append((kv_hash.hash, kv_hash.compact_revision))
    # The key-value history up to a revision is identical on every member.
    assert len(set(kv_hashes)) == 1
    assert kv_hashes[0][0] != 0

    first = await resolve(rpcs[0].maintenance.hash())
    again = await resolve(rpcs[0].maintenance.hash())
    assert first.hash == again.hash != 0  # no write in between: the same backend
    await resolve(rpcs[0].kv.put(key=b"hashed", value=b"changed"))
    assert (await resolve(rpcs[0].maintenance.hash())).hash != first.hash


async def snapshot(rpc: Rpc) -> None:
    chunks = await drain(rpc.maintenance.snapshot(timeout=30))
    *data_chunks, digest = chunks
    assert data_chunks
    database = b"".join(chunk.blob for chunk in data_chunks)
    # remaining_bytes counts down to 0 over the data chunks; a last chunk carries its SHA-256.
    sent = 0
    for chunk in data_chunks:
        sent += len(chunk.blob)
        assert chunk.remaining_bytes == len(database) - sent
    assert (digest.remaining_bytes, digest.blob) == (0, hashlib.sha256(database).digest())
    assert int.from_bytes(database[16:20], "little") == BBOLT_MAGIC


async def downgrade(rpc: Rpc) -> None:
    version = (await resolve(rpc.maintenance.status())).version
    if not has(version, "Downgrade"):
        with pytest.raises(UnimplementedError, match="Downgrade"):
            await resolve(rpc.maintenance.downgrade(action=DowngradeAction.VALIDATE, version="x"))
        return
    major, minor = (int(part) for part in version.split(".")[:2])
    allowed = f"{major}.{minor - 1}.0"  # one minor version down is the only allowed target
    validated = await resolve(
        rpc.maintenance.downgrade(action=DowngradeAction.VALIDATE, version=allowed)
    )
    assert validated.version == f"{major}.{minor}.0"  # the cluster version
    with pytest.raises(InvalidDowngradeTargetVersionError):
        await resolve(
            rpc.maintenance.downgrade(
                action=DowngradeAction.VALIDATE, version=f"{major}.{minor - 2}.0"
            )
        )
    with pytest.raises(WrongDowngradeVersionFormatError) as info:
        await resolve(rpc.maintenance.downgrade(action=DowngradeAction.VALIDATE, version="x"))
    assert info.value.code is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(NoInflightDowngradeError):
        await resolve(rpc.maintenance.downgrade(action=DowngradeAction.CANCEL))


async def move_leader(
    cluster: EtcdCluster, leader_rpc: Rpc, follower_rpc: Rpc, leader: EtcdMember
) -> None:
    target = next(member for member in cluster.members if member is not leader)
    # Only the leader can hand leadership over, and only to a member.
    with pytest.raises(NotLeaderError):
        await resolve(follower_rpc.maintenance.move_leader(targetID=target.member_id))
    with pytest.raises(BadLeaderTransfereeError):
        await resolve(leader_rpc.maintenance.move_leader(targetID=target.member_id ^ 1))
    await resolve(leader_rpc.maintenance.move_leader(targetID=target.member_id))  # empty response
    assert cluster.leader() is target
    status = await resolve(follower_rpc.maintenance.status())
    assert status.leader == target.member_id


async def test_maintenance_rpcs(mode: Mode, etcd_factory: EtcdFactory) -> None:
    cluster = etcd_factory.cluster(3)
    cluster.wait_cluster_version()  # Downgrade validates against it
    leader = cluster.leader()
    follower = next(member for member in cluster.members if member is not leader)
    recording = Recording()
    async with (
        connect(mode, cluster.members[0].endpoint, recording) as rpc0,
        connect(mode, cluster.members[1].endpoint, recording) as rpc1,
        connect(mode, cluster.members[2].endpoint, recording) as rpc2,
        connect(mode, leader.endpoint, recording) as leader_rpc,
        connect(mode, follower.endpoint, recording) as follower_rpc,
    ):
        await status_and_alarms(follower_rpc, follower, leader)
        await defragment(rpc0)
        await hashes([rpc0, rpc1, rpc2])
        await snapshot(rpc1)
        await downgrade(rpc2)
        await move_leader(cluster, leader_rpc, follower_rpc, leader)
    recording.assert_covers("etcdserverpb.Maintenance")
