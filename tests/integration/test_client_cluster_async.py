# async-to-sync: source
"""Members, status, alarms and maintenance through the friendly client.

Reads run on the shared server; anything that changes a whole cluster (membership, alarms,
defragmentation, leadership) gets a private server or cluster.
"""

from __future__ import annotations

import hashlib
import io
import re

import pytest

import etcd3
from etcd3._client_async import AsyncEtcd3Client
from etcd3._cluster_views import Alarm, AlarmType, Member, Status
from etcd3.errors import (
    BadLeaderTransfereeError,
    ConnectionTimeoutError,
    LearnerNotReadyError,
    MemberExistsError,
    MemberNotFoundError,
    NoSpaceError,
    NotLeaderError,
    PeerURLExistsError,
)
from etcd3.rpc.etcdserverpb import DefragmentResponse, HashKVResponse
from etcd3.testing import EtcdFactory, EtcdServer
from etcd3.testing._member import free_ports

BBOLT_MAGIC = 0xED0CDAED
"""bbolt's meta page magic, right after the 16-byte page header of a database file."""


def unused_peer_urls(count: int) -> list[str]:
    """Loopback URLs on ports nobody listens on: members added there never start."""
    return [f"http://127.0.0.1:{port}" for port in free_ports(count)]


class ChunkRecorder:
    """A snapshot sink that keeps each written chunk (``write`` is a coroutine in async)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, data: bytes) -> int:
        self.chunks.append(data)
        return len(data)


async def test_members(async_client: AsyncEtcd3Client, etcd_server: EtcdServer) -> None:
    members = [member async for member in async_client.members]
    assert len(members) == 1
    (member,) = members
    assert isinstance(member, Member)
    assert member.id != 0
    assert member.name == etcd_server.name
    assert member.peer_urls == (etcd_server.peer_url,)
    assert member.client_urls == (etcd_server.client_url,)
    assert member.is_learner is False
    assert [m async for m in async_client.get_members(timeout_override=5)] == members
    with pytest.raises(ConnectionTimeoutError):
        async for _ in async_client.get_members(timeout_override=0):
            pass


async def test_status(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    await async_client.put(prefix + b"k", b"v")
    (member,) = [member async for member in async_client.members]
    status = await async_client.status()
    assert isinstance(status, Status)
    assert re.fullmatch(r"3\.\d+\.\d+", status.version)
    assert status.member_id == member.id
    assert status.cluster_id != 0
    assert (status.leader_id, status.leader) == (member.id, member)
    assert status.db_size >= status.db_size_in_use > 0
    assert status.raft_index >= status.raft_applied_index > 0
    assert status.raft_term > 0
    assert (status.is_learner, status.errors) == (False, ())
    assert isinstance(status.storage_version, str)
    with pytest.raises(ConnectionTimeoutError):
        await async_client.status(timeout_override=0)


async def test_hashes(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    put = await async_client.put(prefix + b"hashed", b"v")
    revision = put.header.revision
    kv_hash = await async_client.hash_kv(revision)
    assert isinstance(kv_hash, HashKVResponse)
    assert kv_hash.hash != 0
    assert kv_hash.header.revision >= revision
    # The history up to a revision never changes: later writes leave its hash alone.
    await async_client.put(prefix + b"hashed", b"w")
    assert (await async_client.hash_kv(revision=revision)).hash == kv_hash.hash
    assert (await async_client.hash_kv()).hash != kv_hash.hash
    backend = await async_client.hash()
    assert isinstance(backend, int)
    assert backend != 0
    with pytest.raises(TypeError, match="revision"):
        await async_client.hash_kv("1")  # type: ignore[arg-type]


async def test_snapshot(async_client: AsyncEtcd3Client) -> None:
    buffer = io.BytesIO()
    await async_client.snapshot(buffer)
    data = buffer.getvalue()
    # The database, then the SHA-256 of it, as etcdctl saves and etcdutl restores it.
    database, digest = data[:-32], data[-32:]
    assert hashlib.sha256(database).digest() == digest
    assert int.from_bytes(database[16:20], "little") == BBOLT_MAGIC

    recorder = ChunkRecorder()
    await async_client.snapshot(recorder, timeout_override=30)
    assert len(recorder.chunks) >= 2
    assert recorder.chunks[-1] == hashlib.sha256(b"".join(recorder.chunks[:-1])).digest()
    with pytest.raises(ConnectionTimeoutError):
        await async_client.snapshot(io.BytesIO(), timeout_override=0)
    with pytest.raises(TypeError, match="write"):
        await async_client.snapshot(object())  # type: ignore[arg-type]


async def test_membership_changes(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    first_url, second_url, third_url = unused_peer_urls(3)
    async with etcd3.async_client(server.host, server.port, timeout=10) as c:
        (own,) = [member async for member in c.members]
        learner = await c.add_member([first_url], is_learner=True)
        assert isinstance(learner, Member)
        assert learner.id not in (0, own.id)
        assert (learner.name, learner.peer_urls, learner.client_urls) == ("", (first_url,), ())
        assert learner.is_learner is True
        # A lone str is one URL: the same request again is refused for the ID it computes
        # (the same within a second) or else for the URL.
        with pytest.raises((MemberExistsError, PeerURLExistsError)):
            await c.add_member(first_url, is_learner=True)
        with pytest.raises(PeerURLExistsError):
            await c.add_member([third_url, first_url], is_learner=True)
        # A learner that never started is not in sync with the leader.
        with pytest.raises(LearnerNotReadyError):
            await c.promote_member(learner.id)

        await c.update_member(learner.id, [second_url])
        listed = {member.id: member async for member in c.members}
        assert set(listed) == {own.id, learner.id}
        assert listed[learner.id].peer_urls == (second_url,)
        assert listed[own.id] == own

        await c.remove_member(learner.id)
        assert [member async for member in c.members] == [own]
        with pytest.raises(MemberNotFoundError):
            await c.remove_member(learner.id)

        with pytest.raises(ValueError, match="urls"):
            await c.add_member([])
        with pytest.raises(TypeError, match="urls"):
            await c.add_member([b"http://127.0.0.1:1"])  # type: ignore[list-item]
        with pytest.raises(ValueError, match="member_id"):
            await c.remove_member(0)
        with pytest.raises(TypeError, match="member_id"):
            await c.update_member("1", [second_url])  # type: ignore[arg-type]


async def test_alarms_and_defragment(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=10) as c:
        member_id = (await c.status()).member_id
        assert [alarm async for alarm in c.list_alarms()] == []

        raised = await c.create_alarm(member_id)
        assert raised == [Alarm(AlarmType.NOSPACE, member_id)]
        assert [alarm async for alarm in c.list_alarms()] == raised
        assert [alarm async for alarm in c.list_alarms(member_id, "no space")] == raised
        assert [alarm async for alarm in c.list_alarms(alarm_type=AlarmType.CORRUPT)] == []
        assert [alarm async for alarm in c.list_alarms(member_id + 1)] == []
        assert "NOSPACE" in " ".join((await c.status()).errors)
        with pytest.raises(NoSpaceError):
            await c.put(b"refused", b"v")

        assert await c.disarm_alarm(member_id, "no space") == raised
        assert [alarm async for alarm in c.list_alarms()] == []
        assert await c.disarm_alarm(member_id) == []
        await c.put(b"accepted", b"v")

        with pytest.raises(ValueError, match="alarm_type"):
            await c.create_alarm(member_id, "nospace")
        with pytest.raises(TypeError, match="alarm_type"):
            c.list_alarms(alarm_type=1)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="member_id"):
            c.list_alarms(-1)

        # Space freed by deleting and compacting stays in the file until a defragmentation.
        for i in range(64):
            await c.put(b"bulk/%02d" % i, bytes(16 * 1024))
        deleted = await c.delete_prefix(b"bulk/")
        await c.rpc.kv.compact(revision=deleted.header.revision, physical=True)
        # db_size_in_use is not a reliable witness (etcd recounts it lazily); the file size is.
        before = await c.status()
        assert before.db_size > 1024 * 1024
        assert isinstance(await c.defragment(timeout_override=30), DefragmentResponse)
        after = await c.status()
        assert after.db_size < before.db_size // 2


@pytest.mark.cluster
async def test_move_leader(etcd_factory: EtcdFactory) -> None:
    cluster = etcd_factory.cluster(3)
    leader = cluster.leader()
    follower, target = (member for member in cluster.members if member is not leader)
    async with (
        etcd3.async_client("127.0.0.1", leader.port, timeout=10) as on_leader,
        etcd3.async_client("127.0.0.1", follower.port, timeout=10) as other,
    ):
        status = await other.status()
        assert (status.leader_id, status.member_id) == (leader.member_id, follower.member_id)
        assert status.leader is not None
        assert status.leader.client_urls == (leader.client_url,)
        with pytest.raises(NotLeaderError):
            await other.move_leader(target.member_id)
        with pytest.raises(BadLeaderTransfereeError):
            await on_leader.move_leader(target.member_id ^ 1)

        await on_leader.move_leader(target.member_id)
        assert cluster.leader() is target
        assert (await other.status()).leader_id == target.member_id
