"""The sans-IO parts of leases, members, status, alarms and auth administration."""

from __future__ import annotations

import dataclasses
import time

import grpc
import pytest

from etcd3._cluster_views import (
    Alarm,
    AlarmType,
    LeaseBase,
    Member,
    PermissionType,
    RolePermission,
    Status,
    alarm_type_arg,
    alarms_from,
    awaitable_or_none,
    checked_keep_alive,
    ends_at,
    filter_alarms,
    lease_id_arg,
    member_id_arg,
    name_arg,
    password_arg,
    perm_type_arg,
    permission_range,
    seconds_left,
    status_from,
    ttl_arg,
    urls_arg,
    whole_call_seconds,
)
from etcd3.errors import LeaseNotFoundError
from etcd3.rpc import authpb, etcdserverpb


def member_message(member_id: int, name: str, learner: bool = False) -> etcdserverpb.Member:
    return etcdserverpb.Member(
        ID=member_id,
        name=name,
        peerURLs=[f"http://{name}:2380"],
        clientURLs=[f"http://{name}:2379", f"https://{name}:2379"],
        isLearner=learner,
    )


def test_member_from_message() -> None:
    member = Member.from_message(member_message(7, "m1", learner=True))
    assert member == Member(
        7, "m1", ("http://m1:2380",), ("http://m1:2379", "https://m1:2379"), is_learner=True
    )
    assert Member(1, "a", (), ()).is_learner is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        member.name = "other"  # type: ignore[misc]
    assert hash(member) == hash(Member.from_message(member_message(7, "m1", learner=True)))


def status_message(leader: int) -> etcdserverpb.StatusResponse:
    return etcdserverpb.StatusResponse(
        header=etcdserverpb.ResponseHeader(cluster_id=11, member_id=2),
        version="3.5.16",
        dbSize=4096,
        dbSizeInUse=2048,
        leader=leader,
        raftIndex=9,
        raftAppliedIndex=8,
        raftTerm=3,
        errors=["NOSPACE"],
        isLearner=False,
    )


def test_status_from_looks_the_leader_up() -> None:
    members = [Member.from_message(member_message(i, f"m{i}")) for i in (1, 2, 3)]
    status = status_from(status_message(leader=3), members)
    assert status == Status(
        cluster_id=11,
        member_id=2,
        version="3.5.16",
        storage_version="",
        db_size=4096,
        db_size_in_use=2048,
        leader_id=3,
        leader=members[2],
        raft_index=9,
        raft_applied_index=8,
        raft_term=3,
        is_learner=False,
        errors=("NOSPACE",),
    )
    assert status_from(status_message(leader=0), members).leader is None
    assert status_from(status_message(leader=99), members).leader is None


def test_alarms_and_filters() -> None:
    response = etcdserverpb.AlarmResponse(
        alarms=[
            etcdserverpb.AlarmMember(memberID=1, alarm=AlarmType.NOSPACE),
            etcdserverpb.AlarmMember(memberID=2, alarm=AlarmType.CORRUPT),
            etcdserverpb.AlarmMember(memberID=2, alarm=AlarmType.NOSPACE),
        ]
    )
    alarms = alarms_from(response)
    assert alarms == [
        Alarm(AlarmType.NOSPACE, 1),
        Alarm(AlarmType.CORRUPT, 2),
        Alarm(AlarmType.NOSPACE, 2),
    ]
    assert all(type(alarm.alarm_type) is AlarmType for alarm in alarms)
    assert filter_alarms(alarms, 0, AlarmType.NONE) == alarms
    assert filter_alarms(alarms, 2, AlarmType.NONE) == alarms[1:]
    assert filter_alarms(alarms, 0, AlarmType.NOSPACE) == [alarms[0], alarms[2]]
    assert filter_alarms(alarms, 1, AlarmType.CORRUPT) == []


def test_alarm_type_arg() -> None:
    assert alarm_type_arg("none") is AlarmType.NONE
    assert alarm_type_arg("no space") is AlarmType.NOSPACE
    assert alarm_type_arg("corrupt") is AlarmType.CORRUPT
    assert alarm_type_arg(AlarmType.CORRUPT) is AlarmType.CORRUPT
    for bad in ("nospace", "NO SPACE", ""):
        with pytest.raises(ValueError, match="alarm_type"):
            alarm_type_arg(bad)
    with pytest.raises(TypeError, match="alarm_type"):
        alarm_type_arg(1)


def test_keep_alive_of_a_lost_lease_raises() -> None:
    alive = etcdserverpb.LeaseKeepAliveResponse(ID=5, TTL=10)
    assert checked_keep_alive(alive) is alive
    with pytest.raises(LeaseNotFoundError) as info:
        checked_keep_alive(etcdserverpb.LeaseKeepAliveResponse(ID=5, TTL=0))
    assert info.value.code is grpc.StatusCode.NOT_FOUND
    assert str(info.value) == "etcdserver: requested lease not found"
    assert info.value.method == "/etcdserverpb.Lease/LeaseKeepAlive"


def test_whole_call_deadlines() -> None:
    assert whole_call_seconds(None, 7.5) == 7.5
    assert whole_call_seconds(None, None) is None
    assert whole_call_seconds(0, 7.5) == 0.0
    assert whole_call_seconds(2, None) == 2.0
    with pytest.raises(ValueError, match="timeout_override"):
        whole_call_seconds(-1, None)
    with pytest.raises(TypeError, match="timeout_override"):
        whole_call_seconds("1", None)  # type: ignore[arg-type]

    assert ends_at(None) is None
    assert seconds_left(None) is None
    assert seconds_left(time.monotonic() - 5) == 0.0
    end = ends_at(10.0)
    assert end is not None
    left = seconds_left(end)
    assert left is not None
    assert 9.0 < left <= 10.0


def test_lease_arguments() -> None:
    assert ttl_arg(30) == 30
    assert lease_id_arg(2**63 - 1) == 2**63 - 1
    for bad_value in (0, -1):
        with pytest.raises(ValueError, match="ttl"):
            ttl_arg(bad_value)
        with pytest.raises(ValueError, match="lease_id"):
            lease_id_arg(bad_value)
    with pytest.raises(ValueError, match="lease_id"):
        lease_id_arg(2**63)
    for bad_type in (True, 1.5, "3", None):
        with pytest.raises(TypeError, match="ttl"):
            ttl_arg(bad_type)
    lease = LeaseBase(0x2A, 10)
    assert (lease.id, lease.ttl) == (42, 10)
    assert repr(lease) == "<LeaseBase id=0x2a ttl=10>"


def test_member_arguments() -> None:
    assert member_id_arg(2**64 - 1) == 2**64 - 1
    assert member_id_arg(0, zero_ok=True) == 0
    with pytest.raises(ValueError, match="non-zero"):
        member_id_arg(0)
    with pytest.raises(ValueError, match="target_id"):
        member_id_arg(2**64, "target_id")
    with pytest.raises(ValueError, match="member_id"):
        member_id_arg(-1, zero_ok=True)
    with pytest.raises(TypeError, match="member_id"):
        member_id_arg(False)

    assert urls_arg("http://a:1") == ["http://a:1"]
    assert urls_arg(("http://a:1", "http://b:2")) == ["http://a:1", "http://b:2"]
    assert urls_arg(url for url in ["http://a:1"]) == ["http://a:1"]
    with pytest.raises(ValueError, match="at least one"):
        urls_arg([])
    with pytest.raises(ValueError, match="empty URL"):
        urls_arg(["http://a:1", ""])
    with pytest.raises(TypeError, match="peer_urls"):
        urls_arg(b"http://a:1", "peer_urls")
    with pytest.raises(TypeError, match="hold str"):
        urls_arg([1])
    with pytest.raises(TypeError, match="urls"):
        urls_arg(None)


def test_auth_arguments() -> None:
    assert perm_type_arg("read") is PermissionType.READ
    assert perm_type_arg("Write") is PermissionType.WRITE
    assert perm_type_arg("readwrite") is PermissionType.READWRITE
    assert perm_type_arg(PermissionType.READ) is PermissionType.READ
    with pytest.raises(ValueError, match="perm_type"):
        perm_type_arg("rw")
    with pytest.raises(TypeError, match="perm_type"):
        perm_type_arg(2)

    assert name_arg("alice", "name") == "alice"
    with pytest.raises(ValueError, match="role must not be empty"):
        name_arg("", "role")
    with pytest.raises(TypeError, match="name"):
        name_arg(b"alice", "name")

    assert password_arg("pw") == "pw"
    assert password_arg(None, optional=True) == ""
    assert password_arg("", optional=True) == ""
    secret = "hunter2-secret"
    for bad, error in ((secret.encode(), TypeError), ("", ValueError), (None, ValueError)):
        with pytest.raises(error, match="password") as info:
            password_arg(bad)
        assert secret not in str(info.value)
        assert "hunter2" not in repr(info.value)

    assert permission_range("/a", None) == (b"/a", b"")
    assert permission_range(b"/a", "/b") == (b"/a", b"/b")
    with pytest.raises(ValueError, match="key"):
        permission_range("", None)


def test_role_permission_from_message() -> None:
    single = authpb.Permission(permType=PermissionType.READ, key=b"/k")
    ranged = authpb.Permission(permType=PermissionType.READWRITE, key=b"/a", range_end=b"/b")
    assert RolePermission.from_message(single) == RolePermission(PermissionType.READ, b"/k")
    assert RolePermission.from_message(ranged) == RolePermission(
        PermissionType.READWRITE, b"/a", b"/b"
    )
    assert type(RolePermission.from_message(single).perm_type) is PermissionType


async def test_awaitable_or_none() -> None:
    async def coroutine() -> int:
        return 3

    pending = coroutine()
    assert awaitable_or_none(pending) is pending
    await pending
    assert awaitable_or_none(3) is None
    assert awaitable_or_none(None) is None
