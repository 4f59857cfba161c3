"""Sans-IO parts of leases, members, status, alarms and auth administration.

Shared by the sync and asyncio clients: result views built from etcd's messages, the
argument checks of those methods (raising ``TypeError``/``ValueError`` before any RPC), the
whole-call deadline arithmetic, and the keep-alive schedule of leases kept alive automatically.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Final, Protocol, TypeAlias

import grpc

from etcd3._validate import deadline, key_bytes, positive_int, to_bytes
from etcd3.errors import EtcdError, LeaseLostError, error_from_status
from etcd3.rpc import authpb, etcdserverpb
from etcd3.rpc.authpb import PermissionType
from etcd3.rpc.etcdserverpb import AlarmType
from etcd3.rpc.methods import LEASE_LEASE_KEEP_ALIVE

__all__ = [
    "Alarm",
    "AlarmType",
    "AuthStatus",
    "BytesSink",
    "KeepAliveSchedule",
    "LeaseBase",
    "LeaseLostCallback",
    "LeaseLostError",
    "Member",
    "PermissionType",
    "RolePermission",
    "Status",
    "alarm_type_arg",
    "alarms_from",
    "awaitable_or_none",
    "checked_keep_alive",
    "ends_at",
    "filter_alarms",
    "lease_id_arg",
    "lease_lost_error",
    "member_id_arg",
    "name_arg",
    "password_arg",
    "perm_type_arg",
    "permission_range",
    "seconds_left",
    "status_from",
    "ttl_arg",
    "urls_arg",
    "whole_call_seconds",
]

_UINT64_MAX: Final = 2**64 - 1

_ALARM_TYPES: Final[dict[str, AlarmType]] = {
    "none": AlarmType.NONE,
    "no space": AlarmType.NOSPACE,
    "corrupt": AlarmType.CORRUPT,
}
_PERM_TYPES: Final[dict[str, PermissionType]] = {
    "read": PermissionType.READ,
    "write": PermissionType.WRITE,
    "readwrite": PermissionType.READWRITE,
}


# --- Views ----------------------------------------------------------------------------------


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
    """The status of the member that answered :meth:`~etcd3.Etcd3Client.status`.

    Attributes:
        cluster_id: The cluster's ID.
        member_id: The answering member's ID.
        version: Its etcd server version, e.g. ``"3.5.16"``.
        storage_version: Its storage version; ``""`` on servers whose protocol lacks it
            (before etcd 3.6).
        db_size: Bytes physically allocated by its database file.
        db_size_in_use: Bytes of that file logically in use (the rest is freed by
            :meth:`~etcd3.Etcd3Client.defragment`).
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
    """Whether authentication is on, from :meth:`~etcd3.Etcd3Client.auth_status`.

    Attributes:
        enabled: Whether auth is enabled.
        auth_revision: The revision of the auth store (counts user/role/permission changes).
    """

    enabled: bool
    auth_revision: int


@dataclass(frozen=True, slots=True)
class RolePermission:
    """A permission granted to a role, from :meth:`~etcd3.Etcd3Client.role_get`.

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


class LeaseBase:
    """What a lease is without I/O: its ID and the TTL it was granted with.

    The sync :class:`~etcd3.Lease` and the asyncio :class:`~etcd3.AsyncLease` add the calls.
    Anything taking ``lease=`` accepts a lease (it has an ``id``).

    Attributes:
        id: The lease ID.
        ttl: The TTL in seconds the lease was granted with.
    """

    __slots__ = ("id", "ttl")

    def __init__(self, lease_id: int, ttl: int) -> None:
        self.id: int = lease_id
        self.ttl: int = ttl

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id:#x} ttl={self.ttl}>"


class BytesSink(Protocol):
    """Where :meth:`~etcd3.Etcd3Client.snapshot` writes: anything with ``write(bytes)``.

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
    """The :class:`Status` view of a ``StatusResponse``, its leader looked up in ``members``."""
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


def checked_keep_alive(
    response: etcdserverpb.LeaseKeepAliveResponse,
) -> etcdserverpb.LeaseKeepAliveResponse:
    """``response``, unless it says the lease is gone (TTL <= 0): then ``LeaseNotFoundError``.

    etcd answers a keep-alive of an expired or unknown lease with TTL 0 instead of an error.
    """
    if response.TTL <= 0:
        raise _lease_not_found()
    return response


def _lease_not_found() -> EtcdError:
    return error_from_status(
        grpc.StatusCode.NOT_FOUND,
        "etcdserver: requested lease not found",
        method=LEASE_LEASE_KEEP_ALIVE.path,
    )


# --- Deadlines covering several RPCs --------------------------------------------------------


def whole_call_seconds(timeout_override: float | None, default: float | None) -> float | None:
    """The deadline in seconds of a call made of several RPCs or a whole stream.

    Args:
        timeout_override: The caller's ``timeout_override`` (``None``: ``default``).
        default: The client's ``timeout``.

    Returns:
        Seconds (``0`` included: already expired), or ``None`` for no deadline.

    Raises:
        TypeError: ``timeout_override`` is not a number.
        ValueError: ``timeout_override`` is negative or NaN.
    """
    checked = deadline(timeout_override)
    if checked is None or isinstance(checked, float):
        return checked
    return default


def seconds_left(ends_at: float | None) -> float | None:
    """The time left until the ``time.monotonic()`` instant ``ends_at`` (never negative)."""
    if ends_at is None:
        return None
    return max(0.0, ends_at - time.monotonic())


def ends_at(seconds: float | None) -> float | None:
    """The ``time.monotonic()`` instant ``seconds`` from now (``None``: never)."""
    return None if seconds is None else time.monotonic() + seconds


# --- Argument checks ------------------------------------------------------------------------


def ttl_arg(ttl: object) -> int:
    """A lease TTL in seconds: a positive int."""
    return positive_int(ttl, "ttl")


def lease_id_arg(lease_id: object, what: str = "lease_id") -> int:
    """A lease ID: a positive int64 (the IDs etcd grants)."""
    return positive_int(lease_id, what)


def member_id_arg(member_id: object, what: str = "member_id", *, zero_ok: bool = False) -> int:
    """A member ID: an uint64, ``0`` only where it means "every member"."""
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise TypeError(f"{what} must be an int, not {type(member_id).__name__}")
    value = int(member_id)
    if not (0 if zero_ok else 1) <= value <= _UINT64_MAX:
        raise ValueError(f"{what} must be a{'n' if zero_ok else ' non-zero'} uint64, got {value}")
    return value


def urls_arg(urls: object, what: str = "urls") -> list[str]:
    """Peer URLs: a ``str`` (one URL) or an iterable of ``str``, not empty."""
    if isinstance(urls, str):
        items: list[object] = [urls]
    elif isinstance(urls, Iterable) and not isinstance(urls, (bytes, bytearray)):
        items = list(urls)
    else:
        raise TypeError(f"{what} must be a str or an iterable of str, not {type(urls).__name__}")
    checked: list[str] = []
    for url in items:
        if not isinstance(url, str):
            raise TypeError(f"{what} must hold str, not {type(url).__name__}")
        if not url:
            raise ValueError(f"{what} must not hold an empty URL")
        checked.append(url)
    if not checked:
        raise ValueError(f"{what} must name at least one URL")
    return checked


def alarm_type_arg(alarm_type: object) -> AlarmType:
    """An alarm type: ``"none"``, ``"no space"``, ``"corrupt"`` or an :class:`AlarmType`."""
    if isinstance(alarm_type, AlarmType):
        return alarm_type
    if isinstance(alarm_type, str):
        found = _ALARM_TYPES.get(alarm_type)
        if found is not None:
            return found
        raise ValueError(
            f"alarm_type must be one of {', '.join(map(repr, _ALARM_TYPES))}, got {alarm_type!r}"
        )
    raise TypeError(f"alarm_type must be a str or AlarmType, not {type(alarm_type).__name__}")


def perm_type_arg(perm_type: object) -> PermissionType:
    """A permission type: ``"read"``, ``"write"``, ``"readwrite"`` or a ``PermissionType``."""
    if isinstance(perm_type, PermissionType):
        return perm_type
    if isinstance(perm_type, str):
        found = _PERM_TYPES.get(perm_type.lower())
        if found is not None:
            return found
        raise ValueError(
            f"perm_type must be one of {', '.join(map(repr, _PERM_TYPES))}, got {perm_type!r}"
        )
    raise TypeError(f"perm_type must be a str or PermissionType, not {type(perm_type).__name__}")


def name_arg(name: object, what: str) -> str:
    """A user or role name: a non-empty ``str``."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}")
    if not name:
        raise ValueError(f"{what} must not be empty")
    return name


def password_arg(password: object, *, optional: bool = False) -> str:
    """A password: a non-empty ``str`` (or ``None``/empty when ``optional``).

    The messages never show the value.
    """
    if password is None:
        if optional:
            return ""
        raise ValueError("a password is required (or no_password=True)")
    if not isinstance(password, str):
        raise TypeError(f"password must be a str, not {type(password).__name__}")
    if not password and not optional:
        raise ValueError("password must not be empty (use no_password=True for none)")
    return password


def permission_range(key: object, range_end: object) -> tuple[bytes, bytes]:
    """The (key, range_end) bytes of a permission; ``range_end=None`` is the single key."""
    start = key_bytes(key)
    end = b"" if range_end is None else to_bytes(range_end, "range_end")
    return start, end


# --- Automatic keep-alive ---------------------------------------------------------------------


LeaseLostCallback: TypeAlias = Callable[[LeaseLostError], object]
"""An ``on_lost`` callback: called with the :class:`LeaseLostError` (asyncio client: a
coroutine function works too)."""


def lease_lost_error(lease_id: int, *, revoked: bool) -> LeaseLostError:
    """The error reporting why automatic keep-alive lost ``lease_id``."""
    why = (
        "the server no longer knows it (revoked or expired)"
        if revoked
        else "no renewal succeeded within its TTL"
    )
    return LeaseLostError(f"lease {lease_id:#x} is lost: {why}", lease_id=lease_id)


class KeepAliveSchedule:
    """When to renew each lease kept alive automatically, and when one counts as lost.

    Pure bookkeeping on ``time.monotonic()`` instants passed in, for the one shared keep-alive
    stream of a client:

    - a lease is renewed every third of its TTL (:meth:`due`); each renewal sent waits for its
      answer, and answers come back in order;
    - an answer at TTL ``t`` for a renewal *sent* at ``s`` keeps the lease until ``s + t``: the
      server renewed it after ``s``, so this deadline is never later than the server's;
    - a lease is lost when that deadline passes (:meth:`expired`) or the server answers TTL 0
      (:meth:`renewed` returns ``False``);
    - a renewal unanswered for :meth:`answer_timeout` means the stream is stuck (a paused or
      partitioned member): :meth:`stalled` tells the shell to drop it and open another;
    - after the stream is lost (:meth:`stream_lost`), every lease is due again at once, since
      its renewals in flight may never have reached a server.
    """

    __slots__ = ("_expires", "_next", "_sent", "_ttl")

    def __init__(self) -> None:
        self._ttl: dict[int, float] = {}
        self._next: dict[int, float] = {}
        self._expires: dict[int, float] = {}
        self._sent: dict[int, deque[float]] = {}
        """Send instants of each lease's renewals awaiting an answer, oldest first."""

    def __len__(self) -> int:
        return len(self._ttl)

    def __contains__(self, lease_id: object) -> bool:
        return lease_id in self._ttl

    @staticmethod
    def answer_timeout(ttl: float) -> float:
        """Seconds a renewal may wait for its answer before the stream counts as stuck: a
        third of the TTL, within [1, 5] s (room for a reconnect and a resend within the TTL)."""
        return min(5.0, max(1.0, ttl / 3))

    def add(self, lease_id: int, ttl: int, now: float) -> None:
        """Start keeping ``lease_id`` alive; it was granted (or renewed) with ``ttl`` at ``now``."""
        self._ttl[lease_id] = float(ttl)
        self._next[lease_id] = now + ttl / 3
        self._expires[lease_id] = now + ttl
        self._sent[lease_id] = deque()

    def remove(self, lease_id: int) -> None:
        """Stop keeping ``lease_id`` alive (unknown IDs are ignored)."""
        self._ttl.pop(lease_id, None)
        self._next.pop(lease_id, None)
        self._expires.pop(lease_id, None)
        self._sent.pop(lease_id, None)

    def due(self, now: float) -> list[int]:
        """The leases to renew now (the caller sends them); each is due again a third of its
        TTL later."""
        due = [lease_id for lease_id, at in self._next.items() if at <= now]
        for lease_id in due:
            self._next[lease_id] = now + self._ttl[lease_id] / 3
            self._sent[lease_id].append(now)
        return due

    def renewed(self, lease_id: int, ttl: int, now: float) -> bool:
        """Record the server's answer for ``lease_id``; ``False`` if it says the lease is gone.

        A lease the server no longer knows (``ttl <= 0``) is removed. Answers for leases not
        in the schedule are ignored (``True``).
        """
        sent = self._sent.get(lease_id)
        if sent is None:
            return True
        if ttl <= 0:
            self.remove(lease_id)
            return False
        if not sent:
            return True  # a late answer from a stream given up on: its timing is unknown
        start = sent.popleft()
        self._expires[lease_id] = start + ttl
        if ttl != self._ttl[lease_id]:
            self._ttl[lease_id] = float(ttl)
            self._next[lease_id] = min(self._next[lease_id], start + ttl / 3)
        return True

    def expired(self, now: float) -> list[int]:
        """The leases not renewed for a whole TTL: lost, and removed from the schedule."""
        lost = [lease_id for lease_id, at in self._expires.items() if at <= now]
        for lease_id in lost:
            self.remove(lease_id)
        return lost

    def stalled(self, now: float) -> bool:
        """Whether a renewal has waited longer than :meth:`answer_timeout` for its answer."""
        return any(
            sent and now - sent[0] >= self.answer_timeout(self._ttl[lease_id])
            for lease_id, sent in self._sent.items()
        )

    def stream_lost(self, now: float) -> None:
        """The stream ended: forget renewals in flight and make every lease due ``now``."""
        for lease_id, sent in self._sent.items():
            sent.clear()
            self._next[lease_id] = now

    def next_wakeup(self, now: float) -> float | None:
        """Seconds until something is due, expires or stalls (``None``: nothing scheduled)."""
        if not self._ttl:
            return None
        soonest = min(*self._next.values(), *self._expires.values())
        for lease_id, sent in self._sent.items():
            if sent:
                soonest = min(soonest, sent[0] + self.answer_timeout(self._ttl[lease_id]))
        return max(0.0, soonest - now)
