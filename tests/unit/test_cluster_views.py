"""The result views of the cluster and auth administration calls."""

from __future__ import annotations

import dataclasses
from typing import cast

import pytest

from etcd3._cluster_views import (
    Alarm,
    AlarmType,
    AuthStatus,
    Member,
    PermissionType,
    RolePermission,
    Status,
    alarms_from,
    awaitable_or_none,
    filter_alarms,
    status_from,
)
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


def _views() -> list[object]:
    return [
        Member(1, "a", (), ()),
        status_from(status_message(leader=0), []),
        Alarm(AlarmType.NOSPACE, 1),
        AuthStatus(enabled=True, auth_revision=3),
        RolePermission(PermissionType.READ, b"k"),
    ]


@pytest.mark.parametrize("view", _views(), ids=lambda view: type(view).__name__)
def test_views_are_frozen_and_slotted(view: object) -> None:
    field = dataclasses.fields(view)[0].name  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(view, field, getattr(view, field))
    assert not hasattr(view, "__dict__")


def test_status_errors_default_to_none_reported() -> None:
    status = Status(11, 2, "3.5.16", "", 0, 0, 0, None, 0, 0, 0, False)
    assert status.errors == ()


class _StatusWithStorageVersion:
    """A status answer of a protocol that has ``storageVersion`` (etcd 3.6 and later)."""

    def __init__(self, response: etcdserverpb.StatusResponse, storage_version: str) -> None:
        self._response = response
        self.storageVersion = storage_version

    def __getattr__(self, name: str) -> object:
        return getattr(self._response, name)


def test_status_reads_the_storage_version_where_the_protocol_has_one() -> None:
    response = _StatusWithStorageVersion(status_message(leader=0), "3.6.0")
    status = status_from(cast("etcdserverpb.StatusResponse", response), [])
    assert status.storage_version == "3.6.0"
    assert status.version == "3.5.16"
