# async-to-sync: source
"""The asyncio client's members, status, alarms and maintenance."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from typing import TYPE_CHECKING

from etcd3._acompat import ASYNC
from etcd3._base_async import AsyncClientBase
from etcd3._timeouts import deadline_after, time_left
from etcd3._validate import alarm_type_arg, flag, member_id_arg, revision_arg, urls_arg
from etcd3.rpc.etcdserverpb import (
    AlarmAction,
    AlarmRequest,
    AlarmType,
    DefragmentRequest,
    DefragmentResponse,
    HashKVRequest,
    HashKVResponse,
    HashRequest,
    MemberAddRequest,
    MemberListRequest,
    MemberPromoteRequest,
    MemberRemoveRequest,
    MemberUpdateRequest,
    MoveLeaderRequest,
    SnapshotRequest,
    StatusRequest,
)

# The views load with the first call that returns one: a client that never asks for members,
# status or alarms does not pay for building their classes.
if TYPE_CHECKING:
    from etcd3._cluster_views import Alarm, BytesSink, Member, Status

__all__ = ["AsyncClusterMixin"]

# Requests without fields, built once (never mutated).
_MEMBER_LIST_REQUEST = MemberListRequest()
_STATUS_REQUEST = StatusRequest()
_DEFRAGMENT_REQUEST = DefragmentRequest()
_HASH_REQUEST = HashRequest()
_SNAPSHOT_REQUEST = SnapshotRequest()


class AsyncClusterMixin(AsyncClientBase):
    """The client's members, status, alarms and maintenance."""

    # --- Members ----------------------------------------------------------------------------

    @property
    def members(self) -> AsyncGenerator[Member, None]:
        """The cluster's members (one MemberList call on first iteration).

        In the asyncio client: ``async for member in client.members``. For a timeout other
        than the client's, use [`get_members`][etcd3.AsyncEtcd3Client.get_members].
        """
        return self._members(self._call_timeout(None))

    def get_members(self, timeout_override: float | None = None) -> AsyncGenerator[Member, None]:
        """The cluster's members, like [`members`][etcd3.AsyncEtcd3Client.members] but with a
        timeout of its own.

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            An iterator of [`Member`][etcd3.Member] (the MemberList call is made on first
                iteration).

        Raises:
            ValueError: ``timeout_override`` is negative (at call time).
            etcd3.EtcdError: The call failed.
        """
        return self._members(self._call_timeout(timeout_override))

    async def _members(self, timeout: float | None) -> AsyncGenerator[Member, None]:
        from etcd3._cluster_views import Member

        response = await self._rpc.cluster.member_list(_MEMBER_LIST_REQUEST, timeout=timeout)
        for member in response.members:
            yield Member.from_message(member)

    async def add_member(
        self,
        urls: Iterable[str],
        is_learner: bool = False,
        timeout_override: float | None = None,
    ) -> Member:
        """Add a member to the cluster (start its etcd process afterwards).

        Args:
            urls: The new member's peer URLs (a lone ``str`` is one URL).
            is_learner: Add it as a learner (non-voting until
                [`promote_member`][etcd3.AsyncEtcd3Client.promote_member]).
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The added [`Member`][etcd3.Member] (no name or client URLs until it has started).

        Raises:
            TypeError: ``urls`` is not a str or an iterable of str.
            ValueError: ``urls`` is empty or holds an empty URL.
            etcd3.errors.PeerURLExistsError: A member has one of these URLs.
            etcd3.EtcdError: The call failed.
        """
        from etcd3._cluster_views import Member

        request = MemberAddRequest(
            peerURLs=urls_arg(urls), isLearner=flag(is_learner, "is_learner")
        )
        response = await self._rpc.cluster.member_add(
            request, timeout=self._call_timeout(timeout_override)
        )
        return Member.from_message(response.member)

    async def remove_member(self, member_id: int, timeout_override: float | None = None) -> None:
        """Remove a member from the cluster.

        Args:
            member_id: The member's ID.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``member_id`` is not an int.
            ValueError: ``member_id`` is not a non-zero uint64.
            etcd3.errors.MemberNotFoundError: No member has this ID.
            etcd3.EtcdError: The call failed.
        """
        request = MemberRemoveRequest(ID=member_id_arg(member_id))
        await self._rpc.cluster.member_remove(request, timeout=self._call_timeout(timeout_override))

    async def update_member(
        self, member_id: int, peer_urls: Iterable[str], timeout_override: float | None = None
    ) -> None:
        """Change a member's peer URLs.

        Args:
            member_id: The member's ID.
            peer_urls: Its new peer URLs (a lone ``str`` is one URL).
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``member_id`` is not an int, or ``peer_urls`` not str(s).
            ValueError: ``member_id`` is 0 or out of range, or ``peer_urls`` is empty.
            etcd3.errors.MemberNotFoundError: No member has this ID.
            etcd3.EtcdError: The call failed.
        """
        request = MemberUpdateRequest(
            ID=member_id_arg(member_id), peerURLs=urls_arg(peer_urls, "peer_urls")
        )
        await self._rpc.cluster.member_update(request, timeout=self._call_timeout(timeout_override))

    async def promote_member(self, member_id: int, timeout_override: float | None = None) -> None:
        """Promote a learner to a voting member.

        Args:
            member_id: The learner's ID.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``member_id`` is not an int.
            ValueError: ``member_id`` is not a non-zero uint64.
            etcd3.errors.LearnerNotReadyError: The learner has not caught up with the leader.
            etcd3.errors.MemberNotLearnerError: The member is not a learner.
            etcd3.EtcdError: The call failed.
        """
        request = MemberPromoteRequest(ID=member_id_arg(member_id))
        await self._rpc.cluster.member_promote(
            request, timeout=self._call_timeout(timeout_override)
        )

    # --- Maintenance ------------------------------------------------------------------------

    async def status(self, timeout_override: float | None = None) -> Status:
        """The status of the member this client talks to, with the leader looked up.

        Args:
            timeout_override: Timeout in seconds of the whole call, both the Status and the
                MemberList RPCs (``None``: the client's).

        Returns:
            The [`Status`][etcd3.Status].

        Raises:
            etcd3.ConnectionTimeoutError: The deadline expired.
            etcd3.EtcdError: The call failed.
        """
        from etcd3._cluster_views import Member, status_from

        deadline = deadline_after(self._call_timeout(timeout_override))
        response = await self._rpc.maintenance.status(_STATUS_REQUEST, timeout=time_left(deadline))
        if not response.leader:
            return status_from(response, ())
        listed = await self._rpc.cluster.member_list(
            _MEMBER_LIST_REQUEST, timeout=time_left(deadline)
        )
        return status_from(response, map(Member.from_message, listed.members))

    async def defragment(self, timeout_override: float | None = None) -> DefragmentResponse:
        """Defragment the database of the member this client talks to.

        The member's file shrinks to the size in use; it answers no other request meanwhile.

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The (empty) ``DefragmentResponse``.

        Raises:
            etcd3.EtcdError: The call failed.
        """
        return await self._rpc.maintenance.defragment(
            _DEFRAGMENT_REQUEST, timeout=self._call_timeout(timeout_override)
        )

    async def hash(self, timeout_override: float | None = None) -> int:
        """The hash of the member's whole backend database (changes with any write).

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The hash.

        Raises:
            etcd3.EtcdError: The call failed.
        """
        response = await self._rpc.maintenance.hash(
            _HASH_REQUEST, timeout=self._call_timeout(timeout_override)
        )
        return response.hash

    async def hash_kv(
        self, revision: int = 0, timeout_override: float | None = None
    ) -> HashKVResponse:
        """The hash of the key-value history up to ``revision`` (equal on healthy members).

        Args:
            revision: The last revision to hash; ``0`` (or less) for the latest.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The ``HashKVResponse``: ``hash`` and ``compact_revision``.

        Raises:
            TypeError: ``revision`` is not an int.
            etcd3.RevisionCompactedError: ``revision`` is compacted.
            etcd3.EtcdError: The call failed.
        """
        request = HashKVRequest(revision=revision_arg(revision))
        return await self._rpc.maintenance.hash_kv(
            request, timeout=self._call_timeout(timeout_override)
        )

    async def snapshot(self, file_obj: BytesSink, timeout_override: float | None = None) -> None:
        """Write a snapshot of the member's database to ``file_obj``.

        Every chunk the server sends is written, the last one being the SHA-256 of the
        others (as ``etcdctl snapshot save`` writes it; ``etcdutl snapshot restore`` checks it).

        Args:
            file_obj: A binary file open for writing (the asyncio client also awaits
                ``write`` when it returns an awaitable, as asynchronous files do).
            timeout_override: Timeout in seconds of the whole transfer (``None``: the
                client's).

        Raises:
            TypeError: ``file_obj`` has no ``write`` method.
            etcd3.EtcdError: The call failed (``file_obj`` may hold a part of the snapshot).
        """
        write = getattr(file_obj, "write", None)
        if not callable(write):
            raise TypeError(f"file_obj must have a write method, not {type(file_obj).__name__}")
        timeout = self._call_timeout(timeout_override)
        async with self._rpc.maintenance.snapshot(_SNAPSHOT_REQUEST, timeout=timeout) as stream:
            async for chunk in stream:
                if ASYNC:
                    from etcd3._cluster_views import awaitable_or_none

                    pending = awaitable_or_none(write(chunk.blob))
                    if pending is not None:  # an asynchronous file
                        await pending
                else:
                    write(chunk.blob)

    async def move_leader(self, target_id: int, timeout_override: float | None = None) -> None:
        """Hand raft leadership over to another member.

        Send it to the current leader (``status().leader``'s client URL).

        Args:
            target_id: The member to become leader.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``target_id`` is not an int.
            ValueError: ``target_id`` is not a non-zero uint64.
            etcd3.errors.NotLeaderError: This client's member is not the leader.
            etcd3.errors.BadLeaderTransfereeError: ``target_id`` is no (voting) member.
            etcd3.EtcdError: The call failed.
        """
        request = MoveLeaderRequest(targetID=member_id_arg(target_id, "target_id"))
        await self._rpc.maintenance.move_leader(
            request, timeout=self._call_timeout(timeout_override)
        )

    # --- Alarms -----------------------------------------------------------------------------

    async def create_alarm(
        self,
        member_id: int = 0,
        alarm_type: str | AlarmType = "no space",
        timeout_override: float | None = None,
    ) -> list[Alarm]:
        """Raise an alarm (a ``"no space"`` alarm makes the cluster refuse writes).

        Args:
            member_id: The member to raise it on.
            alarm_type: ``"none"``, ``"no space"``, ``"corrupt"`` or an
                [`AlarmType`][etcd3.AlarmType].
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The alarms raised by this call.

        Raises:
            TypeError: ``member_id`` is not an int or ``alarm_type`` not a str/AlarmType.
            ValueError: An unknown ``alarm_type`` or a ``member_id`` outside uint64.
            etcd3.EtcdError: The call failed.
        """
        return await self._alarm(AlarmAction.ACTIVATE, member_id, alarm_type, timeout_override)

    async def disarm_alarm(
        self,
        member_id: int = 0,
        alarm_type: str | AlarmType = "no space",
        timeout_override: float | None = None,
    ) -> list[Alarm]:
        """Clear an alarm.

        Args:
            member_id: The member it is raised on.
            alarm_type: ``"none"``, ``"no space"``, ``"corrupt"`` or an
                [`AlarmType`][etcd3.AlarmType].
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The alarms cleared by this call (empty if none was raised).

        Raises:
            TypeError: ``member_id`` is not an int or ``alarm_type`` not a str/AlarmType.
            ValueError: An unknown ``alarm_type`` or a ``member_id`` outside uint64.
            etcd3.EtcdError: The call failed.
        """
        return await self._alarm(AlarmAction.DEACTIVATE, member_id, alarm_type, timeout_override)

    def list_alarms(
        self,
        member_id: int = 0,
        alarm_type: str | AlarmType = "none",
        timeout_override: float | None = None,
    ) -> AsyncGenerator[Alarm, None]:
        """The raised alarms (one Alarm call on first iteration).

        Args:
            member_id: Only this member's alarms; ``0`` for every member's.
            alarm_type: Only alarms of this type; ``"none"`` for every type.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            An iterator of [`Alarm`][etcd3.Alarm].

        Raises:
            TypeError: ``member_id`` is not an int or ``alarm_type`` not a str/AlarmType (at
                call time).
            ValueError: An unknown ``alarm_type`` or a ``member_id`` outside uint64 (at call
                time).
            etcd3.EtcdError: The call failed.
        """
        wanted_member = member_id_arg(member_id, zero_ok=True)
        wanted_type = alarm_type_arg(alarm_type)
        return self._listed_alarms(wanted_member, wanted_type, self._call_timeout(timeout_override))

    async def _listed_alarms(
        self, member_id: int, alarm_type: AlarmType, timeout: float | None
    ) -> AsyncGenerator[Alarm, None]:
        from etcd3._cluster_views import alarms_from, filter_alarms

        # etcd answers GET with every alarm whatever the filter fields say: filter here.
        request = AlarmRequest(action=AlarmAction.GET, memberID=member_id, alarm=alarm_type)
        response = await self._rpc.maintenance.alarm(request, timeout=timeout)
        for alarm in filter_alarms(alarms_from(response), member_id, alarm_type):  # noqa: RUF100, UP028
            yield alarm

    async def _alarm(
        self,
        action: AlarmAction,
        member_id: int,
        alarm_type: str | AlarmType,
        timeout_override: float | None,
    ) -> list[Alarm]:
        from etcd3._cluster_views import alarms_from

        request = AlarmRequest(
            action=action,
            memberID=member_id_arg(member_id, zero_ok=True),
            alarm=alarm_type_arg(alarm_type),
        )
        response = await self._rpc.maintenance.alarm(
            request, timeout=self._call_timeout(timeout_override)
        )
        return alarms_from(response)
