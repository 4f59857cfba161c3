"""Leases without I/O: what a lease is, and the schedule that keeps leases alive.

Shared by the sync and asyncio clients (``etcd3._lease_async`` and its twin do the I/O):

- ``LeaseBase``: a lease's ID and granted TTL, the part of [`Lease`][etcd3.Lease] and
  [`AsyncLease`][etcd3.AsyncLease] that needs no client;
- ``KeepAliveSchedule``: when each lease kept alive automatically is renewed over the
  client's one keep-alive stream, when the stream counts as stuck, when a lease is lost;
- ``checked_keep_alive`` and ``lease_lost_error``: what a keep-alive answer means.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TypeAlias

import grpc

from etcd3.errors import EtcdError, LeaseLostError, LeaseNotFoundError, error_from_status
from etcd3.rpc import etcdserverpb
from etcd3.rpc.methods import LEASE_LEASE_KEEP_ALIVE

__all__ = [
    "KeepAliveSchedule",
    "LeaseBase",
    "LeaseLostCallback",
    "checked_keep_alive",
    "lease_lost_error",
    "name_lease",
]


class LeaseBase:
    """What a lease is without I/O: its ID and the TTL it was granted with.

    The sync [`Lease`][etcd3.Lease] and the asyncio [`AsyncLease`][etcd3.AsyncLease] add the calls.
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


def checked_keep_alive(
    response: etcdserverpb.LeaseKeepAliveResponse,
) -> etcdserverpb.LeaseKeepAliveResponse:
    """``response``, unless it says the lease is gone (TTL <= 0): then ``LeaseNotFoundError``.

    etcd answers a keep-alive of an expired or unknown lease with TTL 0 instead of an error.
    """
    if response.TTL <= 0:
        raise _lease_not_found(response.ID)
    return response


def _lease_not_found(lease_id: int) -> EtcdError:
    error = error_from_status(
        grpc.StatusCode.NOT_FOUND,
        "etcdserver: requested lease not found",
        method=LEASE_LEASE_KEEP_ALIVE.path,
    )
    if isinstance(error, LeaseNotFoundError):
        name_lease(error, lease_id)
    return error


def name_lease(error: LeaseNotFoundError, lease_id: int) -> None:
    """Name ``lease_id`` in ``error`` (etcd's text names no lease): its message and
    ``lease_id``. A [`LeaseLostError`][etcd3.errors.LeaseLostError] names its lease already."""
    if isinstance(error, LeaseLostError) or error.lease_id:
        return
    error.lease_id = lease_id
    error.args = (
        f"lease {lease_id:#x} not found: it expired, was revoked or was never granted "
        f"({error.details})",
    )


LeaseLostCallback: TypeAlias = Callable[[LeaseLostError], object]
"""An ``on_lost`` callback: called with the [`LeaseLostError`][etcd3.errors.LeaseLostError] (asyncio
client: a coroutine function works too)."""


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

    - a lease is renewed every third of its TTL (``due``); each renewal sent waits for its
      answer, and answers come back in order;
    - an answer at TTL ``t`` for a renewal *sent* at ``s`` keeps the lease until ``s + t``: the
      server renewed it after ``s``, so this deadline is never later than the server's;
    - a lease is lost when that deadline passes (``expired``) or the server answers TTL 0
      (``renewed`` returns ``False``);
    - a renewal unanswered for ``answer_timeout`` means the stream is stuck (a paused or
      partitioned member): ``stalled`` tells the shell to drop it and open another;
    - after the stream is lost (``stream_lost``), every lease is due again at once, since
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
        """Whether a renewal has waited longer than ``answer_timeout`` for its answer."""
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
