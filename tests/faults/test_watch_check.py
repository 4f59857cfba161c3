"""Watch verdicts on hand-made deliveries: each property is caught when broken."""

from __future__ import annotations

from etcd3._events import WatchResponse
from etcd3.rpc import etcdserverpb, mvccpb
from etcd3.rpc.mvccpb import EventType, KeyValue
from faults.watch_check import StoreEvent, WatchRecorder, check_store_history, check_watch

# /w/a put at 2, /w/b put at 3, a transaction at 4 putting /w/a and deleting /w/b, /w/a at 5.
STORE = [
    StoreEvent(2, b"/w/a", b"a1"),
    StoreEvent(3, b"/w/b", b"b1"),
    StoreEvent(4, b"/w/a", b"a2", prev=(b"a1", 2)),
    StoreEvent(4, b"/w/b", b"", deleted=True, prev=(b"b1", 3)),
    StoreEvent(5, b"/w/a", b"a3", prev=(b"a2", 4)),
]


def recorder(
    *responses: tuple[StoreEvent, ...], start: int = 1, prefix: bytes = b"/w/"
) -> WatchRecorder:
    watch = WatchRecorder("w", prefix, start, prev_kv=True)
    for response in responses:
        watch.record(response)
    return watch


def problems(watch: WatchRecorder, *, complete: bool = True) -> list[str]:
    return check_watch(watch, STORE, complete=complete).problems


def test_the_whole_history_in_any_batching_that_keeps_revisions_whole() -> None:
    assert problems(recorder(tuple(STORE))) == []
    assert problems(recorder((STORE[0],), (STORE[1],), (STORE[2], STORE[3]), (STORE[4],))) == []
    assert problems(recorder((STORE[2], STORE[3]), (STORE[4],), start=4)) == []
    assert problems(recorder((STORE[4],), prefix=b"/w/a", start=5)) == []


def test_a_gap_is_caught() -> None:
    found = problems(recorder((STORE[0],), (STORE[2], STORE[3]), (STORE[4],)))
    assert any("missing [(3, b'/w/b', False, b'b1')]" in p for p in found), found


def test_a_watch_that_did_not_catch_up_is_caught_unless_partial_is_allowed() -> None:
    partial = recorder((STORE[0],), (STORE[1],))
    assert problems(partial) != []
    assert problems(partial, complete=False) == []


def test_a_duplicate_is_caught() -> None:
    found = problems(recorder((STORE[0], STORE[1]), (STORE[1],), (STORE[2], STORE[3], STORE[4])))
    assert any("delivered twice" in p for p in found), found


def test_out_of_order_is_caught() -> None:
    found = problems(recorder((STORE[1],), (STORE[0],), (STORE[2], STORE[3], STORE[4])))
    assert any("out of order" in p for p in found), found


def test_a_revision_split_across_responses_is_caught() -> None:
    found = problems(recorder((STORE[0], STORE[1], STORE[2]), (STORE[3], STORE[4])))
    assert any("split across responses: [4]" in p for p in found), found


def test_a_wrong_prev_kv_is_caught() -> None:
    wrong = StoreEvent(5, b"/w/a", b"a3", prev=(b"a1", 2))
    found = problems(recorder(tuple(STORE[:4]), (wrong,)))
    assert any("prev_kv" in p for p in found), found


def test_errors_delivered_to_the_watch_are_problems() -> None:
    watch = recorder(tuple(STORE))
    watch(RuntimeError("stream broke"))
    assert any("stream broke" in p for p in problems(watch))


def test_the_store_history_is_checked_against_itself() -> None:
    assert check_store_history(STORE) == []
    bad_prev = [*STORE[:4], StoreEvent(5, b"/w/a", b"a3", prev=(b"a1", 2))]
    assert check_store_history(bad_prev) != []
    assert check_store_history([STORE[1], STORE[0]]) != []


def test_the_callback_reads_real_watch_responses() -> None:
    prev = KeyValue(key=b"/w/a", value=b"a1", mod_revision=2)
    put = mvccpb.Event(
        type=EventType.PUT, kv=KeyValue(key=b"/w/a", value=b"a2", mod_revision=4), prev_kv=prev
    )
    delete = mvccpb.Event(
        type=EventType.DELETE,
        kv=KeyValue(key=b"/w/b", mod_revision=4),
        prev_kv=KeyValue(key=b"/w/b", value=b"b1", mod_revision=3),
    )
    header = etcdserverpb.ResponseHeader(revision=4)
    watch = WatchRecorder("w", b"/w/", 4, prev_kv=True)
    watch(WatchResponse(etcdserverpb.WatchResponse(header=header, events=[put, delete])))
    watch(WatchResponse(etcdserverpb.WatchResponse(header=header)))  # progress: no events
    assert watch.snapshot() == ([(STORE[2], STORE[3])], [])
    assert watch.last_revision == 4
