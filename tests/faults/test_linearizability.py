"""The linearizability checker on hand-made histories: it accepts what etcd may do and catches
the classic anomalies (stale read, lost update, a write applied that was reported not applied)."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest

from etcd3.errors import (
    ConnectionClosedError,
    ConnectionFailedError,
    ConnectionTimeoutError,
    LeaseNotFoundError,
)
from faults.history import History, Kind, Op, Status, outcome_unknown
from faults.kv_model import KvModel, check_history, check_revision_order
from faults.linearizability import check
from faults.simulated import simulate
from faults.watch_check import StoreEvent

_ids = itertools.count()


def op(
    kind: Kind,
    start: float,
    end: float | None,
    *,
    key: bytes = b"k",
    client: str = "a",
    value: bytes | None = None,
    expect: int | bytes | None = None,
    lease: int = 0,
    rev: int | None = None,
    found: bytes | None = None,
    mod: int = 0,
    ok: bool = False,
) -> Op:
    """An operation over [start, end]; ``end=None`` for an unknown outcome."""
    status = Status.OK if end is not None else Status.UNKNOWN
    return Op(
        next(_ids),
        client,
        kind,
        key,
        start,
        math.inf if end is None else end,
        status,
        value,
        expect,
        lease,
        rev,
        found,
        mod,
        ok,
    )


def put(
    start: float,
    end: float | None,
    value: bytes,
    rev: int | None = None,
    *,
    key: bytes = b"k",
    client: str = "a",
    lease: int = 0,
) -> Op:
    return op(Kind.PUT, start, end, key=key, client=client, value=value, lease=lease, rev=rev)


def get(
    start: float, end: float, found: bytes | None, mod: int, rev: int, *, client: str = "a"
) -> Op:
    return op(Kind.GET, start, end, client=client, found=found, mod=mod, rev=rev)


def linearizable(*ops: Op) -> bool:
    return check(KvModel(), list(ops)).linearizable


# --- What etcd may do -------------------------------------------------------------------------


def test_sequential_writes_and_reads() -> None:
    assert linearizable(
        put(0, 1, b"a", 2),
        get(2, 3, b"a", 2, 2),
        put(4, 5, b"b", 3),
        get(6, 7, b"b", 3, 3),
        op(Kind.DELETE, 8, 9, rev=4, ok=True),
        get(10, 11, None, 0, 4),
    )


@pytest.mark.parametrize("seen", [None, b"a"])
def test_a_read_overlapping_a_write_may_see_either_side(seen: bytes | None) -> None:
    mod = 2 if seen else 0
    assert linearizable(put(0, 10, b"a", 2), get(1, 2, seen, mod, 2 if seen else 1))


def test_concurrent_writes_in_either_order_consistent_with_their_revisions() -> None:
    assert linearizable(
        put(0, 10, b"a", 3, client="a"),
        put(1, 9, b"b", 2, client="b"),
        get(11, 12, b"a", 3, 3),
    )
    # Same operations, but the read shows the write with the lower revision last.
    assert not linearizable(
        put(0, 10, b"a", 3, client="a"),
        put(1, 9, b"b", 2, client="b"),
        get(11, 12, b"b", 2, 3),
    )


def test_compare_and_swap_on_mod_revision_and_on_value() -> None:
    assert linearizable(
        put(0, 1, b"a", 2),
        op(Kind.CAS_MOD, 2, 3, value=b"b", expect=2, rev=3, ok=True),
        op(Kind.CAS_MOD, 4, 5, value=b"c", expect=2, rev=3, ok=False),
        op(Kind.CAS_VALUE, 6, 7, value=b"d", expect=b"b", rev=4, ok=True),
        get(8, 9, b"d", 4, 4),
    )


def test_an_unknown_write_may_have_applied_late_or_never() -> None:
    lost = put(0, None, b"x")
    assert linearizable(put(-2, -1, b"a", 2), lost, get(5, 6, b"a", 2, 2))  # never
    assert linearizable(put(-2, -1, b"a", 2), lost, get(5, 6, b"x", 7, 7))  # applied
    # Applied late: after a read that returned before it took effect.
    assert linearizable(lost, get(1, 2, None, 0, 1), get(5, 6, b"x", 3, 3))


def test_an_unknown_write_learns_its_revision_from_a_read() -> None:
    assert linearizable(
        put(0, None, b"x"),
        get(1, 2, b"x", 5, 5),
        op(Kind.CAS_MOD, 3, 4, value=b"y", expect=5, rev=6, ok=True),
        get(5, 6, b"y", 6, 6),
    )


def test_lease_revoke_deletes_the_key_it_is_attached_to() -> None:
    assert linearizable(
        put(0, 1, b"a", 2, lease=7),
        op(Kind.REVOKE, 2, 3, lease=7, rev=3),
        get(4, 5, None, 0, 3),
    )
    assert not linearizable(  # a put without the lease detached the key from it
        put(0, 1, b"a", 2, lease=7),
        put(1.5, 1.8, b"b", 3),
        op(Kind.REVOKE, 2, 3, lease=7, rev=3),
        get(4, 5, None, 0, 3),
    )


def test_a_lost_lease_may_expire_any_time_after_it_was_granted() -> None:
    expiry = op(Kind.EXPIRE, 0, None, lease=7)
    assert linearizable(put(0, 1, b"a", 2, lease=7), expiry, get(4, 5, b"a", 2, 2))
    assert linearizable(put(0, 1, b"a", 2, lease=7), expiry, get(4, 5, None, 0, 3))
    assert not linearizable(put(0, 1, b"a", 2), expiry, get(4, 5, None, 0, 3))


# --- The anomalies it must catch ----------------------------------------------------------------


def test_stale_read_is_caught() -> None:
    verdict = check(
        KvModel(),
        [put(0, 1, b"a", 2), put(2, 3, b"b", 3), get(4, 5, b"a", 2, 3, client="reader")],
    )
    assert not verdict.linearizable
    assert verdict.blocked is not None
    assert verdict.blocked.client == "reader"
    assert "get(b'k')" in verdict.explain()


def test_a_read_from_an_older_store_is_caught() -> None:
    # Same value, but the second read's header shows a store older than the first read's.
    assert not linearizable(put(0, 1, b"a", 2), get(2, 3, b"a", 2, 6), get(4, 5, b"a", 2, 4))
    assert linearizable(put(0, 1, b"a", 2), get(2, 3, b"a", 2, 4), get(4, 5, b"a", 2, 6))


def test_lost_update_by_two_compare_and_swaps_is_caught() -> None:
    # Both clients read revision 2 and both swap from it: one update is lost.
    assert not linearizable(
        put(0, 1, b"a", 2),
        get(2, 3, b"a", 2, 2, client="x"),
        get(2, 3, b"a", 2, 2, client="y"),
        op(Kind.CAS_MOD, 4, 5, value=b"x", expect=2, rev=3, ok=True, client="x"),
        op(Kind.CAS_MOD, 6, 7, value=b"y", expect=2, rev=4, ok=True, client="y"),
    )
    assert not linearizable(
        put(0, 1, b"a", 2),
        op(Kind.CAS_VALUE, 4, 5, value=b"x", expect=b"a", rev=3, ok=True, client="x"),
        op(Kind.CAS_VALUE, 6, 7, value=b"y", expect=b"a", rev=4, ok=True, client="y"),
    )


def test_a_value_nobody_wrote_is_caught() -> None:
    # A write reported as not applied is left out of the history: reading its value fails.
    assert not linearizable(put(0, 1, b"a", 2), get(4, 5, b"not-applied", 3, 3))


def test_an_unknown_write_seen_then_unseen_is_caught() -> None:
    assert not linearizable(
        put(-2, -1, b"a", 2), put(0, None, b"x"), get(1, 2, b"x", 3, 3), get(3, 4, b"a", 2, 3)
    )


def test_revisions_going_back_in_time_across_keys_are_caught() -> None:
    first = put(0, 1, b"a", 5, key=b"k1")
    later = put(2, 3, b"b", 4, key=b"k2")
    assert check_revision_order([first, later]) != []
    assert check_revision_order([first, put(2, 3, b"b", 6, key=b"k2")]) == []
    assert check_revision_order([first, put(0.5, 3, b"b", 4, key=b"k2")]) == []  # overlapping


def test_two_writes_at_one_revision_are_caught() -> None:
    problems = check_revision_order([put(0, 1, b"a", 5, key=b"k1"), put(0, 1, b"b", 5, key=b"k2")])
    assert any("two writes at revision 5" in p for p in problems)


# --- Against the store's history ----------------------------------------------------------------


def test_the_store_settles_unknown_writes_and_catches_what_was_not_applied() -> None:
    applied = put(0, None, b"x")
    never = put(0, None, b"y")
    store = [StoreEvent(2, b"k", b"x")]
    verdict = check_history([applied, never, get(5, 6, b"x", 2, 2)], store=store)
    assert verdict.ok, verdict.explain()
    failed = dataclasses.replace(put(0, None, b"z"), id=999)
    verdict = check_history(
        [applied], failed=[failed], store=[*store, StoreEvent(3, b"k", b"z", prev=(b"x", 2))]
    )
    assert not verdict.ok
    assert any("reported as not applied" in p for p in verdict.store)


def test_an_acknowledged_write_missing_from_the_store_is_caught() -> None:
    verdict = check_history([put(0, 1, b"a", 2)], store=[])
    assert any("acknowledged" in p for p in verdict.store)


def test_serializable_reads_may_be_stale_but_not_invented() -> None:
    store = [StoreEvent(2, b"k", b"a"), StoreEvent(3, b"k", b"b", prev=(b"a", 2))]
    writes = [put(0, 1, b"a", 2), put(2, 3, b"b", 3)]
    stale = op(Kind.SERIAL_GET, 4, 5, found=b"a", mod=2, rev=2)
    assert check_history([*writes, stale], store=store).ok
    invented = op(Kind.SERIAL_GET, 4, 5, found=b"a", mod=2, rev=3)
    verdict = check_history([*writes, invented], store=store)
    assert verdict.serializable
    assert not verdict.ok


# --- Realistic histories ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_simulated_histories_are_linearizable(seed: int) -> None:
    run = simulate(ops=5000, keys=8, clients=8, unknown_rate=0.03, seed=seed)
    assert check_history(run.ops, store=run.store).ok
    assert check_history(run.ops).ok  # unknown writes left unsettled


def test_a_stale_read_planted_in_a_simulated_history_is_caught() -> None:
    run = simulate(ops=5000, keys=8, clients=8, seed=7)
    ops = run.ops
    # A read that saw a write, taken after that write returned: make it see the version before.
    for i, read in enumerate(ops):
        if read.kind is not Kind.GET or read.status is not Status.OK or read.found is None:
            continue
        write = next(
            (o for o in ops if o.kind is Kind.PUT and o.value == read.found and o.key == read.key),
            None,
        )
        before = [e for e in run.store if e.key == read.key and e.revision < read.mod_revision]
        if write is None or write.ret >= read.invoke or not before or before[-1].deleted:
            continue
        stale = dataclasses.replace(read, found=before[-1].value, mod_revision=before[-1].revision)
        verdict = check_history([*ops[:i], stale, *ops[i + 1 :]])
        assert not verdict.ok
        assert not verdict.keys[read.key].linearizable
        return
    raise AssertionError("no read to make stale")


# --- Outcome classification -----------------------------------------------------------------------


def test_outcome_classification() -> None:
    assert not outcome_unknown(LeaseNotFoundError("etcdserver: requested lease not found"))
    assert not outcome_unknown(ConnectionClosedError("closed"))
    assert outcome_unknown(ConnectionTimeoutError("deadline"))
    assert outcome_unknown(ConnectionFailedError("stream removed"))
    assert outcome_unknown(RuntimeError("not an EtcdError"))


def test_history_keeps_unknown_writes_drops_failed_reads_and_sets_failed_writes_apart() -> None:
    history = History()
    history.raised(history.invoke("c", Kind.PUT, b"k", value=b"v1"), ConnectionTimeoutError("t"))
    history.raised(history.invoke("c", Kind.GET, b"k"), ConnectionTimeoutError("t"))
    history.raised(
        history.invoke("c", Kind.PUT, b"k", value=b"v2", lease=5), LeaseNotFoundError("gone")
    )
    history.returned(history.invoke("c", Kind.PUT, b"k", value=b"v3"), revision=7)
    assert [(o.value, o.status) for o in history.ops] == [
        (b"v1", Status.UNKNOWN),
        (b"v3", Status.OK),
    ]
    assert [o.value for o in history.failed] == [b"v2"]
    assert history.ops[0].ret == math.inf
    assert history.counts() == {"ok": 1, "unknown": 1, "failed": 1, "dropped_reads": 1}
