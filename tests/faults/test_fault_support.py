"""The fault suite's judges must catch what they look for (no server needed)."""

from __future__ import annotations

import pytest

from etcd3._events import WatchResponse
from etcd3.errors import ConnectionFailedError, RevisionCompactedError
from etcd3.rpc.etcdserverpb import ResponseHeader
from etcd3.rpc.etcdserverpb import WatchResponse as RawWatchResponse
from etcd3.rpc.mvccpb import Event, EventType, KeyValue
from faults.fault_support import (
    Change,
    Collector,
    Load,
    WriteOutcome,
    check_same_history,
    check_writes,
    parse_value,
    write_value,
)


def history(*values: bytes, start: int = 10) -> list[Change]:
    return [Change(start + i, b"k%d" % (i % 2), value) for i, value in enumerate(values)]


def outcome(acked: dict[bytes, int], failed: tuple[bytes, ...] = ()) -> WriteOutcome:
    return WriteOutcome(acked=dict(acked), failed=dict.fromkeys(failed, "ConnectionFailedError"))


A, B, C = write_value(0, 0), write_value(1, 0), write_value(0, 1)


def test_values_identify_writer_and_sequence() -> None:
    assert parse_value(write_value(3, 41)) == (3, 41)
    assert len({write_value(w, s) for w in range(3) for s in range(3)}) == 9
    with pytest.raises(ValueError, match="not a load value"):
        parse_value(b"x:1")


def test_check_writes_accepts_a_clean_history_and_counts_unknown_outcomes() -> None:
    counts = check_writes(outcome({A: 10, B: 11}, failed=(C,)), history(A, B, C))
    assert counts == {"history": 3, "acked": 2, "failed": 1, "failed_applied": 1}
    assert check_writes(outcome({A: 10}, failed=(C,)), history(A))["failed_applied"] == 0


@pytest.mark.parametrize(
    ("written", "changes", "message"),
    [
        (outcome({A: 10, B: 11}), history(A), "missing from the history"),
        (outcome({A: 10}, failed=(B,)), history(A, B, B), "more than once"),
        (outcome({A: 10}), history(A, A), "more than once"),
        (outcome({A: 11}), history(C, A), "nobody wrote"),
        (outcome({A: 12}, failed=(C,)), history(C, A), "another revision"),
    ],
)
def test_check_writes_names_each_violation(
    written: WriteOutcome, changes: list[Change], message: str
) -> None:
    with pytest.raises(AssertionError, match=message):
        check_writes(written, changes)


def test_check_writes_rejects_a_write_said_not_applied_that_was_applied() -> None:
    written = outcome({A: 10}, failed=(C,))
    written.not_applied.add(C)
    with pytest.raises(AssertionError, match="said they did not take effect"):
        check_writes(written, history(A, C))
    assert check_writes(written, history(A))["failed_applied"] == 0


def test_load_records_which_failed_writes_claimed_not_applied() -> None:
    load = Load()
    load.write_failed("steady", A, ConnectionFailedError("reset mid-call"))  # a write: unknown
    load.write_failed("steady", B, ConnectionFailedError("failed to connect to all addresses"))
    assert load.writes.not_applied == {B}


def test_check_writes_rejects_deletes() -> None:
    deleted = [Change(10, b"k", b"", deleted=True)]
    with pytest.raises(AssertionError, match="never deletes"):
        check_writes(outcome({}), deleted)


@pytest.mark.parametrize(
    ("delivered", "message"),
    [
        (history(A, B)[:1], r"missing \[11\]"),  # a gap
        ([*history(A, B), history(A, B)[1]], r"duplicated revisions \[11\]"),
        (list(reversed(history(A, B))), "first divergence at #0"),
        ([Change(10, b"k0", A), Change(11, b"k1", C)], "first divergence at #1"),
    ],
)
def test_check_same_history_names_gaps_duplicates_and_reorders(
    delivered: list[Change], message: str
) -> None:
    check_same_history(history(A, B), history(A, B))
    with pytest.raises(AssertionError, match=message):
        check_same_history(delivered, history(A, B))


def test_collector_records_changes_errors_and_arrivals() -> None:
    collector = Collector()
    raw = RawWatchResponse(
        header=ResponseHeader(revision=7),
        events=[
            Event(type=EventType.PUT, kv=KeyValue(key=b"a", value=A, mod_revision=6)),
            Event(type=EventType.DELETE, kv=KeyValue(key=b"a", mod_revision=7)),
        ],
    )
    collector(WatchResponse(raw))
    collector(RevisionCompactedError("gone", compacted_revision=5))
    changes, errors = collector.snapshot()
    assert changes == [Change(6, b"a", A), Change(7, b"a", b"", deleted=True)]
    assert collector.last_revision == 7
    assert collector.values() == [A, b""]
    assert A in collector.arrivals
    assert [type(e) for e in errors] == [RevisionCompactedError]


def test_load_counts_by_phase_and_flags_untyped_errors() -> None:
    load = Load()
    with load.running():
        load.wrote("steady", A, 10, 0.01)
        load.phase = "leader_down"
        load.write_failed(load.phase, B, ConnectionFailedError("down"))
        load.read_failed(load.phase, RuntimeError("raw"))
    assert load.finished == 1
    assert load.counts == {
        "steady.acked": 1,
        "leader_down.put_failed": 1,
        "leader_down.read_failed": 1,
    }
    assert load.writes.acked == {A: 10}
    assert load.writes.failed == {B: "ConnectionFailedError"}
    assert load.foreign == ["RuntimeError('raw')"]
