"""Sans-IO core of the coordination recipes ([`Lock`][etcd3.Lock], elections, sessions).

The recipes follow etcd's Go ``concurrency`` package, so Go and Python processes cooperate on
the same keys:

- every participant (a lock waiter, an election candidate) owns one key,
  ``<prefix><lease id in lower-case hex>``, written with its session's lease, so it vanishes
  when the session ends;
- participants are ordered by their key's *create revision*; the lowest one holds the lock
  (or leads the election);
- a waiter watches only the key right before its own (the highest create revision below
  its own) for deletion, then looks again: no polling, no thundering herd, FIFO order.

This module builds the requests and reads the answers; the asyncio shells
(``_lock_async``, ``_election_async``, ``_session_async``) and their generated sync twins do
the I/O; their argument checks are in ``etcd3._validate``. The errors specific to the
recipes are part of [`etcd3.errors`][etcd3.errors]' one tree, re-exported here for the shells:

    EtcdError
    ├── ... LeaseNotFoundError
    │       └── LeaseLostError
    │           └── SessionLostError (the session's lease expired, was revoked, or closed)
    ├── LockError
    │   └── LockNotAcquiredError (``with lock:`` could not acquire in time)
    └── ElectionError
        └── NotElectionLeaderError (proclaim without leading)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from etcd3._validate import range_end_for_key
from etcd3.errors import (
    ElectionError,
    EtcdError,
    LockError,
    LockNotAcquiredError,
    NotElectionLeaderError,
    SessionLostError,
)
from etcd3.rpc.etcdserverpb import (
    Compare,
    CompareResult,
    CompareTarget,
    DeleteRangeRequest,
    PutRequest,
    RangeRequest,
    RangeResponse,
    RequestOp,
    SortOrder,
    SortTarget,
    TxnRequest,
    TxnResponse,
)
from etcd3.rpc.mvccpb import Event, EventType, KeyValue

__all__ = [
    "ELECTION_PREFIX",
    "LOCK_PREFIX",
    "Claim",
    "ElectionError",
    "Leader",
    "LockError",
    "LockNotAcquiredError",
    "NotElectionLeaderError",
    "SessionLostError",
    "claim_request",
    "first_put",
    "held_request",
    "is_held",
    "leader_changes",
    "leader_of",
    "owner_request",
    "parse_claim",
    "predecessor",
    "predecessor_request",
    "proclaim_request",
    "release_request",
    "waiter_key",
]

LOCK_PREFIX = b"/locks/"
"""Where locks live: a lock named ``n`` uses the key prefix ``/locks/n/``."""
ELECTION_PREFIX = b"/election/"
"""Where elections live: an election named ``n`` uses the key prefix ``/election/n/``."""


# --- Keys and requests ------------------------------------------------------------------------


def waiter_key(prefix: bytes, lease_id: int) -> bytes:
    """The key a session owns under ``prefix``: the lease ID in lower-case hex, as Go writes it."""
    return prefix + f"{lease_id:x}".encode()


def owner_request(prefix: bytes) -> RangeRequest:
    """The key under ``prefix`` with the lowest create revision: the lock holder or leader."""
    return RangeRequest(
        key=prefix,
        range_end=range_end_for_key(prefix),
        sort_order=SortOrder.ASCEND,
        sort_target=SortTarget.CREATE,
        limit=1,
    )


def _create_revision_is(key: bytes, revision: int) -> Compare:
    return Compare(
        key=key,
        result=CompareResult.EQUAL,
        target=CompareTarget.CREATE,
        create_revision=revision,
    )


def claim_request(prefix: bytes, key: bytes, lease_id: int, value: bytes) -> TxnRequest:
    """Write ``key`` with the lease unless it exists; either way read it back and the owner.

    Responses: success ``[put, owner range]``; failure (the key exists: this session has
    queued already) ``[key range, owner range]``.
    """
    owner = RequestOp(request_range=owner_request(prefix))
    return TxnRequest(
        compare=[_create_revision_is(key, 0)],
        success=[RequestOp(request_put=PutRequest(key=key, value=value, lease=lease_id)), owner],
        failure=[RequestOp(request_range=RangeRequest(key=key)), owner],
    )


class Claim(NamedTuple):
    """What ``claim_request`` found out."""

    key: bytes
    """This session's key."""
    revision: int
    """The key's create revision: this participant's place in the queue (a fencing token)."""
    value: bytes
    """The key's value (what was written, or what an earlier claim left)."""
    owned: bool
    """Whether this key has the lowest create revision: the lock is held, the election won."""


def parse_claim(key: bytes, value: bytes, response: TxnResponse) -> Claim:
    """Read the answer to ``claim_request`` (``value``: what the claim wrote)."""
    if response.succeeded:
        revision = response.header.revision
    else:
        mine = response.responses[0].response_range.kvs
        if not mine:
            # The key vanished between the compare and the read: impossible in one txn.
            raise EtcdError(f"the key {key!r} disappeared during its own claim")
        revision = mine[0].create_revision
        value = mine[0].value
    owner = response.responses[1].response_range.kvs
    owned = not owner or owner[0].create_revision == revision
    return Claim(key, revision, value, owned)


def predecessor_request(prefix: bytes, revision: int) -> RangeRequest:
    """The key under ``prefix`` created last before ``revision``: the one to wait for."""
    return RangeRequest(
        key=prefix,
        range_end=range_end_for_key(prefix),
        sort_order=SortOrder.DESCEND,
        sort_target=SortTarget.CREATE,
        limit=1,
        keys_only=True,
        max_create_revision=revision - 1,
    )


def predecessor(response: RangeResponse) -> tuple[bytes, int] | None:
    """From the answer to ``predecessor_request``: ``(key, revision to watch from)``, or
    ``None`` when no key is ahead any more (the lock is ours, the election won).

    The watch starts right after the read, so a deletion in between is still seen.
    """
    if not response.kvs:
        return None
    return response.kvs[0].key, response.header.revision + 1


def held_request(key: bytes) -> RangeRequest:
    """Read this session's key (does it still exist with our create revision?)."""
    return RangeRequest(key=key, keys_only=True)


def is_held(response: RangeResponse, revision: int) -> bool:
    """Whether the answer to ``held_request`` shows the key with ``revision``."""
    return bool(response.kvs) and response.kvs[0].create_revision == revision


def release_request(key: bytes, revision: int) -> TxnRequest:
    """Delete ``key`` only if it is still the one created at ``revision``."""
    return TxnRequest(
        compare=[_create_revision_is(key, revision)],
        success=[RequestOp(request_delete_range=DeleteRangeRequest(key=key))],
    )


def proclaim_request(key: bytes, revision: int, value: bytes, lease_id: int) -> TxnRequest:
    """Set the leader's value, only if ``key`` is still the one created at ``revision``."""
    return TxnRequest(
        compare=[_create_revision_is(key, revision)],
        success=[RequestOp(request_put=PutRequest(key=key, value=value, lease=lease_id))],
    )


# --- Observing a leader -----------------------------------------------------------------------


class Leader(NamedTuple):
    """The leader of an election: its key, the value it proclaimed and its fencing token."""

    key: bytes
    """The leader's key (``<prefix><lease id hex>``)."""
    value: bytes
    """The value the leader campaigned with or last proclaimed."""
    revision: int
    """The create revision of the leader's key: it grows with each new leader and stays the
    same while one leader proclaims, so a resource the leader writes can refuse a write that
    carries an older one (the leader's own election gives it as ``revision``)."""


def leader_of(response: RangeResponse) -> Leader | None:
    """The leader in the answer to ``owner_request`` (``None``: nobody leads)."""
    if not response.kvs:
        return None
    kv = response.kvs[0]
    return Leader(kv.key, kv.value, kv.create_revision)


def _leader(kv: KeyValue) -> Leader:
    return Leader(kv.key, kv.value, kv.create_revision)


def first_put(events: Iterable[Event]) -> tuple[Leader, int] | None:
    """The first key written under an empty election prefix: the new leader and the revision
    after its write (to watch its key from), or ``None`` if the events hold no write."""
    for event in events:
        if event.type == EventType.PUT:
            return _leader(event.kv), event.kv.mod_revision + 1
    return None


def leader_changes(events: Iterable[Event]) -> tuple[list[Leader], bool]:
    """What events on the leader's key mean: its new values in order, and whether it was
    deleted (leadership passes on; nothing after the deletion counts)."""
    values: list[Leader] = []
    for event in events:
        if event.type == EventType.DELETE:
            return values, True
        values.append(_leader(event.kv))
    return values, False
