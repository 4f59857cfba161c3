"""The sans-IO core of locks and elections: key layout, requests, decisions (no server)."""

from __future__ import annotations

import pytest

from etcd3._concurrency_core import (
    ELECTION_PREFIX,
    LOCK_PREFIX,
    Claim,
    Leader,
    LockNotAcquiredError,
    NotElectionLeaderError,
    SessionLostError,
    claim_request,
    first_put,
    held_request,
    is_held,
    leader_changes,
    leader_of,
    owner_request,
    parse_claim,
    predecessor,
    predecessor_request,
    proclaim_request,
    release_request,
    waiter_key,
)
from etcd3._validate import recipe_prefix_arg
from etcd3.errors import EtcdError, LeaseLostError, LeaseNotFoundError
from etcd3.rpc.etcdserverpb import (
    Compare,
    CompareResult,
    CompareTarget,
    DeleteRangeRequest,
    PutRequest,
    RangeRequest,
    RangeResponse,
    RequestOp,
    ResponseHeader,
    ResponseOp,
    SortOrder,
    SortTarget,
    TxnRequest,
    TxnResponse,
)
from etcd3.rpc.mvccpb import Event, EventType, KeyValue


def _range(*kvs: KeyValue, revision: int = 50) -> RangeResponse:
    return RangeResponse(header=ResponseHeader(revision=revision), kvs=list(kvs), count=len(kvs))


def _txn(
    succeeded: bool, revision: int, first: list[KeyValue], owner: list[KeyValue]
) -> TxnResponse:
    head = ResponseOp(response_range=_range(*first)) if not succeeded else ResponseOp()
    return TxnResponse(
        header=ResponseHeader(revision=revision),
        succeeded=succeeded,
        responses=[head, ResponseOp(response_range=_range(*owner))],
    )


def test_keys_follow_go_layout() -> None:
    # Go: fmt.Sprintf("%s%x", pfx+"/", leaseID): lower-case hex, no padding, no 0x.
    assert waiter_key(b"/locks/job/", 0x694D7C1F2A3B) == b"/locks/job/694d7c1f2a3b"
    assert waiter_key(b"p/", 10) == b"p/a"
    assert recipe_prefix_arg(None, LOCK_PREFIX, b"job") == b"/locks/job/"
    assert recipe_prefix_arg(None, ELECTION_PREFIX, b"boss") == b"/election/boss/"
    assert recipe_prefix_arg("custom/", LOCK_PREFIX, b"job") == b"custom/"
    assert recipe_prefix_arg(b"raw", LOCK_PREFIX, b"job") == b"raw"


def test_claim_request_puts_once_and_reads_owner() -> None:
    request = claim_request(b"/l/", b"/l/1f", 0x1F, b"v")
    (compare,) = request.compare
    assert (compare.key, compare.target, compare.result, compare.create_revision) == (
        b"/l/1f",
        CompareTarget.CREATE,
        CompareResult.EQUAL,
        0,
    )
    put, owner = request.success
    assert (put.request_put.key, put.request_put.value, put.request_put.lease) == (
        b"/l/1f",
        b"v",
        0x1F,
    )
    mine, owner_again = request.failure
    assert mine.request_range.key == b"/l/1f"
    assert not mine.request_range.range_end
    for op in (owner, owner_again):
        assert op.request_range == owner_request(b"/l/")


def test_owner_request_is_first_created_under_prefix() -> None:
    request = owner_request(b"/l/")
    assert (request.key, request.range_end) == (b"/l/", b"/l0")
    assert (request.sort_target, request.sort_order, request.limit) == (
        SortTarget.CREATE,
        SortOrder.ASCEND,
        1,
    )


def test_parse_claim_new_key() -> None:
    # Written at revision 7; the owner is an older key: we queue behind it.
    older = KeyValue(key=b"/l/a", create_revision=5)
    claim = parse_claim(b"/l/b", b"v", _txn(True, 7, [], [older]))
    assert claim == Claim(b"/l/b", 7, b"v", owned=False)
    # Nobody before us: the owner read returns our own key.
    mine = KeyValue(key=b"/l/b", create_revision=7)
    assert parse_claim(b"/l/b", b"v", _txn(True, 7, [], [mine])).owned


def test_parse_claim_existing_key_of_this_session() -> None:
    mine = KeyValue(key=b"/l/b", create_revision=4, value=b"old")
    claim = parse_claim(b"/l/b", b"new", _txn(False, 9, [mine], [mine]))
    assert claim == Claim(b"/l/b", 4, b"old", owned=True)
    older = KeyValue(key=b"/l/a", create_revision=2)
    assert not parse_claim(b"/l/b", b"new", _txn(False, 9, [mine], [older])).owned
    with pytest.raises(EtcdError, match="disappeared"):
        parse_claim(b"/l/b", b"v", _txn(False, 9, [], [older]))


def test_predecessor_is_last_created_before_us() -> None:
    request = predecessor_request(b"/l/", 12)
    assert (request.key, request.range_end, request.max_create_revision) == (b"/l/", b"/l0", 11)
    assert (request.sort_target, request.sort_order, request.limit, request.keys_only) == (
        SortTarget.CREATE,
        SortOrder.DESCEND,
        1,
        True,
    )
    assert predecessor(_range(revision=30)) is None
    # Watch from just after the read: a deletion at any later revision is seen.
    found = predecessor(_range(KeyValue(key=b"/l/x", create_revision=10), revision=30))
    assert found == (b"/l/x", 31)


def test_held_and_release_and_proclaim_are_fenced_by_create_revision() -> None:
    assert held_request(b"/l/b") == RangeRequest(key=b"/l/b", keys_only=True)
    assert is_held(_range(KeyValue(key=b"/l/b", create_revision=4)), 4)
    assert not is_held(_range(KeyValue(key=b"/l/b", create_revision=8)), 4)
    assert not is_held(_range(), 4)

    release = release_request(b"/l/b", 4)
    assert release == TxnRequest(
        compare=[Compare(key=b"/l/b", target=CompareTarget.CREATE, create_revision=4)],
        success=[RequestOp(request_delete_range=DeleteRangeRequest(key=b"/l/b"))],
    )
    assert release.compare[0].result == CompareResult.EQUAL

    proclaim = proclaim_request(b"/e/b", 4, b"v2", 0xB)
    assert proclaim == TxnRequest(
        compare=[Compare(key=b"/e/b", target=CompareTarget.CREATE, create_revision=4)],
        success=[RequestOp(request_put=PutRequest(key=b"/e/b", value=b"v2", lease=0xB))],
    )


def _event(kind: EventType, key: bytes, value: bytes = b"", mod: int = 1, create: int = 1) -> Event:
    kv = KeyValue(key=key, value=value, mod_revision=mod, create_revision=create)
    return Event(type=kind, kv=kv)


def test_leader_of() -> None:
    assert leader_of(_range()) is None
    kv = KeyValue(key=b"/e/1", value=b"v", create_revision=7, mod_revision=9)
    assert leader_of(_range(kv)) == Leader(b"/e/1", b"v", 7)


def test_first_put_skips_deletes() -> None:
    assert first_put([]) is None
    assert first_put([_event(EventType.DELETE, b"/e/1")]) is None
    events = [
        _event(EventType.DELETE, b"/e/0", mod=3),
        _event(EventType.PUT, b"/e/1", b"a", mod=4, create=4),
        _event(EventType.PUT, b"/e/2", b"b", mod=5, create=5),
    ]
    assert first_put(events) == (Leader(b"/e/1", b"a", 4), 5)


def test_leader_changes_stop_at_delete() -> None:
    events = [
        _event(EventType.PUT, b"/e/1", b"a", mod=3, create=3),
        _event(EventType.PUT, b"/e/1", b"b", mod=4, create=3),
        _event(EventType.DELETE, b"/e/1", mod=5, create=0),
        _event(EventType.PUT, b"/e/1", b"late", mod=6, create=6),
    ]
    leaders = [Leader(b"/e/1", b"a", 3), Leader(b"/e/1", b"b", 3)]
    assert leader_changes(events) == (leaders, True)
    assert leader_changes(events[:1]) == (leaders[:1], False)


def test_error_tree() -> None:
    assert issubclass(SessionLostError, LeaseLostError)
    assert issubclass(SessionLostError, LeaseNotFoundError)
    assert issubclass(LockNotAcquiredError, EtcdError)
    assert issubclass(NotElectionLeaderError, EtcdError)
    error = SessionLostError()
    assert str(error) == "the session's lease has expired or was revoked"
    assert error.code is None
    assert str(NotElectionLeaderError()) == "not the leader of this election"
