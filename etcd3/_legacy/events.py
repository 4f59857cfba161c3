"""python-etcd3's ``new_event``: a raw watch event wrapped in its view."""

from __future__ import annotations

from etcd3._events import DeleteEvent, Event, PutEvent
from etcd3.rpc.etcdserverpb import ResponseHeader
from etcd3.rpc.mvccpb import Event as RawEvent

__all__ = ["new_event"]


def new_event(event: RawEvent) -> PutEvent | DeleteEvent:
    """Wrap a raw ``mvccpb.Event`` in a [`PutEvent`][etcd3.PutEvent] or
    [`DeleteEvent`][etcd3.DeleteEvent].

    python-etcd3's events carried no response header, so this one's ``header`` is an empty
    ``ResponseHeader``; the client's watches give events with their response's header.

    Args:
        event: The raw event.

    Returns:
        The view of the event's type.

    Raises:
        ValueError: The event type is neither PUT nor DELETE.
    """
    return Event.create_event(event, ResponseHeader())
