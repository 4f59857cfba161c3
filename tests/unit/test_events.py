"""The lazy watch views: Event, PutEvent, DeleteEvent, WatchResponse (no server)."""

from __future__ import annotations

import dataclasses

import pytest

from etcd3._events import DeleteEvent, Event, PutEvent, WatchResponse
from etcd3._views import KVMetadata
from etcd3.rpc import etcdserverpb, mvccpb
from etcd3.rpc.etcdserverpb import ResponseHeader
from etcd3.rpc.mvccpb import EventType, KeyValue

HEADER = ResponseHeader(revision=42, cluster_id=7)


def put(key: bytes, value: bytes, rev: int, *, prev: KeyValue | None = None) -> mvccpb.Event:
    kv = KeyValue(
        key=key, value=value, mod_revision=rev, create_revision=rev - 1, version=2, lease=9
    )
    return mvccpb.Event(type=EventType.PUT, kv=kv, prev_kv=prev)


def delete(key: bytes, rev: int) -> mvccpb.Event:
    return mvccpb.Event(type=EventType.DELETE, kv=KeyValue(key=key, mod_revision=rev))


def response(*events: mvccpb.Event, fragment: bool = False) -> WatchResponse:
    return WatchResponse(
        etcdserverpb.WatchResponse(header=HEADER, events=list(events), fragment=fragment)
    )


def test_create_event_picks_the_subclass_and_reads_fields_lazily() -> None:
    prev = KeyValue(key=b"k", value=b"old", mod_revision=3, create_revision=2, version=1, lease=5)
    event = Event.create_event(put(b"k", b"new", 4, prev=prev), HEADER)
    assert type(event) is PutEvent
    assert (event.key, event.value, event.mod_revision, event.create_revision) == (
        b"k",
        b"new",
        4,
        3,
    )
    assert (event.version, event.lease, event.header.revision) == (2, 9, 42)
    assert (event.prev_key, event.prev_value, event.prev_mod_revision) == (b"k", b"old", 3)
    assert (event.prev_create_revision, event.prev_version, event.prev_lease) == (2, 1, 5)
    assert event.event.kv.value == b"new"
    meta = event.kv_meta
    assert isinstance(meta, KVMetadata)
    assert (meta.key, meta.mod_revision, meta.lease_id, meta.response_header) == (
        b"k",
        4,
        9,
        HEADER,
    )
    assert event.prev_kv_meta.mod_revision == 3
    assert repr(event) == "PutEvent(key=b'k', mod_revision=4)"


def test_delete_event_has_empty_value_and_empty_prev_without_prev_kv() -> None:
    event = Event.create_event(delete(b"gone", 8), HEADER)
    assert type(event) is DeleteEvent
    assert (event.key, event.value, event.version, event.mod_revision) == (b"gone", b"", 0, 8)
    assert (event.prev_value, event.prev_key, event.prev_mod_revision) == (b"", b"", 0)


def test_unknown_event_type_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown watch event type"):
        Event.create_event(mvccpb.Event(type=7), HEADER)  # type: ignore[arg-type]
    r = response(put(b"a", b"1", 5), mvccpb.Event(type=7))  # type: ignore[arg-type]
    events = iter(r)
    assert next(events).key == b"a"
    with pytest.raises(ValueError, match="unknown watch event type 7"):
        next(events)


def test_event_views_carry_the_event_and_its_header() -> None:
    raw = put(b"k", b"v", 3)
    r = response(raw, delete(b"d", 4))
    made = Event.create_event(raw, HEADER)
    assert (made.event, made.header) == (raw, HEADER)
    assert [(type(e), e.event, e.header) for e in r] == [
        (PutEvent, r.watch_response.events[0], r.header),
        (DeleteEvent, r.watch_response.events[1], r.header),
    ]


def test_watch_response_indexing_iteration_and_counts() -> None:
    r = response(put(b"a", b"1", 5), delete(b"b", 6), put(b"c", b"3", 7))
    assert len(r) == 3
    assert r.event_counts == (2, 1)
    assert r.max_mod_revision == 7
    assert [type(e) for e in r] == [PutEvent, DeleteEvent, PutEvent]
    assert [e.key for e in r.all()] == [b"a", b"b", b"c"]
    assert [e.key for e in r.events] == [b"a", b"b", b"c"]
    assert r[0].key == b"a"
    assert r[-1].key == b"c"
    assert r[-3].key == b"a"
    with pytest.raises(IndexError):
        r[3]
    with pytest.raises(IndexError):
        r[-4]
    assert r.header is r.watch_response.header
    assert r.header.revision == 42
    assert not r.fragment
    assert not r.is_progress_notify
    assert repr(r) == "WatchResponse(revision=42, puts=2, deletes=1, fragment=False)"


def test_progress_notification_is_empty() -> None:
    r = response(fragment=True)
    assert len(r) == 0
    assert r.event_counts == (0, 0)
    assert r.max_mod_revision is None
    assert r.events == []
    assert r.is_progress_notify
    assert r.fragment


def test_counts_do_not_create_event_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    r = response(*(put(b"k", b"v", rev) for rev in range(2, 1002)))

    def forbidden(event: mvccpb.Event, header: ResponseHeader) -> PutEvent | DeleteEvent:
        raise AssertionError("an event was materialized")

    monkeypatch.setattr(Event, "create_event", staticmethod(forbidden))
    assert len(r) == 1000
    assert r.event_counts == (1000, 0)
    assert r.max_mod_revision == 1001


def test_watch_response_is_frozen() -> None:
    r = response()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.watch_response = etcdserverpb.WatchResponse()  # type: ignore[misc]
    assert r == WatchResponse(r.watch_response)


def test_a_view_made_by_its_constructor_reads_its_event_and_header() -> None:
    # The predecessors made event objects by calling the class: PutEvent(event, header).
    made = PutEvent(put(b"k", b"v", 9), HEADER)
    assert (made.key, made.value, made.mod_revision) == (b"k", b"v", 9)
    assert made.header == HEADER
    gone = DeleteEvent(delete(b"k", 10), HEADER)
    assert (gone.key, gone.mod_revision, gone.header.revision) == (b"k", 10, 42)
