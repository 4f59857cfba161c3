"""What the cluster and auth administration calls take and return (sans-IO).

Shared by the sync and asyncio clients: the result views built from etcd's messages
([`Member`][etcd3.Member], [`Status`][etcd3.Status], [`Alarm`][etcd3.Alarm],
[`AuthStatus`][etcd3.AuthStatus], [`RolePermission`][etcd3.RolePermission]), the enums their fields
use, and where ``snapshot()`` writes (``BytesSink``). The argument checks of these calls live in
``etcd3._validate``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import Protocol

from etcd3.rpc import authpb, etcdserverpb
from etcd3.rpc.authpb import PermissionType
from etcd3.rpc.etcdserverpb import AlarmType

__all__ = [
    "Alarm",
    "AlarmType",
    "AuthStatus",
    "BytesSink",
    "Member",
    "PermissionType",
    "RolePermission",
    "Status",
    "alarms_from",
    "awaitable_or_none",
    "filter_alarms",
    "status_from",
]


@dataclass(frozen=True, slots=True)
class Member:
    """One member of the etcd cluster.

    Attributes:
        id: The member ID.
        name: The member's name (``""`` while an added member has not started yet).
        peer_urls: URLs the other members reach it on.
        client_urls: URLs clients reach it on (empty while it has not started yet).
        is_learner: Whether it is a raft learner (a non-voting member that catches up).
    """

    id: int
    name: str
    peer_urls: tuple[str, ...]
    client_urls: tuple[str, ...]
    is_learner: bool = False

    @classmethod
    def from_message(cls, member: etcdserverpb.Member) -> Member:
        """The view of an ``etcdserverpb.Member`` message."""
        return cls(
            member.ID,
            member.name,
            tuple(member.peerURLs),
            tuple(member.clientURLs),
            member.isLearner,
        )


@dataclass(frozen=True, slots=True)
class Status:
    """The status of the member that answered [`status`][etcd3.Etcd3Client.status].

    Attributes:
        cluster_id: The cluster's ID.
        member_id: The answering member's ID.
        version: Its etcd server version, e.g. ``"3.5.16"``.
        storage_version: Its storage version; ``""`` on servers whose protocol lacks it
            (before etcd 3.6).
        db_size: Bytes physically allocated by its database file.
        db_size_in_use: Bytes of that file logically in use (the rest is freed by
            [`defragment`][etcd3.Etcd3Client.defragment]).
        leader_id: The member ID it believes is the leader (``0``: no leader).
        leader: That member, or ``None`` when there is no leader or it is not listed.
        raft_index: Its raft committed index.
        raft_applied_index: Its raft applied index.
        raft_term: Its raft term.
        is_learner: Whether it is a raft learner.
        errors: Alarm and health messages it reports (empty when healthy).
    """

    cluster_id: int
    member_id: int
    version: str
    storage_version: str
    db_size: int
    db_size_in_use: int
    leader_id: int
    leader: Member | None
    raft_index: int
    raft_applied_index: int
    raft_term: int
    is_learner: bool
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alarm:
    """An alarm raised on a member.

    Attributes:
        alarm_type: What the alarm is about (``AlarmType.NOSPACE``, ``AlarmType.CORRUPT``).
        member_id: The member it is raised on.
    """

    alarm_type: AlarmType
    member_id: int


@dataclass(frozen=True, slots=True)
class AuthStatus:
    """Whether authentication is on, from [`auth_status`][etcd3.Etcd3Client.auth_status].

    Attributes:
        enabled: Whether auth is enabled.
        auth_revision: The revision of the auth store (counts user/role/permission changes).
    """

    enabled: bool
    auth_revision: int


@dataclass(frozen=True, slots=True)
class RolePermission:
    """A permission granted to a role, from [`role_get`][etcd3.Etcd3Client.role_get].

    Attributes:
        perm_type: ``PermissionType.READ``, ``WRITE`` or ``READWRITE``.
        key: The key, or the start of the key range.
        range_end: The end of the key range (exclusive); ``None`` for the single ``key``.
    """

    perm_type: PermissionType
    key: bytes
    range_end: bytes | None = None

    @classmethod
    def from_message(cls, perm: authpb.Permission) -> RolePermission:
        """The view of an ``authpb.Permission`` message."""
        return cls(PermissionType(perm.permType), perm.key, perm.range_end or None)


class BytesSink(Protocol):
    """Where [`snapshot`][etcd3.Etcd3Client.snapshot] writes: anything with ``write(bytes)``.

    A binary file fits; the asyncio client also awaits ``write`` when it returns an awaitable
    (asynchronous files).
    """

    def write(self, data: bytes, /) -> object:
        """Write ``data``."""
        ...


def awaitable_or_none(value: object) -> Awaitable[object] | None:
    """``value`` if it is awaitable (what an asynchronous file's ``write`` returns), else None."""
    return value if isinstance(value, Awaitable) else None


def status_from(response: etcdserverpb.StatusResponse, members: Iterable[Member]) -> Status:
    """The [`Status`][etcd3.Status] view of a ``StatusResponse``, its leader looked up in
    ``members``."""
    leader_id = response.leader
    leader = next((member for member in members if member.id == leader_id), None)
    return Status(
        cluster_id=response.header.cluster_id,
        member_id=response.header.member_id,
        version=response.version,
        storage_version=getattr(response, "storageVersion", ""),
        db_size=response.dbSize,
        db_size_in_use=response.dbSizeInUse,
        leader_id=leader_id,
        leader=leader,
        raft_index=response.raftIndex,
        raft_applied_index=response.raftAppliedIndex,
        raft_term=response.raftTerm,
        is_learner=response.isLearner,
        errors=tuple(response.errors),
    )


def alarms_from(response: etcdserverpb.AlarmResponse) -> list[Alarm]:
    """The alarms of an ``AlarmResponse``."""
    return [Alarm(AlarmType(alarm.alarm), alarm.memberID) for alarm in response.alarms]


def filter_alarms(alarms: Iterable[Alarm], member_id: int, alarm_type: AlarmType) -> list[Alarm]:
    """The alarms of ``member_id`` (``0``: any) of ``alarm_type`` (``NONE``: any)."""
    return [
        alarm
        for alarm in alarms
        if (not member_id or alarm.member_id == member_id)
        and (alarm_type is AlarmType.NONE or alarm.alarm_type is alarm_type)
    ]
