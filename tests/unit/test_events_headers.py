"""Every watch event view reports the header of the response that carried it."""

from __future__ import annotations

from etcd3._events import Event, WatchResponse
from etcd3.rpc import etcdserverpb, mvccpb
from etcd3.rpc.etcdserverpb import ResponseHeader
from etcd3.rpc.mvccpb import EventType, KeyValue

HEADER = ResponseHeader(revision=42, cluster_id=7)
PREV = KeyValue(key=b"k", value=b"old", mod_revision=3)


def _response() -> WatchResponse:
    events = [
        mvccpb.Event(type=EventType.PUT, kv=KeyValue(key=b"k", mod_revision=5), prev_kv=PREV),
        mvccpb.Event(type=EventType.DELETE, kv=KeyValue(key=b"k", mod_revision=6), prev_kv=PREV),
    ]
    return WatchResponse(etcdserverpb.WatchResponse(header=HEADER, events=events))


def _headers(event: Event) -> tuple[ResponseHeader, ResponseHeader]:
    return event.kv_meta.response_header, event.prev_kv_meta.response_header


def test_events_made_every_way_carry_the_response_header() -> None:
    response = _response()
    made = [*response.all(), *response, response[0], response[-1], *response.events]
    assert [type(event).__name__ for event in made] == ["PutEvent", "DeleteEvent"] * 4
    for event in made:
        assert _headers(event) == (HEADER, HEADER)
    raw = response.watch_response.events[1]
    assert _headers(Event.create_event(raw, HEADER)) == (HEADER, HEADER)


def test_a_watch_response_is_slotted() -> None:
    assert not hasattr(_response(), "__dict__")
